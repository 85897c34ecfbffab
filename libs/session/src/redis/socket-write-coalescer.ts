import type { Socket } from 'node:net';
import type { Cluster, Redis } from 'ioredis';
import type { SessionRedisClient } from './create-redis-client.js';

interface WriteWindow {
  /** The sockets corked for the batch being gathered; none while nothing is held. */
  sockets: readonly Socket[];
  /** Commands in that batch, counting the one about to be sent. */
  batched: number;
}

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
 * Only when there is company: a command sent while none of the store's others awaits its reply
 * (an app serving one request at a time) is written at once, and the window corks from the
 * turn's second command. Holding a lone command until the turn ends gathers nothing and only
 * delays it: at one connection that cost Express 15-20 us per read (BENCHMARKS.md). Replies
 * still outstanding mean load, and a turn that will likely bring more.
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
  private window: WriteWindow | undefined;
  private awaitingReply = 0;

  constructor(
    private readonly client: SessionRedisClient,
    private readonly maxBatch: number,
  ) {}

  /** Call right before the store sends a command, and `settled()` once it has its answer. */
  hold(): void {
    const open = this.window;
    const quiet = this.awaitingReply++ === 0;
    if (open === undefined) {
      const window: WriteWindow = { sockets: [], batched: 0 };
      this.window = window;
      setImmediate(() => this.close(window));
      if (!quiet) this.startBatch(window);
      return;
    }
    // The turn's first command went out alone, or the batch is full: start another.
    if (open.sockets.length === 0 || open.batched >= this.maxBatch) this.startBatch(open);
    else open.batched++;
  }

  settled(): void {
    this.awaitingReply--;
  }

  private startBatch(window: WriteWindow): void {
    this.send(window);
    window.sockets = writableSocketsOf(this.client);
    window.batched = window.sockets.length === 0 ? 0 : 1;
    for (const socket of window.sockets) socket.cork();
  }

  private send(window: WriteWindow): void {
    // A socket that closed meanwhile fails its queued commands through ioredis as usual.
    for (const socket of window.sockets) socket.uncork();
    window.sockets = [];
  }

  private close(window: WriteWindow): void {
    this.window = undefined;
    this.send(window);
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
