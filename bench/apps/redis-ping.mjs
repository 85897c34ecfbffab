// Row "redis-ping": one Redis round trip per request (PING) through ioredis with the same
// fail-fast settings the session module gives its own client: the cost of any Redis call.
import { Controller, Get, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { failFastRedisOptions } from 'nest-redis-session';
import {
  createApp,
  decorateClass,
  decorateMethod,
  env,
  injectConstructor,
  listenAndReport,
  okBody,
} from './common.mjs';

const REDIS = 'BENCH_REDIS';

class PingController {
  constructor(redis) {
    this.redis = redis;
  }

  async ping() {
    return okBody({ pong: await this.redis.ping() });
  }
}
injectConstructor(PingController, REDIS);
decorateMethod(PingController, 'ping', Get('ping'));
decorateClass(PingController, Controller());

const redis = new Redis(env.redisUrl, failFastRedisOptions(1000));
// No offline queue with these settings: wait for the connection before taking requests.
await new Promise((resolve) => redis.once('ready', resolve));

class PingModule {}
decorateClass(
  PingModule,
  Module({ controllers: [PingController], providers: [{ provide: REDIS, useValue: redis }] }),
);

await listenAndReport(await createApp(PingModule), {}, async () => {
  redis.disconnect();
});
