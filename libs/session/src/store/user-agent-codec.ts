/**
 * Lossless, compact form of a User-Agent for the session hash.
 *
 * Why: Redis keeps a hash as a compact listpack only while every value is at most 64 bytes
 * (`hash-max-listpack-value`). A browser's User-Agent is 70 to 150 bytes, and that one value
 * alone turned a 350-byte session into a 1 KiB hashtable. Most of a User-Agent is the same few
 * phrases ("Mozilla/5.0 (", "(KHTML, like Gecko)"), so each phrase below is stored as one control
 * character: a current Chrome User-Agent of 111 bytes packs into 7. The full string comes back
 * on listing, so the devices page shows exactly what the browser sent.
 *
 * This table is part of the stored format: only ever append to it. Changing or reordering an
 * entry would make stored sessions unpack to the wrong text.
 */
const PHRASES: readonly string[] = [
  ') AppleWebKit/537.36 (KHTML, like Gecko) Chrome/',
  ') AppleWebKit/537.36 (KHTML, like Gecko) ',
  ') AppleWebKit/605.1.15 (KHTML, like Gecko) ',
  'Mozilla/5.0 (',
  'Windows NT 10.0; Win64; x64',
  'Macintosh; Intel Mac OS X 10_15_7',
  'X11; Linux x86_64',
  'Linux; Android ',
  'iPhone; CPU iPhone OS ',
  ' like Mac OS X',
  '.0.0.0 Mobile Safari/537.36',
  '.0.0.0 Safari/537.36',
  ' Safari/537.36',
  ' Safari/604.1',
  ' Safari/605.1.15',
  'Version/',
  ' Mobile/15E148',
  'Gecko/20100101 Firefox/',
  '; rv:',
  ' Edg/',
  'Chrome/',
  'Firefox/',
  'iPad; CPU OS ',
  'CriOS/',
  ' OPR/',
  'Windows NT ',
  'Mobile',
];

// Control characters that HTTP forbids in header values (tab, LF and CR stay literal). Node's
// parser rejects them, but the store also takes strings from code: ESCAPE keeps those lossless.
const CODES = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0b, 0x0c]
  .concat(Array.from({ length: 0x1e - 0x0e + 1 }, (_, i) => 0x0e + i))
  .map((code) => String.fromCharCode(code));
const ESCAPE = '\x1f';

const codeOfPhrase = new Map(PHRASES.map((phrase, i) => [phrase, CODES[i] as string]));
const phraseOfCode = new Map(PHRASES.map((phrase, i) => [CODES[i] as string, phrase]));

// Longest phrase first, so the regex alternation prefers it; then any character that needs
// escaping.
const PACK = new RegExp(
  [...PHRASES]
    .sort((a, b) => b.length - a.length)
    .map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .concat(`[${[...CODES, ESCAPE].join('')}]`)
    .join('|'),
  'g',
);
const UNPACK = new RegExp(`${ESCAPE}([\\s\\S])|[${CODES.join('')}]`, 'g');

if (PHRASES.length > CODES.length) throw new Error('user-agent-codec: more phrases than codes');

export function packUserAgent(userAgent: string): string {
  return userAgent.replace(PACK, (match) => codeOfPhrase.get(match) ?? ESCAPE + match);
}

// Every read of a session unpacks its User-Agent, and a site sees few distinct ones: remember
// the last ones rather than run the regex on each read.
const UNPACKED_CACHE_SIZE = 256;
const unpacked = new Map<string, string>();

export function unpackUserAgent(packed: string): string {
  const cached = unpacked.get(packed);
  if (cached !== undefined) return cached;
  const userAgent = packed.replace(
    UNPACK,
    (match, escaped: string | undefined) => escaped ?? phraseOfCode.get(match) ?? '',
  );
  if (unpacked.size >= UNPACKED_CACHE_SIZE) unpacked.clear();
  unpacked.set(packed, userAgent);
  return userAgent;
}
