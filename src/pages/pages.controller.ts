import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentSession, Public, type Session } from 'nest-redis-session';
import { readPage } from './page-files.js';
import { htmlPage, redirectTo } from './page-responses.js';
import { PageUnavailableFilter } from './page-unavailable.filter.js';

/**
 * The person's view of the API: HTML documents whose scripts (`/assets/*.js`) call the same JSON
 * routes. Public, so that a visitor without a session is sent to the login form, not given a 401.
 */
// HTML for people, not part of the JSON API that /docs describes.
@ApiExcludeController()
@Public()
@Controller()
@UseFilters(PageUnavailableFilter)
export class PagesController {
  private readonly html = {
    login: readPage('login'),
    signup: readPage('signup'),
    account: readPage('account'),
  };

  /** The login form; a signed-in visitor goes on to their account. */
  @Get()
  login(@CurrentSession() session: Session): Response {
    return isSignedIn(session) ? redirectTo('/account') : htmlPage(this.html.login);
  }

  /** The signup form; a signed-in visitor goes on to their account. */
  @Get('signup')
  signup(@CurrentSession() session: Session): Response {
    return isSignedIn(session) ? redirectTo('/account') : htmlPage(this.html.signup);
  }

  /** The signed-in email and devices; a visitor without a session goes to the login form. */
  @Get('account')
  account(@CurrentSession() session: Session): Response {
    return isSignedIn(session) ? htmlPage(this.html.account) : redirectTo('/');
  }
}

function isSignedIn(session: Session): boolean {
  return session.userId !== null;
}
