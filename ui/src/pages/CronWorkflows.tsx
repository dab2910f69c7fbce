// Cron workflows of a namespace: schedule, state, last run; suspend and resume for submitters.
import { useEffect, useState } from 'preact/hooks';
import { enc, get, put } from '../api';
import { ErrorMessage } from '../components/Alert';
import { Confirm } from '../components/Confirm';
import { NamespacePicker } from '../components/NamespacePicker';
import { ago } from '../format';
import { can } from '../roles';
import type { List, Session } from '../types';

interface Cron {
  metadata: { name: string; creationTimestamp?: string };
  spec?: { schedule?: string; schedules?: string[]; suspend?: boolean; timezone?: string };
  status?: { lastScheduledTime?: string };
}

export function CronWorkflows({ session, ns }: { session: Session; ns: string }) {
  const [items, setItems] = useState<Cron[] | null>(null);
  const [error, setError] = useState<unknown>();
  const [asking, setAsking] = useState<{ name: string; action: 'suspend' | 'resume' } | null>(null);
  const load = () => get<List<Cron>>(`/api/v1/cron-workflows/${enc(ns)}`).then((l) => setItems(l.items ?? []), setError);
  useEffect(() => {
    setItems(null);
    load();
  }, [ns]);
  const act = async () => {
    const a = asking!;
    setAsking(null);
    try {
      await put(`/api/v1/cron-workflows/${enc(ns)}/${enc(a.name)}/${a.action}`, { namespace: ns, name: a.name });
      load();
    } catch (e) {
      setError(e);
    }
  };
  const mayAct = can(session, ns, 'submitter');
  return (
    <main id="main">
      <div class="page-head">
        <h1>Cron workflows</h1>
        <NamespacePicker session={session} ns={ns} to={(n) => `/cron/${enc(n)}`} />
      </div>
      <ErrorMessage error={error} />
      {items === null && !error && <p class="muted">Loading…</p>}
      {items && !items.length && <p class="muted">No cron workflows in {ns}.</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <thead><tr><th scope="col">Name</th><th scope="col">Schedule</th><th scope="col">State</th><th scope="col">Last run</th><th scope="col">Created</th>{mayAct && <th scope="col">Action</th>}</tr></thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.metadata.name}>
                  <td><a href={`/workflows/${enc(ns)}?labels=${enc('workflows.argoproj.io/cron-workflow=' + c.metadata.name)}`}>{c.metadata.name}</a></td>
                  <td><code>{c.spec?.schedule ?? (c.spec?.schedules ?? []).join(', ')}</code>{c.spec?.timezone ? ` (${c.spec.timezone})` : ''}</td>
                  <td>{c.spec?.suspend ? 'suspended' : 'active'}</td>
                  <td>{ago(c.status?.lastScheduledTime) || 'never'}</td>
                  <td>{ago(c.metadata.creationTimestamp)}</td>
                  {mayAct && (
                    <td>
                      <button type="button" onClick={() => setAsking({ name: c.metadata.name, action: c.spec?.suspend ? 'resume' : 'suspend' })}>
                        {c.spec?.suspend ? 'Resume' : 'Suspend'}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {asking && (
        <Confirm title={`${asking.action === 'suspend' ? 'Suspend' : 'Resume'} ${asking.name}?`} detail={asking.action === 'suspend' ? 'No new workflows are started from it until it is resumed.' : 'Its schedule applies again.'} confirmLabel={asking.action === 'suspend' ? 'Suspend' : 'Resume'} onConfirm={act} onCancel={() => setAsking(null)} />
      )}
    </main>
  );
}
