import type { NextFunction, Request, Response } from 'express';
import { bodyParseErrorToHttpException } from './body-parse-error.js';

/**
 * Express error middleware for right after the body parser: its errors become the Nest
 * exceptions of `bodyParseErrorToHttpException`.
 */
export function bodyParserErrors(
  limit: string,
): (error: unknown, request: Request, response: Response, next: NextFunction) => void {
  return (error, _request, _response, next) => next(bodyParseErrorToHttpException(error, limit));
}
