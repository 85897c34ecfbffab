import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';

// API.md "Operations": GET /docs (Swagger UI) and GET /docs-json (OpenAPI) describe every route
// of the contract with its body, its success and the failures the contract names.

/** Every route of API.md: its success status, then the failures it lists (or implies). */
const CONTRACT: [method: string, path: string, statuses: number[]][] = [
  ['post', '/auth/signup', [201, 400, 409, 413, 503]],
  ['post', '/auth/login', [200, 400, 401, 403, 413, 429, 503]],
  ['post', '/auth/logout', [204, 401, 403, 503]],
  ['get', '/me', [200, 401, 503]],
  ['post', '/auth/elevate', [200, 401, 403, 429, 503]],
  ['post', '/auth/password', [204, 400, 401, 403, 429, 503]],
  ['get', '/sessions', [200, 401, 503]],
  ['delete', '/sessions/{id}', [204, 401, 403, 404, 503]],
  ['delete', '/sessions', [204, 401, 403, 503]],
  ['post', '/admin/users/{id}/roles', [200, 400, 401, 403, 404, 503]],
  ['delete', '/admin/users/{id}/sessions', [204, 401, 403, 404, 503]],
  ['get', '/health', [200, 503]],
  ['get', '/metrics', [200]],
];

/** Routes whose JSON body is described, with the fields it must show. */
const BODIES: [method: string, path: string, fields: string[]][] = [
  ['post', '/auth/signup', ['email', 'password']],
  ['post', '/auth/login', ['email', 'password']],
  ['post', '/auth/elevate', ['password']],
  ['post', '/auth/password', ['currentPassword', 'newPassword']],
  ['post', '/admin/users/{id}/roles', ['roles']],
];

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, { type: string; in: string; name: string }>;
  };
}

describe('the OpenAPI description', () => {
  let app: INestApplication;
  let server: Server;
  let document: OpenApiDocument;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix: uniquePrefix('docs') });
    server = app.getHttpServer();
    const response = await request(server).get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body as OpenApiDocument;
  });

  afterAll(async () => {
    await app.close();
  });

  const schemaOf = (ref: string | undefined) =>
    document.components.schemas[String(ref).replace('#/components/schemas/', '')];

  it.each(CONTRACT)('lists %s %s with its statuses %j', (method, path, statuses) => {
    const operation = document.paths[path]?.[method];

    expect(operation).toBeDefined();
    const documented = Object.keys(operation!.responses).map(Number);
    expect(documented).toEqual(expect.arrayContaining(statuses));
  });

  it('lists no route beyond the contract (the HTML pages are left out)', () => {
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );

    expect(routes.sort()).toEqual(CONTRACT.map(([method, path]) => `${method} ${path}`).sort());
  });

  it.each(BODIES)('describes the JSON body of %s %s', (method, path, fields) => {
    const body = document.paths[path]?.[method]?.requestBody;
    const schema = schemaOf(body?.content['application/json']?.schema.$ref);

    expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(fields));
  });

  it('describes the success bodies and the error shape', () => {
    const successOf = (method: string, path: string, status: string) =>
      schemaOf(
        document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema
          ?.$ref,
      );

    expect(Object.keys(successOf('post', '/auth/login', '200')?.properties ?? {})).toEqual([
      'user',
      'session',
    ]);
    expect(Object.keys(successOf('get', '/me', '200')?.properties ?? {})).toEqual([
      'id',
      'email',
      'roles',
    ]);
    expect(Object.keys(successOf('post', '/auth/elevate', '200')?.properties ?? {})).toEqual([
      'elevatedUntil',
    ]);
    expect(Object.keys(successOf('get', '/me', '401')?.properties ?? {})).toEqual([
      'statusCode',
      'error',
      'message',
    ]);
  });

  it('names the session cookie as the security scheme of the routes that need one', () => {
    const schemes = Object.values(document.components.securitySchemes);
    expect(schemes).toEqual([
      expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sid' }),
    ]);
    const [scheme] = Object.keys(document.components.securitySchemes);

    expect(document.paths['/me']?.['get']?.security).toEqual([{ [scheme!]: [] }]);
    expect(document.paths['/auth/login']?.['post']?.security).toBeUndefined();
  });

  it('serves the Swagger UI page, whose scripts are files, under a CSP that allows them', async () => {
    const page = await request(server).get('/docs');

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('swagger-ui-init.js');
    expect(page.text).not.toMatch(/<script>/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    for (const script of ['swagger-ui-bundle.js', 'swagger-ui-init.js']) {
      expect((await request(server).get(`/docs/${script}`)).status).toBe(200);
    }
  });

  it('keeps the strict CSP everywhere else', async () => {
    const csp = String(
      (await request(server).get('/docs-json')).headers['content-security-policy'],
    );

    expect(csp).toContain("style-src 'self';");
  });
});
