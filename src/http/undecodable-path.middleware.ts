import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppErrorMessages } from '../app-error-messages.js';

/**
 * Express decodes a path only when a route with parameters matches it, so `/%ZZ` would be a
 * 404 while Fastify's router refuses it with 400. Refused here for every path, as on Fastify,
 * with a fixed message: the path is never quoted back.
 */
export function refuseUndecodablePaths(request: Request, _response: Response, next: NextFunction) {
  try {
    decodeURIComponent(request.path);
  } catch {
    next(new BadRequestException(AppErrorMessages.malformedUrl));
    return;
  }
  next();
}
