// Shared by the pages: calls the app's JSON routes (same origin) and turns failures into text
// for the person. Everything user-controlled is rendered with textContent, never as HTML.

/**
 * @typedef {object} ApiResult
 * @property {boolean} ok
 * @property {number} status 0 when the server could not be reached
 * @property {any} body the parsed JSON body, or null
 * @property {string | null} retryAfter the Retry-After header
 */

/**
 * Calls one JSON route of the app.
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<ApiResult>}
 */
export async function callApi(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      // Under the app's `Referrer-Policy: no-referrer`, some browsers (Firefox) send
      // `Origin: null` on a POST or DELETE, which the CSRF guard refuses as foreign. For a
      // same-origin request this policy sends the page's real origin, and nothing leaves it.
      referrerPolicy: 'same-origin',
    });
  } catch {
    return { ok: false, status: 0, body: null, retryAfter: null };
  }
  let parsed;
  try {
    const text = await response.text();
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return {
    ok: response.ok,
    status: response.status,
    body: parsed,
    retryAfter: response.headers.get('Retry-After'),
  };
}

/**
 * What to tell the person about a failed call.
 * @param {ApiResult} result
 * @returns {string}
 */
export function errorText(result) {
  switch (result.status) {
    case 0:
      return 'Could not reach the server. Check your connection and try again.';
    case 401:
      return serverMessage(result) ?? 'Invalid email or password.';
    case 429:
      return `Too many attempts. Try again ${waitText(result.retryAfter)}.`;
    case 503:
      return `The service is temporarily unavailable. Try again ${waitText(result.retryAfter)}.`;
    default: {
      const message = serverMessage(result);
      return message ?? `Something went wrong (HTTP ${result.status}). Please try again.`;
    }
  }
}

/**
 * Shows `text` in `element` (a role="alert" paragraph), or hides it when `text` is empty.
 * @param {HTMLElement} element
 * @param {string} text
 */
export function showMessage(element, text) {
  element.textContent = text;
  element.hidden = text === '';
}

/** The error body's message: Nest sends a string, or a list for validation errors. */
function serverMessage(result) {
  const message = result.body?.message;
  if (typeof message === 'string' && message !== '') return `${message}.`.replace(/\.\.$/, '.');
  if (Array.isArray(message) && message.length > 0) return `${message.join('. ')}.`;
  return null;
}

function waitText(retryAfter) {
  const seconds = Number(retryAfter);
  if (!Number.isInteger(seconds) || seconds <= 0) return 'in a moment';
  if (seconds < 90) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minutes`;
}

/**
 * Runs a form's submit through `handler` instead of the browser's own submission, with the
 * button disabled meanwhile so a double click sends one request.
 * @param {HTMLFormElement} form
 * @param {(fields: {email: string, password: string}) => Promise<void>} handler
 */
export function onCredentialsSubmit(form, handler) {
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const data = new FormData(form);
    button.disabled = true;
    void handler({
      email: String(data.get('email')),
      password: String(data.get('password')),
    }).finally(() => {
      button.disabled = false;
    });
  });
}
