/**
 * A duration handed to a store, checked before anything is written: Redis refuses a fraction in
 * PEXPIRE only halfway through a script, after the rotation it belongs to was applied.
 */
export function wholeMilliseconds(name: string, value: number | undefined): number {
  const ms = value ?? 0;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`${name} must be a whole number of milliseconds >= 0, not ${value}`);
  }
  return ms;
}
