// Rows "added latency at one connection": the bare route and our read route, each driven on
// one keep-alive connection by one client that sends to the apps in turns, 100 requests each
// (bench/load/latency.mjs), so both are sampled over the same seconds. The added latency is our
// p50 minus the bare route's, per round, then the median over the rounds: what the session
// layer adds to a request when nothing else queues.
import { latencyInTurns } from './latency-in-turns.mjs';
import { failedRow } from './report.mjs';
import { summarize } from './stats.mjs';

const REFERENCES = [
  { id: 'redis-ping', what: 'one Redis PING' },
  { id: 'bare-interceptor', what: 'a no-op global interceptor' },
  // Run with --variants ...,ours-public,ours-guard: how the added latency splits between the
  // session app's own setup, the guard's read and @CurrentSession().
  { id: 'ours-public', what: 'a @Public() route of the session app' },
  { id: 'ours-guard', what: 'the guard without @CurrentSession()' },
  // With --variants ...,ours-read-immediate: what coalesced socket writes cost or save when
  // nothing else shares the turn.
  { id: 'ours-read-immediate', what: "the read with socketWrites 'immediate'" },
];

// One round: every instance in turns for `durationS` each. Returns a Map instance -> its summary.
async function measureInTurns(instances, durationS) {
  const targets = instances.map((instance) => {
    const { url, method, headers, body } = instance.request;
    return { key: instance.key, url, method, headers, body };
  });
  const byKey = await latencyInTurns(targets, durationS);
  return new Map(instances.map((instance) => [instance, byKey[instance.key]]));
}

export async function oneConnectionLatency(instances, options, log) {
  const rows = [];
  for (const platform of options.platforms) {
    const find = (id) => instances.find((i) => i.platform === platform && i.variant.id === id);
    const bare = find('bare');
    const ours = find('ours-read');
    // For scale, when they run: what one Redis round trip (PING) and Nest's interceptor chain
    // alone add on the same path.
    const references = REFERENCES.map((reference) => ({
      ...reference,
      instance: find(reference.id),
    }))
      .filter(({ instance }) => instance?.app && !instance.failure)
      .map((reference) => ({ ...reference, added: [] }));
    const id = `latency.${platform}`;
    const label = `${platform}: added p50 latency at 1 connection, ours read over bare`;
    const broken = [bare, ours].find((i) => !i?.app || i.failure);
    if (broken !== undefined) {
      rows.push(failedRow(id, 'latency', label, broken?.failure ?? 'app not started', 'ms'));
      continue;
    }
    const added = [];
    const p50s = { bare: [], ours: [] };
    const p99s = { bare: [], ours: [] };
    try {
      for (let round = 0; round < options.rounds; round++) {
        const measured = [bare, ours, ...references.map((r) => r.instance)];
        const keys = measured.map((i) => i.key).join(', ');
        log(`round ${round + 1}/${options.rounds}: ${keys} in turns at 1 connection`);
        const result = await measureInTurns(measured, options.durationS);
        const b = result.get(bare);
        const o = result.get(ours);
        if (b.failed || o.failed)
          throw new Error(`failed requests: bare ${b.failed}, ours ${o.failed}`);
        added.push(o.p50Ms - b.p50Ms);
        for (const r of references) r.added.push(result.get(r.instance).p50Ms - b.p50Ms);
        p50s.bare.push(b.p50Ms);
        p50s.ours.push(o.p50Ms);
        p99s.bare.push(b.p99Ms);
        p99s.ours.push(o.p99Ms);
      }
    } catch (error) {
      rows.push(failedRow(id, 'latency', label, error.message.split('\n')[0], 'ms'));
      continue;
    }
    const ms = (values) => summarize(values).median.toFixed(3);
    rows.push({
      id,
      group: 'latency',
      label,
      unit: 'ms',
      ...summarize(added),
      ratio: null,
      notes:
        `p50 bare ${ms(p50s.bare)} ms, ours ${ms(p50s.ours)} ms; p99 bare ${ms(p99s.bare)} ms, ` +
        `ours ${ms(p99s.ours)} ms; ` +
        references.map((r) => `${r.what} adds ${ms(r.added)} ms; `).join('') +
        `sequential requests, one keep-alive connection per app, the apps in turns of 100 ` +
        `requests, ${options.durationS} s per variant and round, timed to the microsecond`,
      status: 'ok',
    });
  }
  return rows;
}
