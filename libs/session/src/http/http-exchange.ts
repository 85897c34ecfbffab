/**
 * The one seam between the library and the HTTP platform: everything the library needs from a
 * request or a response, for Express and Fastify alike.
 */
interface HeaderBag {
  headers: Record<string, string | string[] | undefined>;
}

interface NodeStyleResponse {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
}

interface FastifyStyleReply {
  raw: unknown;
  header(name: string, value: string): unknown;
}

export type HttpRequestLike = object;
export type HttpResponseLike = object;

export function requestHeader(request: HttpRequestLike, name: string): string | undefined {
  const value = (request as Partial<HeaderBag>).headers?.[name];
  return Array.isArray(value) ? value.join('; ') : value;
}

export function appendSetCookie(response: HttpResponseLike, value: string): void {
  if (isFastifyReply(response)) {
    // Fastify keeps every set-cookie header it is given instead of replacing the last one.
    response.header('set-cookie', value);
    return;
  }
  const res = response as NodeStyleResponse;
  const existing = res.getHeader('Set-Cookie');
  const list =
    existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...list, value]);
}

export function setResponseHeader(response: HttpResponseLike, name: string, value: string): void {
  if (isFastifyReply(response)) response.header(name, value);
  else (response as NodeStyleResponse).setHeader(name, value);
}

function isFastifyReply(response: HttpResponseLike): response is FastifyStyleReply {
  return 'raw' in response && typeof (response as FastifyStyleReply).header === 'function';
}
