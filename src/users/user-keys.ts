/**
 * The only place the app's own Redis keys are spelled:
 *
 *   HSET <prefix>app:user:<id> id <id> email <email> passwordHash <argon2id> roles <JSON> createdAt <ISO>
 *   SET  <prefix>app:user-email:<normalised email> <id> NX
 *
 * Password changes and role grants rewrite one field of the user's hash with a one-key script
 * (`users.repository.ts`): compare-and-set for `passwordHash`, "only if the user exists" for
 * `roles`.
 *
 * Every command touches one key, so the layout works unchanged on Redis Cluster; no key carries
 * a `{hash tag}`, so users spread over every shard.
 */
export class UserKeys {
  constructor(private readonly prefix: string) {}

  user(id: string): string {
    return `${this.prefix}app:user:${id}`;
  }

  emailIndex(normalizedEmail: string): string {
    return `${this.prefix}app:user-email:${normalizedEmail}`;
  }
}
