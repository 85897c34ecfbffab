import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The pages' scripts, styles and icon, served as they are under `PAGE_ASSETS_PREFIX`. Resolved
 * next to this module, so it is `src/pages/assets` from source and `dist/pages/assets` once
 * built (nest-cli.json copies the folder).
 */
export const PAGE_ASSETS_DIR = fileURLToPath(new URL('./assets', import.meta.url));

/** The URL path the pages load their assets from. */
export const PAGE_ASSETS_PREFIX = '/assets';

/** The HTML documents in `views/`. */
export type PageName = 'login' | 'signup' | 'account' | 'unavailable';

/**
 * A page's HTML, read once at start: a missing file stops the app at boot, not at a request.
 * The documents are static; everything about the user is filled in by the pages' scripts.
 */
export function readPage(name: PageName): string {
  return readFileSync(new URL(`./views/${name}.html`, import.meta.url), 'utf8');
}
