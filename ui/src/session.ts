// Login, logout and the current session. Nothing here is persisted: a reload asks the server
// (GET /api/v1/session), which knows the session by its HttpOnly cookie.
import { ApiError, get, request, setCsrfToken } from './api';
import type { Session, UserInfo } from './types';

async function withUser(subject: string, csrfToken: string): Promise<Session> {
  setCsrfToken(csrfToken);
  const info = await get<UserInfo>('/api/v1/userinfo');
  return { subject, roles: info.roles ?? {} };
}

export async function currentSession(): Promise<Session | null> {
  try {
    const s = await request<{ subject: string; csrfToken: string }>('GET', '/api/v1/session');
    return await withUser(s.subject, s.csrfToken);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return null;
    throw e;
  }
}

// The token is sent once, in a header, and not kept: the caller clears its input field.
export async function login(token: string): Promise<Session> {
  const s = await request<{ subject: string; csrfToken: string }>('POST', '/api/v1/session', undefined, {
    Authorization: `Bearer ${token.trim()}`,
  });
  return withUser(s.subject, s.csrfToken);
}

export async function logout(): Promise<void> {
  try {
    await request('DELETE', '/api/v1/session');
  } finally {
    setCsrfToken('');
  }
}
