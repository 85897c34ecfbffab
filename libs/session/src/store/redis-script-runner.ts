import { createHash } from 'node:crypto';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { SessionRedisClient } from '../redis/create-redis-client.js';
import { isRedisUnavailableError } from '../redis/is-redis-unavailable-error.js';
import type { SocketWriteCoalescer } from '../redis/socket-write-coalescer.js';
import type { SessionScript } from './redis-session.scripts.js';

export type ScriptArgs = Array<string | number>;

/** Replica acknowledgement asked of durable writes (see the module option). */
export interface ReplicaAcknowledgement {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/**
 * The cause of a SessionStoreUnavailableError when the primary applied a durable write but too
 * few replicas confirmed it in time: unlike a lost connection, the write did happen there.
 */
export class ReplicaShortfallError extends Error {
  override readonly name = 'ReplicaShortfallError';
}

/** The primary ran the write; the replicas did not confirm it (see ReplicaShortfallError). */
export function isReplicaShortfall(error: unknown): boolean {
  return (
    error instanceof SessionStoreUnavailableError && error.cause instanceof ReplicaShortfallError
  );
}

/** A script with its SHA1, as EVALSHA names it. */
interface LoadedScript {
  readonly sha: string;
  readonly lua: string;
  readonly numberOfKeys: number | undefined;
}

type ScriptCommandName = 'evalsha' | 'eval';

/** EVALSHA and EVAL with the key count first among `args`, on a client or a pipeline. */
type ScriptCommands<R> = Record<ScriptCommandName, (body: string, ...args: ScriptArgs) => R>;

interface ScriptPipeline extends ScriptCommands<unknown> {
  wait(replicas: number, timeoutMs: number): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/**
 * Runs the store's Lua scripts: EVALSHA, with EVAL when the node does not know the script yet,
 * WAIT for replicas in the same round trip when asked, and one error policy for all of them.
 *
 * Plain EVALSHA rather than ioredis `defineCommand`: a defined command decides per socket
 * whether to send the whole script, and an auto-pipelined batch is a socket of its own to it,
 * so with `enableAutoPipelining` every batch sent the full Lua source as an EVAL. It also leaves
 * the application's client without commands of ours on it.
 */
export class RedisScriptRunner {
  private readonly loaded = new Map<string, LoadedScript>();
  private readonly scriptCommands: ScriptCommands<Promise<unknown>>;

  constructor(
    private readonly client: SessionRedisClient,
    scripts: readonly SessionScript[],
    private readonly acknowledgement: ReplicaAcknowledgement | undefined,
    private readonly coalescer?: SocketWriteCoalescer,
  ) {
    // ioredis' own signatures, seen through the two commands this runner sends.
    this.scriptCommands = client;
    for (const script of scripts) this.load(script);
  }

  /**
   * Runs a script; a `durable` one, when replica acknowledgement is on, in one round trip with
   * WAIT. A write the replicas did not confirm is reported as not done (503), never as done.
   */
  async run(script: SessionScript, durable: boolean, args: ScriptArgs): Promise<unknown> {
    const loaded = this.loaded.get(script.name) ?? this.load(script);
    const evalArgs = loaded.numberOfKeys === undefined ? args : [loaded.numberOfKeys, ...args];
    this.coalescer?.hold();
    try {
      const acknowledgement = durable ? this.acknowledgement : undefined;
      return await this.bySha(loaded, (command, body) =>
        acknowledgement === undefined
          ? this.scriptCommands[command](body, ...evalArgs)
          : this.pipelineWithWait((p) => p[command](body, ...evalArgs), acknowledgement),
      );
    } catch (error) {
      throw unavailableOrBug(error);
    } finally {
      this.coalescer?.settled();
    }
  }

  // Scripts built after construction (the store's read script) are hashed on first use.
  private load({ name, lua, numberOfKeys }: SessionScript): LoadedScript {
    const loaded = { sha: createHash('sha1').update(lua).digest('hex'), lua, numberOfKeys };
    this.loaded.set(name, loaded);
    return loaded;
  }

  /** A plain command under the same error policy. */
  async call<T>(command: (client: SessionRedisClient) => Promise<T>): Promise<T> {
    this.coalescer?.hold();
    try {
      return await command(this.client);
    } catch (error) {
      throw unavailableOrBug(error);
    } finally {
      this.coalescer?.settled();
    }
  }

  // EVALSHA, or EVAL when the node does not know the script (new, restarted, promoted from a
  // replica, or SCRIPT FLUSH): EVAL runs it and caches it there for the next EVALSHA.
  private async bySha(
    script: LoadedScript,
    send: (command: ScriptCommandName, body: string) => Promise<unknown>,
  ): Promise<unknown> {
    try {
      return await send('evalsha', script.sha);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return await send('eval', script.lua);
    }
  }

  private async pipelineWithWait(
    queueScript: (pipeline: ScriptPipeline) => unknown,
    { replicas, timeoutMs }: ReplicaAcknowledgement,
  ): Promise<unknown> {
    // Queuing on a pipeline returns the pipeline, not a promise; exec() sends both at once.
    const pipeline = this.client.pipeline() as unknown as ScriptPipeline;
    queueScript(pipeline);
    pipeline.wait(replicas, timeoutMs);
    const [script, wait] = (await pipeline.exec()) ?? [];
    if (!script || script[0]) throw script?.[0] ?? new Error('pipeline returned nothing');
    if (!wait || wait[0]) throw wait?.[0] ?? new Error('WAIT returned nothing');
    if (Number(wait[1]) < replicas) {
      // Not acknowledged means not done: the caller must answer 503, never success.
      const shortfall = `WAIT: ${String(wait[1])} of ${replicas} replicas acknowledged within ${timeoutMs} ms`;
      throw new SessionStoreUnavailableError({ cause: new ReplicaShortfallError(shortfall) });
    }
    return script[1];
  }
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
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
