import type { INestApplication } from '@nestjs/common';
import { vi } from 'vitest';
import { PasswordHasher } from '../../src/auth/password-hasher.js';

export interface HeldVerification {
  /** Resolves once the held verification has started (the request is "inside argon2"). */
  entered: Promise<void>;
  /** Lets the verification run on, with its real result. */
  release(): void;
}

/**
 * Holds the app's next password verification until `release()`, so a test can act while a
 * login is between reading the user and creating the session. Restore with
 * `vi.restoreAllMocks()`.
 */
export function holdNextPasswordVerification(app: INestApplication): HeldVerification {
  const hasher = app.get(PasswordHasher);
  const verify = hasher.verify.bind(hasher);
  let signalEntered = (): void => undefined;
  let release = (): void => undefined;
  const entered = new Promise<void>((resolve) => {
    signalEntered = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  vi.spyOn(hasher, 'verify').mockImplementationOnce(async (passwordHash, password) => {
    signalEntered();
    await released;
    return verify(passwordHash, password);
  });
  return { entered, release };
}
