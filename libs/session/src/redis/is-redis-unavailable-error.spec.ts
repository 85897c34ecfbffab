import { isRedisUnavailableError } from './is-redis-unavailable-error.js';

function errorWithCode(code: string, message = `connect ${code} 127.0.0.1:7000`): Error {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });
}

describe('isRedisUnavailableError', () => {
  // Messages as ioredis 6 spells them (node_modules/ioredis/built), not just the matched fragment.
  it.each([
    ['Command timed out'],
    [
      'Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.',
    ],
    ['Connection is closed.'],
    ["Stream isn't writeable and enableOfflineQueue options is false"],
    ['Too many Cluster redirections. Last error: Error: MOVED 3999 127.0.0.1:6381'],
    ["Socket timeout. Expecting data, but didn't receive any in 5000ms."],
    ["Cluster isn't ready and enableOfflineQueue options is false"],
    ['None of startup nodes is available'],
  ])('is true for the ioredis message %j', (message) => {
    expect(isRedisUnavailableError(new Error(message))).toBe(true);
  });

  it.each([
    ['CLUSTERDOWN The cluster is down'],
    ['TRYAGAIN Multiple keys request during rehashing of slot'],
    ['LOADING Redis is loading the dataset in memory'],
    ["READONLY You can't write against a read only replica."],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no'],
    ['NOREPLICAS Not enough good replicas to write.'],
  ])('is true for the Redis reply %j', (message) => {
    expect(isRedisUnavailableError(new Error(message))).toBe(true);
  });

  it.each([
    ['ECONNREFUSED'],
    ['ECONNRESET'],
    ['ETIMEDOUT'],
    ['EPIPE'],
    ['EHOSTUNREACH'],
    ['ENOTFOUND'],
  ])('is true for a socket error with code %s', (code) => {
    expect(isRedisUnavailableError(errorWithCode(code))).toBe(true);
  });

  it('is true for the code alone, whatever the message', () => {
    expect(isRedisUnavailableError(errorWithCode('ECONNREFUSED', 'something else'))).toBe(true);
  });

  it('is true for a subclass of Error', () => {
    class ReplyLikeError extends Error {}
    expect(isRedisUnavailableError(new ReplyLikeError('LOADING Redis is loading'))).toBe(true);
  });

  it.each([
    ["ERR wrong number of arguments for 'hset' command"],
    ['WRONGTYPE Operation against a key holding the wrong kind of value'],
    ['NOSCRIPT No matching script. Please use EVAL.'],
    ['ERR Error running script: user_script:1: Script attempted to access a non local key'],
    ["CROSSSLOT Keys in request don't hash to the same slot"],
    [''],
  ])('is false for the command error %j', (message) => {
    expect(isRedisUnavailableError(new Error(message))).toBe(false);
  });

  it('is false when a reply prefix appears only later in the message', () => {
    expect(isRedisUnavailableError(new Error('ERR unknown command CLUSTERDOWN'))).toBe(false);
  });

  it('is false for an unrelated error code', () => {
    expect(isRedisUnavailableError(errorWithCode('EACCES', 'permission denied'))).toBe(false);
  });

  it('is false for a non-string code', () => {
    expect(isRedisUnavailableError(Object.assign(new Error('boom'), { code: 111 }))).toBe(false);
  });

  it.each([
    ['a string with a matching message', 'Command timed out'],
    ['an error-shaped plain object', { message: 'Connection is closed.', code: 'ECONNREFUSED' }],
    ['null', null],
    ['undefined', undefined],
    ['a number', 503],
  ])('is false for %s (not an Error)', (_label, value) => {
    expect(isRedisUnavailableError(value)).toBe(false);
  });
});
