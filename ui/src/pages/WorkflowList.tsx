// Workflows of one namespace: filters (phase, labels) and pages live in the URL; rows follow
// the server's event stream.
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, get } from '../api';
import { ErrorMessage } from '../components/Alert';
import { NamespacePicker } from '../components/NamespacePicker';
import { watchEvents } from '../events';
import { ago, durationBetween, progress } from '../format';
import { navigate } from '../router';
import type { List, Session, Workflow } from '../types';

const PAGE = 20;
const PHASES = ['', 'Pending', 'Running', 'Succeeded', 'Failed', 'Error'];

interface Props {
  session: Session;
  ns: string;
  query: URLSearchParams;
}

export function WorkflowList({ session, ns, query }: Props) {
  const phase = query.get('phase') ?? '';
  const labels = query.get('labels') ?? '';
  const cont = query.get('continue') ?? '';
  const [items, setItems] = useState<Workflow[] | null>(null);
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState(false);
  const reload = useRef<() => void>(() => {});
  const history = useRef<string[]>([]);

  const setQuery = (changes: Record<string, string>) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) v ? q.set(k, v) : q.delete(k);
    const s = q.toString();
    navigate(`/workflows/${enc(ns)}${s ? '?' + s : ''}`);
  };

  useEffect(() => {
    let stale = false;
    const load = () => {
      const q = new URLSearchParams({ 'listOptions.limit': String(PAGE) });
      if (cont) q.set('listOptions.continue', cont);
      if (phase) q.set('phase', phase);
      if (labels) q.set('listOptions.labelSelector', labels);
      get<List<Workflow>>(`/api/v1/workflows/${enc(ns)}?${q}`)
        .then((l) => {
          if (stale) return;
          setItems(l.items ?? []);
          setNext(l.metadata?.continue ?? '');
          setError(undefined);
        })
        .catch((e) => !stale && setError(e));
    };
    reload.current = load;
    load();
    return () => void (stale = true);
  }, [ns, phase, labels, cont]);

  // Live: changed rows are replaced in place; new or deleted workflows reload the page.
  useEffect(() => {
    const q = labels ? `?listOptions.labelSelector=${enc(labels)}` : '';
    let timer = 0;
    const reloadSoon = () => {
      if (!timer) timer = window.setTimeout(() => ((timer = 0), reload.current()), 500);
    };
    const stop = watchEvents(`/api/v1/workflow-events/${enc(ns)}${q}`, (type, object) => {
      if (!object?.metadata) return;
      setItems((old) => {
        if (!old) return old;
        const i = old.findIndex((w) => w.metadata.name === object.metadata.name);
        if (type === 'DELETED') {
          if (i >= 0) reloadSoon();
          return old;
        }
        if (i < 0) {
          // Not shown yet: it belongs on the first page once it passes the phase filter.
          if (!cont && (!phase || object.status?.phase === phase)) reloadSoon();
          return old;
        }
        const copy = old.slice();
        copy[i] = object;
        return copy;
      });
    }, setLive);
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [ns, labels, cont, phase]);

  return (
    <main id="main">
      <div class="page-head">
        <h1>Workflows</h1>
        <NamespacePicker session={session} ns={ns} to={(n) => `/workflows/${enc(n)}`} />
        <span class={`live ${live ? 'on' : ''}`} aria-live="polite">{live ? 'live' : 'not live'}</span>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = e.currentTarget as HTMLFormElement;
          setQuery({ labels: (f.elements.namedItem('labels') as HTMLInputElement).value.trim(), continue: '' });
        }}
      >
        <label>
          Phase{' '}
          <select name="phase" value={phase} onChange={(e) => setQuery({ phase: (e.target as HTMLSelectElement).value, continue: '' })}>
            {PHASES.map((p) => <option value={p} key={p}>{p || 'all'}</option>)}
          </select>
        </label>
        <label>
          Labels <input name="labels" defaultValue={labels} placeholder="key=value,other=x" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorMessage error={error} />
      {items === null && !error && <p class="muted">Loading…</p>}
      {items && items.length === 0 && <p class="muted">No workflows{phase || labels ? ' match these filters' : ` in ${ns}`}.</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Workflows">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Progress</th><th scope="col">Labels</th></tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.metadata.name} data-workflow={w.metadata.name}>
                  <td><a href={`/workflows/${enc(ns)}/${enc(w.metadata.name)}`}>{w.metadata.name}</a></td>
                  <td><span class={`badge phase-${w.status?.phase ?? 'Pending'}`}>{w.status?.phase ?? 'Pending'}</span></td>
                  <td>{ago(w.status?.startedAt)}</td>
                  <td>{durationBetween(w.status?.startedAt, w.status?.finishedAt)}</td>
                  <td>{progress(w)}</td>
                  <td>
                    <div class="labels">
                    {Object.entries(w.metadata.labels ?? {})
                      .filter(([k]) => !k.startsWith('workflows.argoproj.io/') || k.endsWith('template') || k.endsWith('cron-workflow'))
                      .map(([k, v]) => (
                        <button type="button" class="label" key={k} onClick={() => setQuery({ labels: `${k}=${v}`, continue: '' })}>{k}={v}</button>
                      ))}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={!cont} onClick={() => setQuery({ continue: history.current.pop() ?? '' })}>Previous</button>
        <button type="button" disabled={!next} onClick={() => { history.current.push(cont); setQuery({ continue: next }); }}>Next</button>
      </nav>
    </main>
  );
}
