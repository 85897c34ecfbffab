import {
  clearedSessionCookieHeader,
  readSessionCookie,
  sessionCookieHeader,
} from './session-cookie.js';

const TOKEN = 'Ab3xYz_-0123456789abcdefghijklmnopqrstuvwxy';
const secureCookie = { name: '__Host-sid', secure: true, sameSite: 'lax' } as const;
const plainCookie = { name: 'sid', secure: false, sameSite: 'lax' } as const;

/** Attribute names (lower-cased) to values of one Set-Cookie header; the first pair is the cookie. */
function attributesOf(setCookie: string): { pair: string; attributes: Map<string, string> } {
  const [pair = '', ...rest] = setCookie.split('; ');
  const attributes = new Map(
    rest.map((part) => {
      const eq = part.indexOf('=');
      return eq === -1
        ? [part.toLowerCase(), '']
        : [part.slice(0, eq).toLowerCase(), part.slice(eq + 1)];
    }),
  );
  return { pair, attributes };
}

describe('readSessionCookie', () => {
  it.each([
    ['no header', undefined, 'sid'],
    ['an empty header', '', 'sid'],
    ['other cookies only', 'theme=dark; lang=fr', 'sid'],
    ['a cookie whose name ends with the session name', 'xsid=abc; sidx=def', 'sid'],
    ['the name only inside another value', 'ref=sid=abc', 'sid'],
    ['the unprefixed name when reading the __Host- one', 'sid=abc', '__Host-sid'],
  ])('finds nothing in %s', (_label, header, name) => {
    expect(readSessionCookie(header, name)).toEqual({ value: undefined, present: false });
  });

  it('returns the value of the name when it appears once among others', () => {
    expect(readSessionCookie(`theme=dark; sid=${TOKEN}; lang=fr`, 'sid')).toEqual({
      value: TOKEN,
      present: true,
    });
  });

  it('reads the __Host- name without confusing it with the plain one', () => {
    expect(readSessionCookie(`sid=planted; __Host-sid=${TOKEN}`, '__Host-sid')).toEqual({
      value: TOKEN,
      present: true,
    });
  });

  it('takes the value verbatim: no %-decoding', () => {
    expect(readSessionCookie('sid=%41%42%43', 'sid').value).toBe('%41%42%43');
  });

  it('takes the value verbatim: surrounding double quotes stay', () => {
    expect(readSessionCookie(`sid="${TOKEN}"`, 'sid').value).toBe(`"${TOKEN}"`);
  });

  it('reports an empty value as present', () => {
    expect(readSessionCookie('sid=', 'sid')).toEqual({ value: '', present: true });
  });

  it.each([
    ['two different values', `sid=${TOKEN}; sid=planted`],
    ['the same value twice', `sid=${TOKEN}; sid=${TOKEN}`],
    ['no space after the semicolon', `sid=planted;sid=${TOKEN}`],
    ['the name three times among others', `sid=a; x=1; sid=b; y=2; sid=c`],
  ])('gives no value but reports presence for %s', (_label, header) => {
    expect(readSessionCookie(header, 'sid')).toEqual({ value: undefined, present: true });
  });

  it.each([
    ['a longer cookie name that contains it', `xsid=1; sid=${TOKEN}`],
    ['another cookie whose value is the name', `sid=${TOKEN}; other=sid`],
    ['the name inside its own value', `sid=${TOKEN.slice(0, 20)}sid${TOKEN.slice(23)}`],
  ])('still finds one cookie when the name also appears in %s', (_label, header) => {
    const expected = header
      .split('; ')
      .find((part) => part.startsWith('sid='))
      ?.slice(4);

    expect(readSessionCookie(header, 'sid')).toEqual({ value: expected, present: true });
  });

  it('handles 1000 cookies and a 4 KB value quickly', () => {
    const others = Array.from({ length: 1000 }, (_, i) => `c${i}=${'v'.repeat(20)}`);
    const big = 'x'.repeat(4096);
    const header = [...others.slice(0, 500), `sid=${big}`, ...others.slice(500)].join('; ');

    const started = performance.now();
    const result = readSessionCookie(header, 'sid');
    const elapsed = performance.now() - started;

    expect(result).toEqual({ value: big, present: true });
    expect(elapsed).toBeLessThan(100);
  });

  it('handles 1000 copies of the session cookie quickly and trusts none', () => {
    const header = Array.from({ length: 1000 }, (_, i) => `sid=${i}`).join('; ');
    const started = performance.now();
    expect(readSessionCookie(header, 'sid')).toEqual({ value: undefined, present: true });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('reads a cookie named __proto__ as an ordinary cookie', () => {
    expect(readSessionCookie('__proto__=abc', '__proto__')).toEqual({
      value: 'abc',
      present: true,
    });
    expect(readSessionCookie(`__proto__=abc; sid=${TOKEN}`, 'sid')).toEqual({
      value: TOKEN,
      present: true,
    });
  });

  it('does not find inherited object members as cookies', () => {
    expect(readSessionCookie('xconstructor=1; toStringy=2', 'constructor')).toEqual({
      value: undefined,
      present: false,
    });
    expect(readSessionCookie('xconstructor=1; toStringy=2', 'toString')).toEqual({
      value: undefined,
      present: false,
    });
  });
});

describe('sessionCookieHeader', () => {
  it('sets HttpOnly, SameSite=Lax, Path=/ and Secure for a secure cookie', () => {
    const header = sessionCookieHeader(secureCookie, TOKEN);
    const { pair, attributes } = attributesOf(header);
    expect(pair).toBe(`__Host-sid=${TOKEN}`);
    expect(attributes.has('httponly')).toBe(true);
    expect(attributes.get('samesite')).toBe('Lax');
    expect(attributes.get('path')).toBe('/');
    expect(attributes.has('secure')).toBe(true);
  });

  it('sets no Domain, Max-Age or Expires (a browser-session cookie)', () => {
    for (const options of [secureCookie, plainCookie]) {
      const { attributes } = attributesOf(sessionCookieHeader(options, TOKEN));
      expect([...attributes.keys()].sort()).toEqual(
        options.secure
          ? ['httponly', 'path', 'samesite', 'secure']
          : ['httponly', 'path', 'samesite'],
      );
    }
  });

  it('omits Secure only when secure is off', () => {
    const header = sessionCookieHeader(plainCookie, TOKEN);
    expect(header).toBe(`sid=${TOKEN}; Path=/; HttpOnly; SameSite=Lax`);
    expect(header).not.toMatch(/secure/i);
  });

  it('writes SameSite=Strict when configured', () => {
    const { attributes } = attributesOf(
      sessionCookieHeader({ ...secureCookie, sameSite: 'strict' }, TOKEN),
    );
    expect(attributes.get('samesite')).toBe('Strict');
  });

  it('writes the token unchanged', () => {
    expect(sessionCookieHeader(plainCookie, TOKEN).startsWith(`sid=${TOKEN};`)).toBe(true);
  });
});

describe('clearedSessionCookieHeader', () => {
  it('empties the cookie with Max-Age=0 and an Expires in the past', () => {
    const { pair, attributes } = attributesOf(clearedSessionCookieHeader(secureCookie));
    expect(pair).toBe('__Host-sid=');
    expect(attributes.get('max-age')).toBe('0');
    expect(new Date(attributes.get('expires') ?? '').getTime()).toBe(0);
  });

  it('keeps the attributes the browser matches on: Path=/, Secure, HttpOnly, SameSite, no Domain', () => {
    const { attributes } = attributesOf(clearedSessionCookieHeader(secureCookie));
    expect(attributes.get('path')).toBe('/');
    expect(attributes.has('secure')).toBe(true);
    expect(attributes.has('httponly')).toBe(true);
    expect(attributes.get('samesite')).toBe('Lax');
    expect(attributes.has('domain')).toBe(false);
  });

  it('omits Secure when secure is off', () => {
    const { pair, attributes } = attributesOf(clearedSessionCookieHeader(plainCookie));
    expect(pair).toBe('sid=');
    expect(attributes.has('secure')).toBe(false);
    expect(attributes.get('max-age')).toBe('0');
  });
});

describe('readSessionCookie with spaces around a duplicated name', () => {
  it.each(['sid=A; sid =B', 'sid =B; sid=A', ' sid=A;sid= B'])(
    'treats %j as ambiguous',
    (header) => {
      expect(readSessionCookie(header, 'sid')).toEqual({ value: undefined, present: true });
    },
  );
});
