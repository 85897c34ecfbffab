/**
 * The one seam between the library and the HTTP platform: everything the library needs from a
 * request or a response, for Express and Fastify alike.
 */
interface HeaderBag {
  headers: Record<string, string | string[] | undefined>;
}

type HeaderValue = number | string | string[] | undefined;

interface NodeStyleResponse {
  readonly headersSent: boolean;
  getHeader(name: string): HeaderValue;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
}

interface FastifyStyleReply {
  raw: NodeStyleResponse;
  getHeader(name: string): HeaderValue;
  header(name: string, value: string | string[]): unknown;
  removeHeader(name: string): unknown;
}

export type HttpRequestLike = object;
export type HttpResponseLike = object;

export function requestHeader(request: HttpRequestLike, name: string): string | undefined {
  const value = (request as Partial<HeaderBag>).headers?.[name];
  return Array.isArray(value) ? value.join('; ') : value;
}

/** The request a response answers: `res.req` on Express, `reply.request` on Fastify. */
export function requestOfResponse(response: HttpResponseLike): HttpRequestLike | undefined {
  const linked = response as { req?: unknown; request?: unknown };
  const request = linked.req ?? linked.request;
  return typeof request === 'object' && request !== null ? request : undefined;
}

export function appendSetCookie(response: HttpResponseLike, value: string): void {
  if (isFastifyReply(response)) {
    appendFastifySetCookie(response, value);
    return;
  }
  const res = response as NodeStyleResponse;
  res.setHeader('Set-Cookie', [...headerList(res.getHeader('Set-Cookie')), value]);
}

// Fastify sends the reply's Set-Cookie in place of the one on Node's response, where
// Express-style middleware puts its cookies: the reply gets both lists, so none is lost, and
// so does Node's response, which is what a handler that writes to `reply.raw` sends.
function appendFastifySetCookie(reply: FastifyStyleReply, value: string): void {
  const fromNode = headerList(reply.raw.getHeader('set-cookie'));
  // `getHeader` falls back to Node's list when the reply has none of its own.
  const fromReply = headerList(reply.getHeader('set-cookie')).filter(
    (cookie) => !fromNode.includes(cookie),
  );
  const merged = [...fromNode, ...fromReply, value];
  reply.removeHeader('set-cookie');
  reply.header('set-cookie', merged);
  if (!reply.raw.headersSent) reply.raw.setHeader('set-cookie', merged);
}

function headerList(value: HeaderValue): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}

export function setResponseHeader(response: HttpResponseLike, name: string, value: string): void {
  if (isFastifyReply(response)) response.header(name, value);
  else (response as NodeStyleResponse).setHeader(name, value);
}

function isFastifyReply(response: HttpResponseLike): response is FastifyStyleReply {
  return 'raw' in response && typeof (response as FastifyStyleReply).header === 'function';
}
