import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { takePendingSave } from './request-session.lifecycle.js';
import type { HttpResponseLike } from './http-exchange.js';

type Send = (this: unknown, response: HttpResponseLike, ...rest: unknown[]) => unknown;

/** How each sending method of Nest's HTTP adapter gives the status it is about to send. */
const SENDING_METHODS = {
  // reply(response, body, statusCode?)
  reply: (response: HttpResponseLike, rest: unknown[]) => statusOf(response, rest[1]),
  // redirect(response, statusCode, url)
  redirect: (response: HttpResponseLike, rest: unknown[]) => statusOf(response, rest[0] ?? 302),
  // render(response, view, options)
  render: (response: HttpResponseLike) => statusOf(response, undefined),
} as const;

const hooked = new WeakSet<object>();

/**
 * Saves the session a handler took just before Nest sends its response, from inside the HTTP
 * adapter's `reply`, `redirect` and `render`, which Nest awaits on a route and exception filters
 * call to answer.
 *
 * Why not an interceptor: Nest's interceptor chain (an rxjs pipeline per request) costs about
 * as much as the rest of a Fastify route even when it does nothing (BENCHMARKS.md), and routes
 * that read the session are every authenticated request. Here a request that changed nothing
 * pays one property lookup, and a save that fails still reaches the exception filters, as the
 * route awaits the adapter call.
 */
@Injectable()
export class SessionReplyHook implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  // On init, not in the constructor: a testing module creates providers before the adapter.
  onModuleInit(): void {
    // None in a standalone application context (no HTTP, nothing to send).
    const adapter = this.adapterHost.httpAdapter as unknown as Record<string, unknown> | null;
    if (adapter === null || typeof adapter !== 'object' || hooked.has(adapter)) return;
    hooked.add(adapter);
    for (const [name, statusFor] of Object.entries(SENDING_METHODS)) {
      const send = adapter[name];
      if (typeof send === 'function') adapter[name] = saveFirst(send as Send, statusFor);
    }
  }
}

function saveFirst(send: Send, statusFor: (response: HttpResponseLike, rest: unknown[]) => number) {
  return function sendAfterSaving(this: unknown, response: HttpResponseLike, ...rest: unknown[]) {
    const pending = takePendingSave(response);
    if (pending === undefined) return send.call(this, response, ...rest);
    const { lifecycle, session } = pending;
    const saving = lifecycle.settleBeforeReply(session, response, statusFor(response, rest));
    if (saving === undefined) return send.call(this, response, ...rest);
    return saving.then(
      () => send.call(this, response, ...rest),
      (error: unknown) => {
        lifecycle.markRetryAfter(error, response);
        throw error;
      },
    );
  };
}

function statusOf(response: HttpResponseLike, given: unknown): number {
  if (typeof given === 'number') return given;
  const current = (response as { statusCode?: unknown }).statusCode;
  return typeof current === 'number' ? current : 200;
}
