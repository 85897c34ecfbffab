import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Redis } from 'ioredis';
import { pollUntil } from './poll-until.js';

/** A command as MONITOR reports it: its sender (`ip:port`, or `lua` in a script) and its words. */
export interface MonitoredCommand {
  readonly source: string;
  readonly args: string[];
}

export interface RedisMonitor {
  /** Every command the server ran since MONITOR answered, in the server's order. */
  readonly commands: readonly MonitoredCommand[];
  /**
   * Resolves once every command `client` sent before the call is in `commands`: sends a unique
   * ECHO through it and waits for the monitor to report that.
   */
  catchUp(client: Redis): Promise<void>;
  /** Closes the socket; throws if a line could not be parsed (thrown then, not as uncaught). */
  stop(): void;
}

/**
 * Starts MONITOR on a socket of its own and resolves once the server has confirmed it.
 *
 * Not ioredis's `monitor()`: it enters monitoring mode a microtask after MONITOR's `OK`, so a
 * line that arrives in the same packet as the `OK` (likely when other clients are busy) lands
 * on its empty command queue and is thrown as an uncaught "Command queue state error".
 */
export function startRedisMonitor(redisUrl: string): Promise<RedisMonitor> {
  const { hostname, port } = new URL(redisUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  const commands: MonitoredCommand[] = [];
  let pending = '';
  let confirmed = false;
  let unparsed: Error | undefined;
  const stop = (): void => {
    socket.destroy();
    if (unparsed !== undefined) throw unparsed;
  };
  const catchUp = async (client: Redis): Promise<void> => {
    const marker = `monitor-catch-up-${randomUUID()}`;
    await client.echo(marker);
    const seen = (c: MonitoredCommand) =>
      c.args[0]?.toLowerCase() === 'echo' && c.args[1] === marker;
    await pollUntil(() => Promise.resolve(commands.some(seen)), {
      deadlineMs: 5000,
      intervalMs: 5,
    });
  };

  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (!confirmed) {
          if (line !== '+OK') return fail(new Error(`MONITOR answered ${line}`));
          confirmed = true;
          socket.off('error', fail);
          socket.on('error', () => undefined); // stop() may race the server's close
          resolve({ commands, catchUp, stop });
          continue;
        }
        try {
          commands.push(parseMonitorLine(line));
        } catch (error) {
          unparsed ??= error as Error;
        }
      }
    });
    socket.write('MONITOR\r\n');
  });
}

/** The `ip:port` MONITOR names as the source of `client`'s commands. */
export async function clientAddress(client: Redis): Promise<string> {
  const address = /\baddr=(\S+)/.exec(String(await client.call('CLIENT', 'INFO')))?.[1];
  if (address === undefined) throw new Error('CLIENT INFO named no addr');
  return address;
}

const ESCAPES: Readonly<Record<string, number>> = {
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  a: 0x07,
  b: 0x08,
};

/**
 * Parses `+<time> [<db> <source>] "word" "word"…`, whose words Redis quotes the way
 * `sdscatrepr` does: backslash escapes and `\xHH` for other unprintable bytes.
 */
export function parseMonitorLine(line: string): MonitoredCommand {
  const open = line.indexOf('[');
  const close = line.indexOf('] ', open);
  if (!line.startsWith('+') || open < 0 || close < 0) {
    throw new Error(`not a MONITOR line: ${line}`);
  }
  const source = line.slice(open + 1, close).split(' ')[1] ?? '';
  const args: string[] = [];
  let i = close + 2;
  while (i < line.length) {
    if (line[i] !== '"') throw new Error(`unquoted word at ${i} in MONITOR line: ${line}`);
    const bytes: number[] = [];
    for (i++; line[i] !== '"'; i++) {
      if (i >= line.length) throw new Error(`unterminated word in MONITOR line: ${line}`);
      if (line[i] !== '\\') {
        bytes.push(line.charCodeAt(i));
      } else if (line[i + 1] === 'x') {
        bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
        i += 3;
      } else {
        const escaped = line[i + 1]!;
        bytes.push(ESCAPES[escaped] ?? escaped.charCodeAt(0));
        i++;
      }
    }
    // Redis escapes every byte outside printable ASCII, so the bytes are the word's own.
    args.push(Buffer.from(bytes).toString('utf8'));
    i += 2; // the closing quote and the space before the next word
  }
  return { source, args };
}
