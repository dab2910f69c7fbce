// The only page an anonymous visitor sees. The token is sent once to trade it for a session
// cookie and is then dropped: it never reaches storage, the URL or the page again.
import { useState } from 'preact/hooks';
import { login } from '../session';
import type { Session } from '../types';

interface Props {
  notice?: string;
  onLogin: (s: Session) => void;
}

export function Login({ notice, onLogin }: Props) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('token') as HTMLInputElement;
    const token = input.value;
    input.value = '';
    if (!token.trim()) {
      setError('Enter an access token.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      onLogin(await login(token));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form onSubmit={submit} class="login-box" aria-labelledby="login-title" autocomplete="off">
        <h1 id="login-title">rampart</h1>
        <p class="muted">Log in with an access token (<code>rampart token create</code>).</p>
        {notice && <p class="notice" role="status">{notice}</p>}
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} required autofocus />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
