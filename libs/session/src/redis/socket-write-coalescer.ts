import type { Socket } from 'node:net';
import type { SessionRedisClient } from './create-redis-client.js';

/**
 * Gathers the commands the store sends during one turn of the event loop into one socket write.
 *
 * Why: ioredis writes each command with a syscall of its own, and Redis wakes once per read of
 * its socket. Under load an app receives several requests per turn of the event loop, and each
 * reads its session: corking the client's socket until the turn ends (setImmediate) sends them
 * together, and Redis reads and answers them together. Unlike ioredis's auto-pipelining, every
 * reply still settles its own command the moment it is parsed, so no read waits for the
 * slowest script of its batch (see create-redis-client.ts).
 *
 * A window closes after `maxBatch` commands as well: Redis runs a batch whole before it answers
 * any of it, so a long batch would leave Node idle while Redis works and Redis idle while Node
 * handles the answers. Small batches keep both busy (bench/profiles/client-read-cost.mjs).
 *
 * Only a standalone or Sentinel client has one socket to cork; on a Cluster every command is
 * written as before.
 */
export class SocketWriteCoalescer {
  private window: { readonly stream: Socket; commands: number } | undefined;

  constructor(
    private readonly client: SessionRedisClient,
    private readonly maxBatch: number,
  ) {}

  /** Call right before the store sends a command. */
  hold(): void {
    const open = this.window;
    if (open !== undefined) {
      if (open.commands < this.maxBatch) {
        open.commands++;
        return;
      }
      this.flush(open);
    }
    const stream = socketOf(this.client);
    if (stream === undefined) return;
    const window = { stream, commands: 1 };
    this.window = window;
    stream.cork();
    setImmediate(() => this.flush(window));
  }

  private flush(window: { readonly stream: Socket }): void {
    if (this.window !== window) return;
    this.window = undefined;
    // A socket that closed meanwhile fails its queued commands through ioredis as usual.
    window.stream.uncork();
  }
}

// ioredis's `stream` is public on a standalone or Sentinel client and absent on a Cluster. A
// client that is not ready queues nothing on its socket (the module's clients fail at once).
function socketOf(client: SessionRedisClient): Socket | undefined {
  if (client.status !== 'ready' || !('stream' in client)) return undefined;
  const stream = client.stream as Socket | undefined;
  return stream !== undefined && stream.writable ? stream : undefined;
}
