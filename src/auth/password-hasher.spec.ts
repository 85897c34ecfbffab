import { argon2i, hash } from 'argon2';
import { ARGON2_PARAMETERS, PasswordHasher } from './password-hasher.js';

/** The parameters encoded in a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`. */
function encodedParameters(encoded: string): { algorithm: string; params: Record<string, number> } {
  const [, algorithm = '', , params = ''] = encoded.split('$');
  const entries = params.split(',').map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    return [key, Number(value)] as const;
  });
  return { algorithm, params: Object.fromEntries(entries) };
}

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  beforeAll(async () => {
    await hasher.onModuleInit();
  });

  it('hashes with argon2id at or above OWASP minimum parameters', async () => {
    const { algorithm, params } = encodedParameters(await hasher.hash('correct horse battery'));
    expect(algorithm).toBe('argon2id');
    expect(params.m).toBeGreaterThanOrEqual(19_456);
    expect(params.t).toBeGreaterThanOrEqual(2);
    expect(params.p).toBe(1);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const passwordHash = await hasher.hash('correct horse battery');
    expect(await hasher.verify(passwordHash, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(passwordHash, 'correct horse battery ')).toBe(false);
  });

  it('answers false, not an error, for a hash argon2 cannot read', async () => {
    expect(await hasher.verify('not-a-hash', 'whatever1')).toBe(false);
  });

  it('spends a verification on unknown users and refuses them', async () => {
    expect(await hasher.verifyNothing('any password')).toBe(false);
  });

  it('needs no rehash for its own hashes', async () => {
    expect(hasher.needsRehash(await hasher.hash('correct horse battery'))).toBe(false);
  });

  it('asks to rehash weaker parameters and other argon2 variants', async () => {
    const weaker = await hash('pw', { ...ARGON2_PARAMETERS, memoryCost: 8192, timeCost: 1 });
    const argon2iHash = await hash('pw', { ...ARGON2_PARAMETERS, type: argon2i });
    expect(hasher.needsRehash(weaker)).toBe(true);
    expect(hasher.needsRehash(argon2iHash)).toBe(true);
  });
});
