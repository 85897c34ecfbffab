import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from 'nest-redis-session';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics-registry.js';

/**
 * `GET /metrics` for Prometheus. Public and on the app port, as in most Nest apps: it holds
 * counts and timings only, no user, session or address, so the deployment decides who may
 * scrape it (keep it off the public proxy routes, as `/health` usually is).
 */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'Prometheus text format: session counters, lookup histogram, process metrics.',
    schema: { type: 'string' },
  })
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
