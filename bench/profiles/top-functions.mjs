// Summarises a V8 .cpuprofile (node --cpu-prof) as text: the functions with the most self time,
// optionally per request (pass the request count), and optionally as the difference from a
// baseline profile (`--base other.cpuprofile --base-requests N`). The summaries in this folder
// were made with it; the .cpuprofile files themselves are not kept.
//
//   node bench/profiles/top-functions.mjs app.cpuprofile [--requests N] [--top 30]
//       [--base bare.cpuprofile --base-requests N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string' },
    top: { type: 'string', default: '30' },
    base: { type: 'string' },
    'base-requests': { type: 'string' },
  },
});

function selfTimes(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') return;
    const where = frame.url
      .replace(/^.*node_modules\//, '')
      .replace(/^.*\/(libs|bench)\//, '$1/')
      .replace(/^node:/, '');
    const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    const us = profile.timeDeltas[i] ?? 0;
    times.set(name, (times.get(name) ?? 0) + us);
    busyUs += us;
  });
  return { times, busyUs };
}

const per = (count) => (count ? Number(count) : 1);
const unit = values.requests ? 'us/request' : 'ms';
const scale = (us, count) => (values.requests ? us / per(count) : us / 1000);
const main = selfTimes(positionals[0]);
const base = values.base ? selfTimes(values.base) : null;
const rows = [...new Set([...main.times.keys(), ...(base?.times.keys() ?? [])])].map((name) => {
  const mine = scale(main.times.get(name) ?? 0, values.requests);
  const theirs = base ? scale(base.times.get(name) ?? 0, values['base-requests']) : 0;
  return { name, mine, delta: mine - theirs };
});
rows.sort((a, b) => (base ? b.delta - a.delta : b.mine - a.mine));
console.log(
  `busy (not idle): ${scale(main.busyUs, values.requests).toFixed(1)} ${unit}` +
    (base ? `; baseline ${scale(base.busyUs, values['base-requests']).toFixed(1)} ${unit}` : ''),
);
for (const row of rows.slice(0, Number(values.top))) {
  const share = (
    (100 * scale(main.times.get(row.name) ?? 0, values.requests)) /
    scale(main.busyUs, values.requests)
  ).toFixed(1);
  console.log(
    `${row.mine.toFixed(1).padStart(8)} ${unit}` +
      (base ? ` (${row.delta >= 0 ? '+' : ''}${row.delta.toFixed(1)} vs baseline)` : '') +
      `  ${share.padStart(5)}%  ${row.name}`,
  );
}
