/** The environment variables the app is configured from. */
export type Env = NodeJS.ProcessEnv;

/** A set variable's trimmed value; an empty or blank variable counts as unset. */
export function readEnvVariable(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}
