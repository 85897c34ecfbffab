import type { Socket } from 'node:net';
import type { Cluster, Redis } from 'ioredis';
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
 * A standalone or Sentinel client has one socket. A Cluster client has one per node, and which
 * node a command goes to is decided inside ioredis (slot table, redirections), so the window
 * corks the socket of every ready node: uncorking a socket that took no command writes nothing.
 */
export class SocketWriteCoalescer {
  private window: { readonly sockets: readonly Socket[]; commands: number } | undefined;

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
    const sockets = writableSocketsOf(this.client);
    if (sockets.length === 0) return;
    const window = { sockets, commands: 1 };
    this.window = window;
    for (const socket of sockets) socket.cork();
    setImmediate(() => this.flush(window));
  }

  private flush(window: { readonly sockets: readonly Socket[] }): void {
    if (this.window !== window) return;
    this.window = undefined;
    // A socket that closed meanwhile fails its queued commands through ioredis as usual.
    for (const socket of window.sockets) socket.uncork();
  }
}

// A connection that is not ready queues nothing on its socket (the module's clients fail at
// once). `isCluster` rather than instanceof: the client may come from another copy of ioredis.
function writableSocketsOf(client: SessionRedisClient): Socket[] {
  if (client.status !== 'ready') return [];
  const connections = client.isCluster ? (client as Cluster).nodes('all') : [client as Redis];
  const sockets: Socket[] = [];
  for (const connection of connections) {
    const socket = writableSocketOf(connection);
    if (socket !== undefined) sockets.push(socket);
  }
  return sockets;
}

function writableSocketOf(connection: Redis): Socket | undefined {
  if (connection.status !== 'ready') return undefined;
  const socket = connection.stream as Socket | undefined;
  return socket !== undefined && socket.writable ? socket : undefined;
}
