/** Thrown at start when environment variables are wrong; lists every problem at once. */
export class InvalidAppConfigError extends Error {
  override readonly name = 'InvalidAppConfigError';

  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
}
