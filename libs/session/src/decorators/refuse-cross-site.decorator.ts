import { SetMetadata } from '@nestjs/common';
import { REFUSE_CROSS_SITE_METADATA } from '../session.constants.js';

/**
 * Refuses cross-site unsafe requests (POST, PUT, PATCH, DELETE) to this route with 403 even
 * when they carry no session cookie. Put it on login (and on a signup that signs in).
 *
 * Why: the global check spares requests without the cookie, so that legitimate cross-site posts
 * to public routes (payment returns, webhooks) keep working. On a login that lets another site
 * post its own credentials and sign the victim's browser into the attacker's account (login
 * CSRF), where the victim may then enter data of their own.
 *
 * The same rules as for cookie-carrying requests apply: `Sec-Fetch-Site`, then `Origin`,
 * `csrf.trustedOrigins`; a request with neither header (curl, a server) passes. With
 * `csrf: { enabled: false }` the check is off, and so is this.
 *
 * @example
 * ＠Public()
 * ＠RefuseCrossSite()
 * ＠Post('login')
 * login() {}
 *
 * @publicApi
 */
export const RefuseCrossSite = (): MethodDecorator & ClassDecorator =>
  SetMetadata(REFUSE_CROSS_SITE_METADATA, true);
