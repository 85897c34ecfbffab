import type { LogLevel } from '@nestjs/common';
import type { Level } from 'pino';

/** Nest's level names and pino's, one for one (`verbose` is pino's `trace`, `log` its `info`). */
export const PINO_LEVEL_OF: Record<LogLevel, Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

const LEAST_TO_MOST_SEVERE: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The pino level that lets through exactly `logLevels` (`LOG_LEVEL` and everything above). */
export function pinoLevelOf(logLevels: readonly LogLevel[]): Level {
  const enabled = new Set(logLevels.map((level) => PINO_LEVEL_OF[level]));
  return LEAST_TO_MOST_SEVERE.find((level) => enabled.has(level)) ?? 'fatal';
}
