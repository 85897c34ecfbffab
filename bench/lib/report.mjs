// The one markdown table (and the --json document) of a run.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatValue(value, unit) {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'req/s':
    case 'ops/s':
    case 'B':
      return `${integer.format(value)} ${unit}`;
    case 'cmds/req':
      return `${value.toFixed(2)}`;
    case 'ms':
      return `${value < 1 ? value.toFixed(3) : value.toFixed(2)} ms`;
    default:
      return `${value} ${unit}`;
  }
}

function formatRange(row) {
  if (!Number.isFinite(row.min) || row.samples.length < 2) return '–';
  const unitless = (value) => formatValue(value, row.unit).replace(/ (req\/s|ops\/s|B|ms)$/, '');
  return `${unitless(row.min)} – ${unitless(row.max)}`;
}

function formatRatio(row) {
  if (!row.ratio || !Number.isFinite(row.ratio.value)) return '';
  const digits = row.ratio.value < 0.1 ? 4 : 2;
  return `${row.ratio.value.toFixed(digits)}× ${row.ratio.base}`;
}

function escapeCell(text) {
  return String(text ?? '').replaceAll('|', '\\|');
}

export function renderMarkdown({ machine, settings, rows, problems }) {
  const lines = [];
  lines.push(`## nest-redis-session benchmark (${machine.date})`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}; ` +
      `Node ${machine.node}; Redis ${machine.redis ?? 'n/a'}; PostgreSQL ${machine.postgres ?? 'not used'}; ` +
      `load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${machine.loadAverageAtEnd?.join(' ') ?? 'n/a'}.`,
  );
  lines.push(
    `Packages: ${Object.entries(machine.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
  );
  lines.push(
    `Settings: ${settings.mode} run, ${settings.rounds} rounds interleaved, ` +
      `${settings.durationS} s per HTTP/store measurement after ${settings.warmupS} s warm-up per variant, ` +
      `${settings.connections} connections (login: ${settings.loginConnections}), ` +
      `${settings.storeInflight} store reads in flight, ${settings.commandRequests} requests per command count, ` +
      `listing with ${integer.format(settings.listSmallOthers)} and ${integer.format(settings.listLargeOthers)} other sessions, ` +
      `platforms: ${settings.platforms.join(', ')}, UV_THREADPOOL_SIZE of the login app: ${settings.uvThreadpoolSize}. ` +
      `Client (autocannon or the store driver), app and Redis share the same cores.`,
  );
  const busiest = Math.max(machine.loadAverageAtStart[0], machine.loadAverageAtEnd?.[0] ?? 0);
  if (busiest > machine.cores) {
    lines.push('');
    lines.push(
      `⚠ The machine was busy with other work (1-minute load average up to ${busiest} on ${machine.cores} cores): ` +
        'throughput rows are unreliable; rows marked "unstable" had rounds more than 1.5× apart.',
    );
  }
  lines.push('');
  lines.push('| Row | Median | Range (min – max) | Ratio | Notes |');
  lines.push('|---|---:|---:|---:|---|');
  for (const row of rows) {
    if (row.status !== 'ok') {
      lines.push(
        `| ${escapeCell(row.label)} | ${row.status.toUpperCase()} | | | ${escapeCell(row.reason)} |`,
      );
      continue;
    }
    const unstable = row.samples.length > 1 && row.max > 1.5 * row.min ? '⚠ unstable; ' : '';
    lines.push(
      `| ${escapeCell(row.label)} | ${formatValue(row.median, row.unit)} | ${formatRange(row)} | ${escapeCell(formatRatio(row))} | ${unstable}${escapeCell(row.notes)} |`,
    );
  }
  if (problems.length) {
    lines.push('');
    lines.push('Problems:');
    for (const problem of problems) lines.push(`- ${problem}`);
  }
  return lines.join('\n');
}

export function renderJson({ machine, settings, rows, problems }) {
  const clean = (value) => (Number.isFinite(value) ? value : null);
  return JSON.stringify(
    {
      machine,
      settings,
      rows: rows.map((row) => ({
        ...row,
        median: clean(row.median),
        min: clean(row.min),
        max: clean(row.max),
        ratio: row.ratio ? { ...row.ratio, value: clean(row.ratio.value) } : null,
      })),
      problems,
    },
    null,
    2,
  );
}

/** A row that has no measurement: skipped (not applicable here) or failed, with the reason. */
export function skippedRow(id, group, label, reason, unit = '') {
  return {
    id,
    group,
    label,
    unit,
    median: NaN,
    min: NaN,
    max: NaN,
    samples: [],
    ratio: null,
    notes: '',
    status: 'skipped',
    reason,
  };
}

export function failedRow(id, group, label, reason, unit = '') {
  return { ...skippedRow(id, group, label, reason, unit), status: 'failed' };
}
