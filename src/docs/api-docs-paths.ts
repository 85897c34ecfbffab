/** Where the Swagger UI is served (API.md "Operations"). */
export const API_DOCS_PATH = '/docs';

/** Where the OpenAPI document is served as JSON. */
export const API_DOCS_JSON_PATH = '/docs-json';

/** The name of the session cookie's security scheme in the OpenAPI document. */
export const SESSION_COOKIE_SCHEME = 'session-cookie';
