// One run of bench/load/latency.mjs: the targets in turns on one keep-alive connection each,
// `secondsEach` per target in all (the same requests per target as if each ran alone for that
// long). Resolves { [key]: { p50Ms, p99Ms, meanMs, requests, failed } }.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeJson } from './processes.mjs';

const LATENCY = join(dirname(fileURLToPath(import.meta.url)), '..', 'load', 'latency.mjs');

export function latencyInTurns(targets, secondsEach) {
  const durationS = secondsEach * targets.length;
  return runNodeJson(LATENCY, [JSON.stringify({ targets, durationS })], {
    timeoutMs: (durationS + 30) * 1000,
  });
}
