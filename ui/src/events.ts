// The server's event stream (server-sent events) for a namespace or one workflow. EventSource
// reconnects by itself but cannot tell why it failed; when it does, one ordinary request finds
// out, so an expired session returns to the login page instead of silently going stale.
import { get } from './api';

export function watchEvents(url: string, onEvent: (type: string, object: any) => void, onLive?: (live: boolean) => void): () => void {
  const source = new EventSource(url);
  let probing = false;
  source.onopen = () => onLive?.(true);
  source.onerror = () => {
    onLive?.(false);
    if (probing) return;
    probing = true;
    // A 401 here reaches the session-lost handler in api.ts.
    get('/api/v1/userinfo')
      .catch(() => {})
      .finally(() => (probing = false));
  };
  source.onmessage = (e) => {
    const result = JSON.parse(e.data).result ?? {};
    if (result.object) onEvent(result.type, result.object);
  };
  return () => source.close();
}
