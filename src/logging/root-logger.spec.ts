import { Writable } from 'node:stream';
import { loadAppConfig } from '../config/load-app-config.js';
import { createRootLogger } from './root-logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const config = loadAppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'verbose' });
  return { lines, logger: createRootLogger(config, destination) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createRootLogger', () => {
  it('logs an error without the Redis command ioredis attached to it, at any depth', async () => {
    const { lines, logger } = capture();
    const cause = Object.assign(new Error('WRONGTYPE'), {
      command: { name: 'evalsha', args: ['sess:{a1}:s:digest-in-a-key', 'csrf-secret-value'] },
    });
    const error = Object.assign(new Error('script failed', { cause }), {
      command: { name: 'hset', args: ['session-data-value'] },
    });

    logger.error({ err: error }, 'unexpected');
    await flush();

    const [line] = lines;
    expect(line).toContain('script failed');
    expect(line).toContain('WRONGTYPE');
    for (const secret of ['digest-in-a-key', 'csrf-secret-value', 'session-data-value']) {
      expect(line).not.toContain(secret);
    }
  });

  it('redacts password fields at the top level and one level down', async () => {
    const { lines, logger } = capture();

    logger.info({ password: 'p1', body: { newPassword: 'p2', currentPassword: 'p3' } }, 'x');
    await flush();

    for (const secret of ['p1', 'p2', 'p3']) expect(lines[0]).not.toContain(`"${secret}"`);
    expect(lines[0]).toContain('[redacted]');
  });
});
