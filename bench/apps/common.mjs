// Shared plumbing of the benchmark apps: decorators applied by hand (plain ESM has no decorator
// syntax), the platform switch (BENCH_PLATFORM: express or fastify), and the ready/stop
// protocol with the runner.
import 'reflect-metadata';
import { Inject } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export const env = {
  platform: process.env.BENCH_PLATFORM ?? 'express',
  redisUrl: process.env.BENCH_REDIS_URL ?? '',
  pgUrl: process.env.BENCH_PG_URL ?? '',
  pgSchema: process.env.BENCH_PG_SCHEMA ?? '',
  maxLifetimeS: Number(process.env.BENCH_APP_MAX_SECONDS ?? 3600),
};

export function decorateClass(target, ...decorators) {
  Reflect.decorate(decorators, target);
}

export function decorateMethod(target, name, ...decorators) {
  const proto = target.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  Object.defineProperty(proto, name, Reflect.decorate(decorators, proto, name, descriptor));
}

/** `decorateParam(C, 'read', 0, CurrentSession())` is `read(@CurrentSession() s)`. */
export function decorateParam(target, name, index, decorator) {
  decorator(target.prototype, name, index);
}

/** Constructor injection by explicit tokens (there is no emitted type metadata in JS). */
export function injectConstructor(target, ...tokens) {
  tokens.forEach((token, index) => Inject(token)(target, undefined, index));
}

/** The platform's Nest app (Express or Fastify), trusting X-Forwarded-For from loopback only. */
export async function createApp(module) {
  // Clients of the login step send X-Forwarded-For, so sessions record a realistic address.
  if (env.platform === 'fastify') {
    return NestFactory.create(module, new FastifyAdapter({ trustProxy: 'loopback' }), {
      logger: ['error', 'warn'],
    });
  }
  if (env.platform !== 'express') throw new Error(`unknown platform ${env.platform}`);
  // Express is Nest's default adapter when @nestjs/platform-express is installed.
  const app = await NestFactory.create(module, { logger: ['error', 'warn'] });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  return app;
}

/**
 * Listens on a free loopback port, tells the runner with one `BENCH_READY {json}` line, and
 * stops on SIGTERM, when the runner's pipe closes (the runner died), or at the lifetime cap.
 */
export async function listenAndReport(app, extra = {}, onClose = async () => {}) {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  let closing = false;
  const close = async (reason) => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(1), 3000);
    force.unref();
    try {
      await app.close();
      await onClose();
    } catch (error) {
      process.stderr.write(`close after ${reason}: ${String(error)}\n`);
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  process.stdin.on('end', () => void close('runner gone'));
  process.stdin.on('error', () => void close('runner gone'));
  process.stdin.resume();
  setTimeout(() => void close('lifetime cap'), env.maxLifetimeS * 1000).unref();
  process.stdout.write(
    `BENCH_READY ${JSON.stringify({ port: address.port, pid: process.pid, ...extra })}\n`,
  );
}

/** The small JSON body every benchmark route answers with. */
export function okBody(extra = {}) {
  return { ok: true, ...extra };
}
