import { CHROME_UA, CLIENT_IP } from '../lib/login.mjs';

const WEEK_MS = 7 * 86_400_000;

/**
 * The session the profiles store directly, with what a login to the ours app stores: roles
 * ["user"], Chrome from one address, and its three small app keys as the store keeps them
 * (JSON text).
 */
export function typicalStoredSession({ publicId, userId, nowMs }) {
  return {
    publicId,
    userId,
    createdAt: nowMs,
    lastSeenAt: nowMs,
    absoluteExpiresAt: nowMs + WEEK_MS,
    roles: ['user'],
    elevatedUntil: null,
    device: { ip: CLIENT_IP, userAgent: CHROME_UA },
    rotationDue: false,
    data: { theme: '"dark"', locale: '"en-GB"', cartItems: '2' },
  };
}
