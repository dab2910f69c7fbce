// Every call to the server goes through here. The browser authenticates with the HttpOnly
// session cookie (the bearer token is used once, at login, and then forgotten); writes carry
// the session's CSRF token, which lives in this module's memory only, never in storage.

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthenticated: (message: string) => void = () => {};

export function setCsrfToken(token: string) {
  csrfToken = token;
}

// Called when the server says the session is gone (expired, logged out elsewhere, token revoked).
export function onSessionLost(handler: (message: string) => void) {
  onUnauthenticated = handler;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message);
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (method !== 'GET') h['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!response.ok) {
    const error = await errorFrom(response);
    // A 401 on anything but the login call itself means the session ended.
    if (response.status === 401 && path !== '/api/v1/session') onUnauthenticated(error.message);
    throw error;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown) => request<T>('POST', path, body);
export const put = <T>(path: string, body: unknown = {}) => request<T>('PUT', path, body);
export const del = <T>(path: string) => request<T>('DELETE', path);

export const enc = encodeURIComponent;

// Reads a newline-delimited JSON stream (logs) until the server ends it or `signal` aborts.
export async function streamLines(path: string, signal: AbortSignal, onLine: (value: any) => void): Promise<void> {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal });
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401) onUnauthenticated(error.message);
    throw error;
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) onLine(JSON.parse(line));
    }
  }
}
