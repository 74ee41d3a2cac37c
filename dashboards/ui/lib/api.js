/**
 * The UI's only way to data: the public `/v1` API, with the API key (when the server
 * wants one) from this browser session.
 */

const KEY_STORAGE = 'opsless.apiKey';
/** Sent when a call is refused for want of a (right) key; the app then asks for one. */
export const UNAUTHORIZED_EVENT = 'opsless:unauthorized';
/** Sent when a key was entered or data should be read again. */
export const REFRESH_EVENT = 'opsless:refresh';

/** An answer other than 2xx, with the API's error code and message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function getApiKey() {
  try {
    return window.sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/**
 * Keeps the key for this browser session (cleared when the tab closes), then reads again.
 * @param {string | null} key
 */
export function setApiKey(key) {
  try {
    if (key === null) window.sessionStorage.removeItem(KEY_STORAGE);
    else window.sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    // storage disabled: the key lasts until the page reloads, which is no worse
  }
  window.dispatchEvent(new Event(REFRESH_EVENT));
}

/**
 * @param {string} path
 * @param {Record<string, string | number | boolean | string[] | null | undefined>} [params]
 */
export function apiUrl(path, params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * Calls the API and returns the parsed JSON answer (null for 204), or throws ApiError.
 * @template T
 * @param {string} method
 * @param {string} url
 * @param {{ body?: unknown, signal?: AbortSignal }} [options]
 * @returns {Promise<T>}
 */
export async function apiRequest(method, url, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const key = getApiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  /** @type {Response} */
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'unreachable', 'opsless cannot be reached; is it running?');
  }
  if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  if (response.status === 204) return /** @type {T} */ (null);
  const text = await response.text();
  /** @type {unknown} */
  let body = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = /** @type {{ error?: string, message?: string } | null} */ (body);
    throw new ApiError(
      response.status,
      error?.error ?? 'http_error',
      error?.message ?? `${method} ${url} answered ${response.status}`,
    );
  }
  return /** @type {T} */ (body);
}

/**
 * @template T
 * @param {string} path
 * @param {Record<string, string | number | boolean | string[] | null | undefined>} [params]
 * @param {AbortSignal} [signal]
 * @returns {Promise<T>}
 */
export function apiGet(path, params, signal) {
  return apiRequest('GET', apiUrl(path, params), signal ? { signal } : {});
}

/**
 * @template T
 * @param {'POST' | 'PUT' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export function apiSend(method, path, body) {
  return apiRequest(method, path, body === undefined ? {} : { body });
}
