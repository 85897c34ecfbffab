import type { User } from './user.js';
import { fromUserRecord, toUserRecord } from './user-record.js';

const user: User = {
  id: '6f1c1c1e-8d0e-4a53-9a57-0f3f4b1f2c3d',
  email: 'ann@example.com',
  passwordHash: '$argon2id$v=19$m=19456,p=1,t=2$c2FsdA$aGFzaA',
  roles: ['user', 'admin'],
  createdAt: new Date('2026-11-24T12:00:00.000Z'),
};

describe('user record', () => {
  it('round-trips a user through its Redis hash fields', () => {
    const record = toUserRecord(user);

    expect(record).toEqual({
      id: user.id,
      email: 'ann@example.com',
      passwordHash: user.passwordHash,
      roles: '["user","admin"]',
      createdAt: '2026-11-24T12:00:00.000Z',
    });
    expect(fromUserRecord(record)).toEqual(user);
  });

  it('reads roles granted by an admin, beyond user and admin', () => {
    const record = { ...toUserRecord(user), roles: '["user","auditor","billing-ops"]' };

    expect(fromUserRecord(record)?.roles).toEqual(['user', 'auditor', 'billing-ops']);
  });

  it('reads a missing hash (HGETALL of an absent key) as no user', () => {
    expect(fromUserRecord({})).toBeNull();
  });

  it.each([
    ['a missing field', { passwordHash: undefined }],
    ['roles that are not JSON', { roles: 'user' }],
    ['roles that are not an array', { roles: '{"0":"user"}' }],
    ['a role that is not a short lowercase identifier', { roles: '["user","Root Admin"]' }],
    ['roles without "user"', { roles: '["admin"]' }],
    ['a bad date', { createdAt: 'yesterday' }],
  ])('reads a record with %s as no user', (_case, change) => {
    const record = { ...toUserRecord(user), ...change } as Record<string, string>;
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete record[key];

    expect(fromUserRecord(record)).toBeNull();
  });
});
