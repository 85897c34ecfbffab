import { pino } from 'pino';
import { AppLogger } from './app-logger.js';
import { requestLogContext } from './request-log-context.js';

function capture(level: pino.Level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const root = pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { root, lines, logger: new AppLogger(root) };
}

describe('AppLogger', () => {
  it("writes Nest's (message, context) as msg and context, at pino's level of the same rank", () => {
    const { logger, lines } = capture();

    logger.log('Listening', 'Bootstrap');
    logger.verbose('detail', 'RouterExplorer');

    expect(lines).toMatchObject([
      { level: 'info', msg: 'Listening', context: 'Bootstrap' },
      { level: 'trace', msg: 'detail', context: 'RouterExplorer' },
    ]);
  });

  it('keeps an error with its stack and cause, and a stack passed as (message, stack, context)', () => {
    const { logger, lines } = capture();

    logger.error(new Error('boom', { cause: new Error('root cause') }), 'ExceptionsHandler');
    logger.error('failed', 'Error: failed\n    at somewhere', 'SessionModule');

    expect(lines[0]).toMatchObject({
      level: 'error',
      msg: 'boom',
      context: 'ExceptionsHandler',
      err: { message: 'boom: root cause', stack: expect.stringContaining('root cause') as unknown },
    });
    expect(lines[1]).toMatchObject({
      msg: 'failed',
      context: 'SessionModule',
      stack: 'Error: failed\n    at somewhere',
    });
  });

  it('writes nothing below the root level', () => {
    const { logger, lines } = capture('warn');

    logger.log('routine');
    logger.debug('noise');
    logger.warn('odd');

    expect(lines.map((line) => line['msg'])).toEqual(['odd']);
  });

  it("uses the current request's logger, so the line carries its id", () => {
    const { root, logger, lines } = capture();

    requestLogContext.run(root.child({ reqId: 'abc' }), () => logger.warn('slow', 'Store'));
    logger.warn('outside');

    expect(lines).toMatchObject([{ reqId: 'abc', msg: 'slow' }, { msg: 'outside' }]);
    expect(lines[1]).not.toHaveProperty('reqId');
  });
});
