import { pino, type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { pinoLevelOf } from './pino-level.js';

// Whatever a log line is given, these never reach the sink: the session cookie (request and
// response), credentials in headers, and password fields of a body or of an object a line logs.
const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'password',
  'currentPassword',
  'newPassword',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'req.body.password',
  'req.body.currentPassword',
  'req.body.newPassword',
];

/**
 * pino's error serializer copies every enumerable property, and ioredis puts the failed command
 * on its errors (`command: {name, args}`): the arguments of a session script are key names
 * holding token digests, the CSRF secret and session data. The line keeps type, message, stack
 * and cause, never a command, at any depth of the cause chain.
 */
function serializeError(error: Error): unknown {
  return withoutCommands(pino.stdSerializers.err(error));
}

function withoutCommands(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'command') copy[key] = withoutCommands(field, depth + 1);
  }
  return copy;
}

/**
 * The app's one pino logger: JSON lines (a level name, an ISO time) on stdout, or on
 * `destination` when one is given (tests capture every line there). Nest's lines and the
 * request log both descend from it, so both get the level and the redaction.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: pinoLevelOf(config.logLevels),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    // process.stdout rather than pino's own writer on fd 1: whatever hooks the process's stdout
    // (a test watching what an operator would see, an APM agent) sees these lines too.
    destination ?? process.stdout,
  );
}
