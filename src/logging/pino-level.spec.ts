import { pinoLevelOf } from './pino-level.js';

describe('pinoLevelOf', () => {
  it.each([
    [['verbose', 'debug', 'log', 'warn', 'error', 'fatal'], 'trace'],
    [['debug', 'log', 'warn', 'error', 'fatal'], 'debug'],
    [['log', 'warn', 'error', 'fatal'], 'info'],
    [['warn', 'error', 'fatal'], 'warn'],
    [['fatal'], 'fatal'],
  ] as const)('maps LOG_LEVEL and the levels above it, %j, to %s', (levels, expected) => {
    expect(pinoLevelOf(levels)).toBe(expected);
  });
});
