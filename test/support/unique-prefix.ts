import { randomBytes } from 'node:crypto';

/**
 * A key namespace of its own for one test file or test, e.g. `t:login:3f9a0c:`.
 * Braces are replaced because a `{…}` in a prefix would become the hash tag of every key.
 */
export function uniquePrefix(label: string): string {
  const safeLabel = label.replace(/[^A-Za-z0-9_.-]/g, '-');
  return `t:${safeLabel}:${randomBytes(3).toString('hex')}:`;
}
