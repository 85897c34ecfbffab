import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A body parser in the connect style, working on Node's own request and response. */
export type NodeBodyParser = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * The app's one body parser, on either platform: JSON only (`application/json`), objects and
 * arrays only, at most `limit`. A body of any other type is left unread and `body` stays
 * undefined: a cross-site HTML form (urlencoded, multipart, text/plain) cannot carry
 * credentials, and the small limit keeps oversized bodies from reaching argon2 or Redis.
 */
export function jsonBodyParser(limit: string): NodeBodyParser {
  return express.json({ limit }) as NodeBodyParser;
}
