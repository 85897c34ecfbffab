/** Resolves once an ioredis client is ready (with enableOfflineQueue off, commands before fail). */
export function whenReady(client, timeoutMs = 5000) {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis not ready in time')), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
