/** Defaults of every optional `SessionModuleOptions` field. @publicApi */
export const DEFAULT_SESSION_OPTIONS = {
  keyPrefix: 'sess:',
  cookie: { name: 'sid', secure: true, sameSite: 'lax' },
  idleTimeoutSeconds: 1800,
  absoluteTimeoutSeconds: 604_800,
  touchIntervalSeconds: 60,
  commandTimeoutMs: 1000,
  retryAfterSeconds: 1,
  maxSessionsPerUser: 100,
  sessionLimitPolicy: 'evict-least-recently-used',
  elevationSeconds: 300,
  maxDataBytes: 16_384,
  csrf: { enabled: true, synchronizerToken: false, headerName: 'x-csrf-token' },
  socketWrites: 'coalesced',
} as const;
