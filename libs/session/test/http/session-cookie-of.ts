import type request from 'supertest';

/** The token a response's Set-Cookie gives the `name` cookie, or `undefined` when it sets none. */
export function sessionCookieOf(res: request.Response, name = 'sid'): string | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = header?.find((value) => value.startsWith(`${name}=`));
  return line?.slice(name.length + 1).split(';')[0];
}
