// Latency at ONE connection: sequential requests on one keep-alive socket, each timed with a
// monotonic clock to the microsecond (autocannon reports whole milliseconds, too coarse for a
// 0.15 ms target). Spec as JSON in argv[2]; prints { p50Ms, p99Ms, meanMs, requests, failed }.
import http from 'node:http';

const spec = JSON.parse(process.argv[2]);
if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(spec.url)) throw new Error(`not loopback: ${spec.url}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function once() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request(
      spec.url,
      { method: spec.method ?? 'GET', headers: spec.headers ?? {}, agent },
      (response) => {
        response.resume();
        response.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          resolve({ ms, ok: response.statusCode >= 200 && response.statusCode < 300 });
        });
      },
    );
    request.on('error', reject);
    request.end(spec.body);
  });
}

async function drive(seconds) {
  const deadline = performance.now() + seconds * 1000;
  const times = [];
  let failed = 0;
  while (performance.now() < deadline) {
    const { ms, ok } = await once();
    if (ok) times.push(ms);
    else failed++;
  }
  return { times, failed };
}

await drive(spec.warmupS ?? 0.5);
const { times, failed } = await drive(spec.durationS);
agent.destroy();
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: times.reduce((sum, t) => sum + t, 0) / times.length,
    requests: times.length,
    failed,
  })}\n`,
);
