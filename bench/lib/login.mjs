// Logging a benchmark client in through a bench app's own POST /login, as a browser would.

/** A current desktop Chrome user agent: what a typical session records. */
export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const CLIENT_IP = '203.0.113.7';

/** Logs `userId` in and returns the `sid=...` cookie. */
export async function loginCookie(base, userId) {
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': CHROME_UA,
      'x-forwarded-for': CLIENT_IP,
    },
    body: JSON.stringify({ userId }),
    signal: AbortSignal.timeout(15_000),
  });
  // Read the whole body: express-session stores the session while the response ends, so the
  // headers can arrive before the session is in Redis.
  const text = await response.text();
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${text}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .find((pair) => pair.startsWith('sid='));
  if (!cookie) throw new Error('login set no sid cookie');
  return cookie;
}
