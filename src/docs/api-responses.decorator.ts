import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponse } from '../http/error-response.js';
import { SESSION_COOKIE_SCHEME } from './api-docs-paths.js';

// The failures every route of a kind shares (API.md "Rules every route follows"), documented
// once here so no route forgets one. Route-specific failures stay on the route.

/** A route that needs the session cookie: 401 without a live session. */
export const ApiSessionRequired = (description = 'No session, or an expired or revoked one.') =>
  applyDecorators(
    ApiCookieAuth(SESSION_COOKIE_SCHEME),
    ApiUnauthorizedResponse({ type: ErrorResponse, description }),
  );

/** An unsafe method (POST, DELETE): refused when a browser sends it cross-site with a cookie. */
export const ApiCrossSiteRefused = (description?: string) =>
  ApiForbiddenResponse({
    type: ErrorResponse,
    description:
      description ??
      'A request with a session cookie that the browser marks cross-site (Sec-Fetch-Site) or whose Origin is not the app.',
  });

/** A JSON body of `type`: 400 when it is not JSON or fails validation, 413 when too large. */
export const ApiJsonBody = (type: Type, badRequest = 'The body is not valid JSON.') =>
  applyDecorators(
    ApiBody({ type }),
    ApiBadRequestResponse({ type: ErrorResponse, description: badRequest }),
    ApiPayloadTooLargeResponse({
      type: ErrorResponse,
      description: 'The body is over 128 KiB.',
    }),
  );

/** A route that needs Redis: 503 with `Retry-After` while Redis is unreachable. */
export const ApiStoreUnavailable = () =>
  ApiServiceUnavailableResponse({
    type: ErrorResponse,
    description: 'Redis is unreachable; try again after Retry-After seconds.',
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
  });

/** A route that checks a password: 429 with `Retry-After` after too many failures. */
export const ApiTooManyAttempts = () =>
  ApiTooManyRequestsResponse({
    type: ErrorResponse,
    description: 'Too many failed password attempts for this email or address.',
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
  });
