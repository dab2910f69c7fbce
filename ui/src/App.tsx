// The shell: nothing but the login page until the server confirms a session; then the
// navigation and the page for the current URL. A lost session (expiry, logout elsewhere,
// revoked token) returns to the login page with a note.
import { useEffect, useState } from 'preact/hooks';
import { get, onSessionLost } from './api';
import { Login } from './pages/Login';
import { WorkflowList } from './pages/WorkflowList';
import { WorkflowDetail } from './pages/WorkflowDetail';
import { Submit } from './pages/Submit';
import { Templates } from './pages/Templates';
import { CronWorkflows } from './pages/CronWorkflows';
import { Alerts } from './pages/Alerts';
import { Audit } from './pages/Audit';
import { match, navigate, onLinkClick, useLocation } from './router';
import { isAdmin, namespaces, roleIn } from './roles';
import { currentSession, logout } from './session';
import type { Session } from './types';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const loc = useLocation();

  useEffect(() => {
    onSessionLost((message) => {
      setSession(null);
      setNotice(`Your session ended (${message}). Log in again.`);
    });
    currentSession().then(setSession, (e) => setError(e.message ?? String(e)));
  }, []);

  // An idle page learns within a minute that its session ended (expiry, revoked token, server
  // restart): open event streams are not cut by the server when that happens.
  useEffect(() => {
    if (!session) return;
    const t = setInterval(() => get('/api/v1/userinfo').catch(() => {}), 60_000);
    return () => clearInterval(t);
  }, [session]);

  if (session === undefined) return error ? <p class="error" role="alert">{error}</p> : null;
  if (session === null) return <Login notice={notice} onLogin={(s) => { setNotice(''); setSession(s); }} />;

  const home = namespaces(session)[0] ?? 'argo';
  const path = loc.path;
  let page;
  let m: Record<string, string> | null;
  if ((m = match('/workflows/:ns/:name', path))) page = <WorkflowDetail session={session} ns={m.ns} name={m.name} query={loc.query} key={m.ns + '/' + m.name} />;
  else if ((m = match('/workflows/:ns', path))) page = <WorkflowList session={session} ns={m.ns} query={loc.query} key={m.ns} />;
  else if ((m = match('/submit/:ns', path))) page = <Submit session={session} ns={m.ns} query={loc.query} />;
  else if ((m = match('/templates/:ns', path))) page = <Templates session={session} ns={m.ns} />;
  else if ((m = match('/cron/:ns', path))) page = <CronWorkflows session={session} ns={m.ns} />;
  else if (path === '/alerts') page = <Alerts />;
  else if (path === '/audit' && isAdmin(session)) page = <Audit />;
  else {
    queueMicrotask(() => navigate(`/workflows/${home}`, true));
    page = null;
  }
  const ns = (m && m.ns) || home;
  const section = path.split('/')[1];
  const link = (href: string, label: string, key: string) => (
    <a href={href} aria-current={section === key ? 'page' : undefined}>{label}</a>
  );
  return (
    <div class="app" onClick={onLinkClick}>
      <a href="#main" class="skip">Skip to content</a>
      <header class="top">
        <span class="brand">rampart</span>
        <nav aria-label="Main">
          {link(`/workflows/${ns}`, 'Workflows', 'workflows')}
          {link(`/submit/${ns}`, 'Submit', 'submit')}
          {link(`/templates/${ns}`, 'Templates', 'templates')}
          {link(`/cron/${ns}`, 'Cron', 'cron')}
          {link('/alerts', 'Alerts', 'alerts')}
          {isAdmin(session) && link('/audit', 'Audit', 'audit')}
        </nav>
        <span class="who" data-testid="subject">
          {session.subject} <span class="muted">({roleIn(session, ns) ?? 'no role'} in {ns})</span>
        </span>
        <button
          type="button"
          onClick={async () => {
            try {
              await logout();
            } finally {
              setNotice('You are logged out.');
              setSession(null);
              navigate('/', true);
            }
          }}
        >
          Log out
        </button>
      </header>
      {page}
    </div>
  );
}
