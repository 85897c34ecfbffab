// The load generator process: one autocannon run, configured by a JSON spec in argv[2], result
// as one JSON line on stdout. A separate process from the runner and from the app under test.
// `variants` (optional) rotates request bodies/headers round-robin, e.g. one user per request
// for the login row, which the CLI cannot do.
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(spec.url)) throw new Error(`not loopback: ${spec.url}`);

const options = {
  url: spec.url,
  connections: spec.connections,
  method: spec.method,
  headers: spec.headers,
  body: spec.body,
  timeout: 10,
};
if (spec.amount !== undefined) options.amount = spec.amount;
else options.duration = spec.durationS;
if (spec.variants?.length) {
  let next = 0;
  options.requests = [
    {
      method: spec.method,
      setupRequest(request) {
        const variant = spec.variants[next++ % spec.variants.length];
        return {
          ...request,
          body: variant.body ?? request.body,
          headers: { ...request.headers, ...variant.headers },
        };
      },
    },
  ];
}

// The runner stops this process by PID; it also ends by itself when the runner's pipe closes.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

const result = await autocannon(options);
process.stdout.write(
  `${JSON.stringify({
    total: result.requests.total,
    duration: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodeStats: result.statusCodeStats,
    latency: result.latency,
  })}\n`,
);
process.exit(0);
