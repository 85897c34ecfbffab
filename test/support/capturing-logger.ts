import type { LogLevel } from '@nestjs/common';
import type { DestinationStream } from 'pino';

export interface CapturedLine {
  level: LogLevel;
  /** The whole JSON line as the app wrote it: message, context, request, error and stack. */
  text: string;
}

interface RequestFields {
  method: string;
  url: string;
}

// pino's level names, as the app writes them, back to Nest's.
const NEST_LEVEL_OF: Record<string, LogLevel> = {
  trace: 'verbose',
  debug: 'debug',
  info: 'log',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/**
 * A log destination that keeps every line the app writes instead of printing it: Nest's own
 * lines and the request log alike, as the JSON a real log sink would receive (pass it to
 * `createTestApp({ logger })`; `LOG_LEVEL` still applies). A test sees everything, errors with
 * their stack and `cause` included.
 */
export class CapturingLogger implements DestinationStream {
  readonly lines: CapturedLine[] = [];

  write(line: string): void {
    const text = line.trimEnd();
    const { level } = JSON.parse(text) as { level?: string };
    this.lines.push({ level: NEST_LEVEL_OF[level ?? ''] ?? 'log', text });
  }

  /** The parsed JSON of every captured line. */
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line.text) as Record<string, unknown>);
  }

  /** `METHOD /path status` of every request-log line ("request completed" or "errored"). */
  answers(): string[] {
    return this.records().flatMap((record) => {
      const { req, res } = record as { req?: RequestFields; res?: { statusCode: number } };
      return req === undefined || res === undefined
        ? []
        : [`${req.method} ${req.url} ${res.statusCode}`];
    });
  }

  /** Every captured line, one per line of text. */
  text(): string {
    return this.lines.map((line) => `[${line.level}] ${line.text}`).join('\n');
  }
}
