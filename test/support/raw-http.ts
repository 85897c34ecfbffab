import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header lines as received, lower-cased names. */
  headers: Array<[string, string]>;
  /** Everything after the blank line. */
  body: string;
  /** The whole response, for "is this text anywhere" checks. */
  raw: string;
}

/**
 * Sends bytes exactly as given to 127.0.0.1:`port` and reads the response until the server
 * closes the connection (send `Connection: close`). For requests Node's own HTTP client refuses
 * to send: raw non-UTF-8 bytes, bare CR or LF in a header, obsolete line folding.
 */
export function rawRequest(port: number, request: Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    // Written, not ended: Node's server drops a half-closed connection before answering.
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      const head = headEnd === -1 ? raw : raw.slice(0, headEnd);
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
      const headers = headerLines.map((line): [string, string] => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      });
      resolve({ status, headers, body: headEnd === -1 ? '' : raw.slice(headEnd + 4), raw });
    });
  });
}

/** A request head from lines (joined with CRLF, ended with a blank line) plus an optional body. */
export function httpRequestBytes(lines: Array<string | Buffer>, body: Buffer = Buffer.alloc(0)) {
  const parts: Buffer[] = [];
  for (const line of lines) {
    parts.push(typeof line === 'string' ? Buffer.from(line, 'latin1') : line, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('\r\n'), body);
  return Buffer.concat(parts);
}
