import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SessionEvents } from 'nest-redis-session';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics-registry.js';

// Lookups are one Redis round trip (or none, for a request without a cookie): sub-millisecond
// on a LAN, so the buckets start at 0.5 ms and end where a request would time out anyway.
const LOOKUP_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/**
 * Turns the library's `SessionEvents` into Prometheus metrics. Labels are closed sets (reasons,
 * outcomes): never a user id, a session id or an address, which would grow the series without
 * bound and put personal data in the metrics.
 */
@Injectable()
export class SessionMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    private readonly events: SessionEvents,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    const registers = [this.registry];
    const created = new Counter({
      name: 'session_created_total',
      help: 'Sessions created; login="true" for a login, "false" for an anonymous session.',
      labelNames: ['login'],
      registers,
    });
    const rotated = new Counter({
      name: 'session_rotated_total',
      help: 'Session tokens replaced, by reason.',
      labelNames: ['reason'],
      registers,
    });
    const revoked = new Counter({
      name: 'session_revoked_total',
      help: 'Sessions revoked (not by their own logout), by reason.',
      labelNames: ['reason'],
      registers,
    });
    const expiredOnRead = new Counter({
      name: 'session_expired_on_read_total',
      help: 'Requests whose cookie named a session that had expired.',
      registers,
    });
    const loggedOut = new Counter({
      name: 'session_logged_out_total',
      help: 'Sessions ended by their own logout.',
      registers,
    });
    const storeUnavailable = new Counter({
      name: 'session_store_unavailable_total',
      help: 'Requests whose session Redis could not serve (answered 503).',
      registers,
    });
    const lookupSeconds = new Histogram({
      name: 'session_lookup_duration_seconds',
      help: 'Time to load the session of a request, by outcome.',
      labelNames: ['outcome'],
      buckets: LOOKUP_BUCKETS_SECONDS,
      registers,
    });

    this.unsubscribes.push(
      this.events.on('created', (e) => created.inc({ login: String(e.login) })),
      this.events.on('rotated', (e) => rotated.inc({ reason: e.reason })),
      this.events.on('revoked', (e) => revoked.inc({ reason: e.reason })),
      this.events.on('expired-on-read', () => expiredOnRead.inc()),
      this.events.on('logged-out', () => loggedOut.inc()),
      this.events.on('store-unavailable', () => storeUnavailable.inc()),
      this.events.on('lookup', (e) =>
        lookupSeconds.observe({ outcome: e.outcome }, e.durationMs / 1000),
      ),
    );
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }
}
