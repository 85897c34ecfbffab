/**
 * A duration handed to a store or written into a script, checked before anything is written or
 * built: Redis refuses a fraction in PEXPIRE only halfway through a script, after the rotation it
 * belongs to was applied, and only plain digits may reach Lua source.
 */
export function wholeMilliseconds(name: string, value: number | undefined): number {
  const ms = value ?? 0;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`${name} must be a whole number of ms >= 0, not ${value}`);
  }
  return ms;
}
