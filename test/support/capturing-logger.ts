import type { LoggerService, LogLevel } from '@nestjs/common';
import { inspect } from 'node:util';

export interface CapturedLine {
  level: LogLevel;
  /** The message and every extra parameter (context, stack, error objects with their causes). */
  text: string;
}

/**
 * A Nest logger that keeps every line at every level, `verbose` included, instead of printing
 * it. Objects (errors with their stack and `cause` chain) are rendered with `util.inspect`, so
 * a test sees everything a real log sink would.
 */
export class CapturingLogger implements LoggerService {
  readonly lines: CapturedLine[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.capture('log', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.capture('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.capture('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.capture('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.capture('verbose', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.capture('fatal', message, rest);
  }

  /** Every captured line, one per line of text. */
  text(): string {
    return this.lines.map((line) => `[${line.level}] ${line.text}`).join('\n');
  }

  private capture(level: LogLevel, message: unknown, rest: unknown[]): void {
    const text = [message, ...rest]
      .map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 8 })))
      .join(' ');
    this.lines.push({ level, text });
  }
}
