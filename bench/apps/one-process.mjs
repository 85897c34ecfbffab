// The bare, PING and session apps in ONE Node process, each on its own port (three
// `BENCH_READY` lines, in this order): bench/profiles/one-process-latency.mjs compares routes
// without the cost of switching between processes.
await import('./bare.mjs');
await import('./redis-ping.mjs');
await import('./ours.mjs');
