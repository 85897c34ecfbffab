// Store-level reads from one Node process with a fixed number of requests in flight:
//   --mode store : RedisSessionStore.read() of one real session (the read script)
//   --mode get   : plain ioredis GET of a string with the same bytes as that session
// Both with the module's fail-fast client settings, --pipelining on|off for ioredis's
// enableAutoPipelining; scripts-out turns it on but keeps EVALSHA and EVAL out of it, as the
// clients the module builds do. --socket-writes coalesced|immediate is the store's option.
// Prints one JSON line: { opsPerSec, ops, durationS, errors }.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisSessionStore, failFastRedisOptions } from 'nest-redis-session';
import { whenReady } from './ready.mjs';
import { addressOfToken } from './session-address.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    mode: { type: 'string' },
    pipelining: { type: 'string', default: 'off' },
    inflight: { type: 'string', default: '100' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    prefix: { type: 'string' },
    token: { type: 'string' },
    key: { type: 'string' },
    'socket-writes': { type: 'string', default: 'coalesced' },
  },
});

const client = new Redis(values.url, {
  ...failFastRedisOptions(1000),
  enableAutoPipelining: values.pipelining !== 'off',
  autoPipeliningIgnoredCommands: values.pipelining === 'scripts-out' ? ['evalsha', 'eval'] : [],
});
await whenReady(client);

const clock = () => ({ nowMs: Date.now(), idleTimeoutMs: 1_800_000, touchIntervalMs: 60_000 });
let operation;
if (values.mode === 'store') {
  const store = new RedisSessionStore(client, values.prefix, {
    socketWrites: values['socket-writes'],
  });
  const address = addressOfToken(values.token);
  const first = await store.read(address, clock());
  if (first.status !== 'found') throw new Error(`session not found (${first.status})`);
  operation = async () => {
    const result = await store.read(address, clock());
    if (result.status !== 'found') throw new Error(result.status);
  };
} else if (values.mode === 'get') {
  const first = await client.get(values.key);
  if (first === null) throw new Error(`key ${values.key} missing`);
  operation = async () => {
    if ((await client.get(values.key)) === null) throw new Error('missing');
  };
} else {
  throw new Error(`--mode store|get, not ${values.mode}`);
}

async function drive(seconds) {
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        await operation();
        ops++;
      } catch {
        errors++;
        if (errors > 1000) throw new Error('too many errors');
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Number(values.inflight) }, worker));
  return { ops, errors, durationS: (performance.now() - start) / 1000 };
}

await drive(Number(values.warmup));
const { ops, errors, durationS } = await drive(Number(values.duration));
client.disconnect();
process.stdout.write(`${JSON.stringify({ opsPerSec: ops / durationS, ops, errors, durationS })}\n`);
