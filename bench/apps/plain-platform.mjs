// A bare route and a one-PING route on a platform without Nest (BENCH_PLATFORM: node, express
// or fastify), for bench/profiles/platform-await-cost.mjs: what one awaited Redis round trip
// costs each platform by itself, before any Nest or session code.
import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { failFastRedisOptions } from 'nest-redis-session';

const platform = process.env.BENCH_PLATFORM ?? 'node';
const redis = new Redis(process.env.BENCH_REDIS_URL ?? '', failFastRedisOptions(1000));
await new Promise((resolve) => redis.once('ready', resolve));

const bare = () => ({ ok: true });
const ping = async () => ({ ok: true, pong: await redis.ping() });

function nodeServer() {
  const answer = (res, body) => {
    const json = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  };
  return http.createServer((req, res) => {
    if (req.url === '/bare') answer(res, bare());
    else if (req.url === '/ping') void ping().then((body) => answer(res, body));
    else res.writeHead(404).end();
  });
}

function expressServer() {
  const app = express();
  app.disable('x-powered-by');
  app.get('/bare', (_req, res) => void res.json(bare()));
  app.get('/ping', async (_req, res) => void res.json(await ping()));
  return http.createServer(app);
}

async function fastifyServer() {
  const app = Fastify();
  app.get('/bare', async () => bare());
  app.get('/ping', ping);
  await app.ready();
  return app.server;
}

const servers = { node: nodeServer, express: expressServer, fastify: fastifyServer };
if (!(platform in servers)) throw new Error(`unknown platform ${platform}`);
const server = await servers[platform]();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const stop = () => {
  server.close();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).on('error', stop).resume();
setTimeout(stop, Number(process.env.BENCH_APP_MAX_SECONDS ?? 3600) * 1000).unref();
process.stdout.write(
  `BENCH_READY ${JSON.stringify({ port: server.address().port, pid: process.pid })}\n`,
);
