// Latency at ONE connection per app: sequential requests, each on its app's one keep-alive
// socket, timed with a monotonic clock to the microsecond (autocannon reports whole
// milliseconds, too coarse for a 0.15 ms target).
//
// The targets take turns, a block of requests each (bare, ours, PING, bare, ...; who goes first
// rotates every cycle), so every target is sampled over the same seconds. On a shared host the
// same route's p50 moved from 0.26 to 0.83 ms within twenty minutes: measured one after the
// other, two routes' p50s differ by whatever the host did in between; measured in turns, that
// drift lands on both. Blocks of 100 rather than turns of one request: an app that waits for
// the others between two of its own requests goes cold, and every route then measured twice as
// slow. The first 10 requests of each block re-warm the app and are not timed.
//
// Spec as JSON in argv[2]: { targets: [{ key, url, method?, headers?, body? }], durationS,
// warmupS?, block?, rewarm? }. Prints { [key]: { p50Ms, p99Ms, meanMs, requests, failed } }.
import http from 'node:http';

const spec = JSON.parse(process.argv[2]);
const BLOCK = spec.block ?? 100;
const REWARM = spec.rewarm ?? 10;
const targets = spec.targets.map((target) => {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(target.url))
    throw new Error(`not loopback: ${target.url}`);
  return { ...target, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
});

function once(target) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request(
      target.url,
      { method: target.method ?? 'GET', headers: target.headers ?? {}, agent: target.agent },
      (response) => {
        response.resume();
        response.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          resolve({ ms, ok: response.statusCode >= 200 && response.statusCode < 300 });
        });
      },
    );
    request.on('error', reject);
    request.end(target.body);
  });
}

async function drive(seconds) {
  const deadline = performance.now() + seconds * 1000;
  const samples = targets.map(() => ({ times: [], failed: 0 }));
  for (let cycle = 0; performance.now() < deadline; cycle++) {
    for (let turn = 0; turn < targets.length; turn++) {
      const index = (cycle + turn) % targets.length;
      for (let i = 0; i < REWARM + BLOCK; i++) {
        const { ms, ok } = await once(targets[index]);
        if (i < REWARM) continue;
        if (ok) samples[index].times.push(ms);
        else samples[index].failed++;
      }
    }
  }
  return samples;
}

function summary({ times, failed }) {
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return {
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: times.reduce((sum, t) => sum + t, 0) / times.length,
    requests: times.length,
    failed,
  };
}

await drive(spec.warmupS ?? 0.5);
const samples = await drive(spec.durationS);
for (const target of targets) target.agent.destroy();
process.stdout.write(
  `${JSON.stringify(Object.fromEntries(targets.map((t, i) => [t.key, summary(samples[i])])))}\n`,
);
