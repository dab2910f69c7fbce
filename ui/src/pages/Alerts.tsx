// The guard's runtime alerts (miners, time budgets, pinned CPUs) in the namespaces one can see.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { ErrorMessage } from '../components/Alert';
import { localTime } from '../format';

interface AlertItem {
  time_ms?: number;
  namespace?: string;
  workflow?: string;
  node?: string;
  rule?: string;
  severity?: string;
  evidence?: string;
  action?: string;
}

export function Alerts() {
  const [items, setItems] = useState<AlertItem[] | null>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const load = () => get<{ items?: AlertItem[] }>('/api/v1/alerts').then((r) => setItems((r.items ?? []).slice().reverse()), setError);
    load();
    const t = setInterval(load, 10000);
    return () => clearInterval(t);
  }, []);
  return (
    <main id="main">
      <h1>Guard alerts</h1>
      <ErrorMessage error={error} />
      {items && !items.length && <p class="muted">No alerts.</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <thead><tr><th scope="col">Time</th><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Workflow</th><th scope="col">Evidence</th><th scope="col">Action</th></tr></thead>
            <tbody>
              {items.map((a, i) => (
                <tr key={i}>
                  <td>{a.time_ms ? localTime(new Date(a.time_ms).toISOString()) : ''}</td>
                  <td><span class={`badge sev-${a.severity}`}>{a.severity}</span></td>
                  <td>{a.rule}</td>
                  <td>{a.namespace && a.workflow ? <a href={`/workflows/${a.namespace}/${a.workflow}`}>{a.namespace}/{a.workflow}</a> : ''}</td>
                  <td class="message">{a.evidence}</td>
                  <td>{a.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
