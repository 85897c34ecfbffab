import { InvalidSessionOptionsError } from '../errors/invalid-session-options.error.js';
import type { ResolvedSessionOptions } from './resolved-session-options.js';
import { DEFAULT_SESSION_OPTIONS } from './session-defaults.js';
import type { SessionModuleOptions } from './session-module-options.interface.js';

// RFC 9110 field-name token characters.
const HEADER_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The `csrf` options, defaulted and validated; throws naming the first bad one. */
export function resolveCsrf(csrf: SessionModuleOptions['csrf']): ResolvedSessionOptions['csrf'] {
  const defaults = DEFAULT_SESSION_OPTIONS.csrf;
  const enabled = csrf?.enabled ?? defaults.enabled;
  if (typeof enabled !== 'boolean') {
    throw new InvalidSessionOptionsError('csrf.enabled', enabled, 'true or false');
  }
  const trustedOrigins = csrf?.trustedOrigins ?? [];
  for (const origin of trustedOrigins) {
    // Origins are compared as exact strings, as browsers send them: scheme://host[:port].
    if (typeof origin !== 'string' || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new InvalidSessionOptionsError(
        'csrf.trustedOrigins',
        origin,
        'origins like "https://app.example.com" (scheme, host, optional port; no path)',
      );
    }
  }
  return {
    enabled,
    trustedOrigins: [...trustedOrigins],
    synchronizerTokenHeader: resolveSynchronizerTokenHeader(csrf, enabled),
  };
}

function resolveSynchronizerTokenHeader(
  csrf: SessionModuleOptions['csrf'],
  enabled: boolean,
): string | undefined {
  const defaults = DEFAULT_SESSION_OPTIONS.csrf;
  const wanted = csrf?.synchronizerToken ?? defaults.synchronizerToken;
  if (typeof wanted !== 'boolean') {
    throw new InvalidSessionOptionsError('csrf.synchronizerToken', wanted, 'true or false');
  }
  // The token is checked by the guard that `enabled: false` switches off: asking for both is a
  // mistake to report at boot, not a token that silently goes unchecked.
  if (wanted && !enabled) {
    throw new InvalidSessionOptionsError(
      'csrf.synchronizerToken',
      wanted,
      'false when csrf.enabled is false (the token is checked by the CSRF guard)',
    );
  }
  const headerName = csrf?.headerName ?? defaults.headerName;
  if (typeof headerName !== 'string' || !HEADER_NAME_PATTERN.test(headerName)) {
    throw new InvalidSessionOptionsError(
      'csrf.headerName',
      headerName,
      'an HTTP header name such as "x-csrf-token"',
    );
  }
  // Node and Fastify hand headers over with lower-case names.
  return wanted ? headerName.toLowerCase() : undefined;
}
