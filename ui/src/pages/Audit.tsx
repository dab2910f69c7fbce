// The audit log (admins in every namespace only; the server refuses everyone else).
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { ErrorMessage } from '../components/Alert';
import { localTime } from '../format';

interface Record_ {
  seq?: number;
  time?: string;
  subject?: string;
  source?: string;
  method?: string;
  route?: string;
  object?: string;
  decision?: string;
  status?: number;
}

export function Audit() {
  const [items, setItems] = useState<Record_[] | null>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<{ items?: Record_[] }>('/api/v1/audit?limit=500').then((r) => setItems((r.items ?? []).slice().reverse()), setError);
  }, []);
  return (
    <main id="main">
      <h1>Audit log</h1>
      <p class="muted">Newest first: every change and every refused request.</p>
      <ErrorMessage error={error} />
      {items && (
        <div class="table-wrap">
          <table class="list">
            <thead><tr><th scope="col">Time</th><th scope="col">Subject</th><th scope="col">Source</th><th scope="col">Request</th><th scope="col">Object</th><th scope="col">Decision</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {items.map((a, i) => (
                <tr key={a.seq ?? i} class={a.decision === 'allowed' ? '' : 'flag'}>
                  <td>{localTime(a.time)}</td>
                  <td>{a.subject || <span class="muted">anonymous</span>}</td>
                  <td>{a.source}</td>
                  <td><code>{a.method} {a.route}</code></td>
                  <td>{a.object}</td>
                  <td>{a.decision}</td>
                  <td>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
