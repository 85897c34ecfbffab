import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LEVEL_OF } from './pino-level.js';
import { requestLogContext } from './request-log-context.js';

/**
 * Nest's `LoggerService` on pino: Bootstrap lines, exceptions and every `new Logger(context)`
 * become JSON lines of the app's root logger, or of the current request's logger (with its
 * `reqId`) when logged while handling one.
 *
 * Written here rather than taken from nestjs-pino, whose logger is one per process (its root is
 * a module-level singleton, built by the first app): several apps in one process, as in the
 * tests, would all log with the first one's level and into the first one's destination.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const logger = requestLogContext.getStore() ?? this.root;
    const pinoLevel = PINO_LEVEL_OF[level];
    if (!logger.isLevelEnabled(pinoLevel)) return;
    const fields: Record<string, unknown> = {};
    // Nest's `Logger` passes its context last; `error(message, stack, context)` puts a stack
    // before it.
    const rest = [...params];
    if (rest.length > 0 && typeof rest.at(-1) === 'string') fields['context'] = rest.pop();
    for (const param of rest) addField(fields, param);
    if (message instanceof Error) {
      fields['err'] = message;
      logger[pinoLevel](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[pinoLevel]({ ...fields, ...message });
    } else {
      logger[pinoLevel](fields, String(message));
    }
  }
}

function addField(fields: Record<string, unknown>, param: unknown): void {
  if (param instanceof Error) fields['err'] = param;
  else if (typeof param === 'string') fields['stack'] = param;
  else if (typeof param === 'object' && param !== null) Object.assign(fields, param);
  else if (param !== undefined) fields['detail'] = param;
}
