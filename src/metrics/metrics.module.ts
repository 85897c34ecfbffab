import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics-registry.js';
import { SessionMetrics } from './session-metrics.js';

/** Prometheus metrics at `GET /metrics`: the session events plus Node's process metrics. */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_REGISTRY, useFactory: createMetricsRegistry }, SessionMetrics],
})
export class MetricsModule {}
