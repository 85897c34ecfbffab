// playwright-core's type declarations name DOM types (HTMLElement, Node, ...), and the project
// checks library types (skipLibCheck: false).
/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package; Playwright's own browser download does not work on CI machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

// Without the background-networking flags, chromium keeps trying to reach Google's hosts, which
// a closed network refuses. Playwright adds a fresh temporary --user-data-dir on every launch.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts Debian's headless chromium under Playwright. Throws, so the calling test FAILS rather
 * than skips, when chromium is not installed.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: install Debian's chromium: apt-get install chromium`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
