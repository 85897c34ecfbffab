import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { argon2id, hash, needsRehash, verify } from 'argon2';

/**
 * argon2id at OWASP's minimum (Password Storage Cheat Sheet: 19 MiB, 2 iterations, 1 lane).
 * Raising any value makes `needsRehash` true for older hashes, which are then upgraded at the
 * user's next successful login.
 */
export const ARGON2_PARAMETERS = {
  type: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

const ARGON2ID_PREFIX = '$argon2id$';

/** Hashes and verifies passwords with argon2id. */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash = '';

  async onModuleInit(): Promise<void> {
    // Verifying against this hash when an email is unknown makes that answer cost as much time
    // as a wrong password, so response times do not reveal which emails are registered.
    this.dummyHash = await this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_PARAMETERS);
  }

  /** `false` for a wrong password and for a hash argon2 cannot read. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends one verification's time and returns `false`: used when there is no user. */
  async verifyNothing(password: string): Promise<false> {
    await this.verify(this.dummyHash, password);
    return false;
  }

  needsRehash(passwordHash: string): boolean {
    const { memoryCost, timeCost, parallelism } = ARGON2_PARAMETERS;
    return (
      !passwordHash.startsWith(ARGON2ID_PREFIX) ||
      needsRehash(passwordHash, { memoryCost, timeCost, parallelism })
    );
  }
}
