import type { SessionInfo } from 'nest-redis-session';

/** One item of `GET /sessions`: one of the user's signed-in devices. Times are ISO-8601. */
export interface DeviceView {
  /** Public session id (what `DELETE /sessions/:id` takes); never the cookie token. */
  id: string;
  /** The session of the request that asked. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  elevatedUntil: string | null;
  ip: string;
  userAgent: string;
  device: { browser: string; os: string; type: string };
}

export function toDeviceView(info: SessionInfo): DeviceView {
  return {
    id: info.id,
    current: info.current,
    createdAt: info.createdAt.toISOString(),
    lastSeenAt: info.lastSeenAt.toISOString(),
    expiresAt: info.expiresAt.toISOString(),
    elevatedUntil: info.elevatedUntil?.toISOString() ?? null,
    ip: info.ip,
    userAgent: info.userAgent,
    device: { browser: info.device.browser, os: info.device.os, type: info.device.type },
  };
}
