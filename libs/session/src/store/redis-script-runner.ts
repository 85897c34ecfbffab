import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { SessionRedisClient } from '../redis/create-redis-client.js';
import { isRedisUnavailableError } from '../redis/is-redis-unavailable-error.js';
import type { SessionScript } from './redis-session.scripts.js';

export type ScriptArgs = Array<string | number>;
type ScriptCommand = (...args: ScriptArgs) => Promise<unknown>;

/** Replica acknowledgement asked of durable writes (see the module option). */
export interface ReplicaAcknowledgement {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/**
 * Runs the store's Lua scripts: EVALSHA with a fallback to EVAL (ioredis `defineCommand`), WAIT
 * for replicas in the same round trip when asked, and one error policy for all of them.
 */
export class RedisScriptRunner {
  private readonly commands = new Map<string, ScriptCommand>();

  constructor(
    private readonly client: SessionRedisClient,
    scripts: readonly SessionScript[],
    private readonly acknowledgement: ReplicaAcknowledgement | undefined,
  ) {
    for (const script of scripts) this.commands.set(script.name, this.define(script));
  }

  /**
   * Runs a script; a `durable` one, when replica acknowledgement is on, in one round trip with
   * WAIT. A write the replicas did not confirm is reported as not done (503), never as done.
   */
  async run(script: SessionScript, durable: boolean, args: ScriptArgs): Promise<unknown> {
    const command = this.commands.get(script.name);
    if (!command) throw new Error(`Script ${script.name} was not given to the runner`);
    try {
      if (!durable || this.acknowledgement === undefined) return await command(...args);
      return await this.runWithWait(script.name, args, this.acknowledgement);
    } catch (error) {
      throw unavailableOrBug(error);
    }
  }

  /** A plain command under the same error policy. */
  async call<T>(command: (client: SessionRedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
    } catch (error) {
      throw unavailableOrBug(error);
    }
  }

  private async runWithWait(
    name: string,
    args: ScriptArgs,
    { replicas, timeoutMs }: ReplicaAcknowledgement,
  ): Promise<unknown> {
    // Queuing on a pipeline returns the pipeline, not a promise; exec() sends both at once.
    const pipeline = this.client.pipeline() as unknown as Record<
      string,
      (...args: ScriptArgs) => unknown
    > & {
      wait(replicas: number, timeoutMs: number): unknown;
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    pipeline[name]!.apply(pipeline, args);
    pipeline.wait(replicas, timeoutMs);
    const [script, wait] = (await pipeline.exec()) ?? [];
    if (!script || script[0]) throw script?.[0] ?? new Error('pipeline returned nothing');
    if (!wait || wait[0]) throw wait?.[0] ?? new Error('WAIT returned nothing');
    if (Number(wait[1]) < replicas) {
      // Not acknowledged means not done: the caller must answer 503, never success.
      const shortfall = `WAIT: ${String(wait[1])} of ${replicas} replicas acknowledged within ${timeoutMs} ms`;
      throw new SessionStoreUnavailableError({ cause: new Error(shortfall) });
    }
    return script[1];
  }

  // defineCommand sends EVALSHA and falls back to EVAL once per node when the script is unknown.
  private define(script: SessionScript): ScriptCommand {
    const client = this.client as unknown as Record<string, ScriptCommand | undefined>;
    if (typeof client[script.name] !== 'function') {
      this.client.defineCommand(script.name, {
        numberOfKeys: script.numberOfKeys,
        lua: script.lua,
      });
    }
    const command = client[script.name] as ScriptCommand;
    return (...args) => command.apply(this.client, args);
  }
}

/**
 * Connection, timeout and failover errors become SessionStoreUnavailableError (503, retry);
 * anything else (a CROSSSLOT, a script error) is a bug and is rethrown as is, to be seen and
 * fixed rather than retried forever.
 */
function unavailableOrBug(error: unknown): unknown {
  if (error instanceof SessionStoreUnavailableError) return error;
  return isRedisUnavailableError(error)
    ? new SessionStoreUnavailableError({ cause: error })
    : error;
}
