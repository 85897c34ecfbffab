import Bowser from 'bowser';

/** A user agent in words a person recognises on a "your devices" page. */
export interface DeviceDescription {
  readonly browser: string;
  readonly os: string;
  /** `desktop`, `mobile`, `tablet`, `tv`, `bot` or `unknown`. */
  readonly type: string;
}

const KNOWN_TYPES = new Set(['desktop', 'mobile', 'tablet', 'tv', 'bot']);

/** Parses with bowser: user agents change too often for a hand-written parser. */
export function describeDevice(userAgent: string): DeviceDescription {
  if (!userAgent) return { browser: 'Unknown browser', os: 'Unknown OS', type: 'unknown' };
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name
    ? [parsed.browser.name, major].filter(Boolean).join(' ')
    : 'Unknown browser';
  const os = parsed.os.name
    ? [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(' ')
    : 'Unknown OS';
  const type =
    parsed.platform.type && KNOWN_TYPES.has(parsed.platform.type)
      ? parsed.platform.type
      : 'unknown';
  return { browser, os, type };
}
