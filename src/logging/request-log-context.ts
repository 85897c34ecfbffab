import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/**
 * The logger of the request being handled (bound to its request id), so the lines Nest code
 * logs while handling it carry that id. Each request's store is its own app's logger, so one
 * instance serves several apps in a process.
 */
export const requestLogContext = new AsyncLocalStorage<Logger>();
