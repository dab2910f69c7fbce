// One workflow: its graph, timeline and YAML, the selected node's panel, and the actions the
// subject's role allows. Follows the event stream until the workflow is gone.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { ApiError, enc, get } from '../api';
import { Actions } from '../components/Actions';
import { watchEvents } from '../events';
import { ErrorMessage } from '../components/Alert';
import { Graph } from '../components/Graph';
import { NodePanel } from '../components/NodePanel';
import { Timeline } from '../components/Timeline';
import { durationBetween, localTime, progress } from '../format';
import type { FoldState } from '../graph/model';
import { warmLayoutWorker } from '../graph/layout';
import { navigate } from '../router';
import { can } from '../roles';
import type { Session, Workflow } from '../types';

interface Props {
  session: Session;
  ns: string;
  name: string;
  query: URLSearchParams;
}

const TABS = ['graph', 'timeline', 'yaml'] as const;

export function WorkflowDetail({ session, ns, name, query }: Props) {
  const tab = (TABS as readonly string[]).includes(query.get('tab') ?? '') ? query.get('tab')! : 'graph';
  const selected = query.get('node') ?? undefined;
  const [wf, setWf] = useState<Workflow | null>(null);
  const [error, setError] = useState<unknown>();
  const [gone, setGone] = useState(false);
  const [toggled, setToggled] = useState(() => new Set<string>());
  const [expandAll, setExpandAll] = useState(query.get('expand') === 'all');
  const fold: FoldState = useMemo(() => ({ toggled, expandAll }), [toggled, expandAll]);

  const setQuery = (changes: Record<string, string | undefined>) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) v ? q.set(k, v) : q.delete(k);
    navigate(`/workflows/${enc(ns)}/${enc(name)}?${q}`, true);
  };

  useEffect(() => {
    warmLayoutWorker();
    setWf(null);
    setGone(false);
    get<Workflow>(`/api/v1/workflows/${enc(ns)}/${enc(name)}`)
      .then(setWf)
      .catch((e) => (e instanceof ApiError && e.status === 404 ? setGone(true) : setError(e)));
    return watchEvents(`/api/v1/workflow-events/${enc(ns)}?listOptions.fieldSelector=${enc('metadata.name=' + name)}`, (type, object) => {
      if (type === 'DELETED') setGone(true);
      else if (object?.metadata?.name === name) setWf(object);
    });
  }, [ns, name]);

  const toggle = (id: string) =>
    setToggled((old) => {
      const s = new Set(old);
      s.has(id) ? s.delete(id) : s.add(id);
      return s;
    });

  if (gone) return <main id="main"><h1>{name}</h1><p class="error" role="alert">Workflow {name} was not found in {ns} (deleted?).</p></main>;
  if (!wf) return <main id="main"><h1>{name}</h1>{error ? <ErrorMessage error={error} /> : <p class="muted">Loading…</p>}</main>;

  const nodes = wf.status?.nodes ?? {};
  const phase = wf.status?.phase ?? 'Pending';
  const manifest = { ...wf, status: undefined };
  return (
    <main id="main" class="detail">
      <div class="page-head">
        <h1>
          <a href={`/workflows/${enc(ns)}`} class="crumb">{ns}</a> / {name}
        </h1>
        <span class={`badge phase-${phase}`} data-testid="workflow-phase">{phase}</span>
        <span class="muted">{progress(wf)} · started {localTime(wf.status?.startedAt)} · {durationBetween(wf.status?.startedAt, wf.status?.finishedAt)}</span>
      </div>
      {wf.status?.message && <p class="message">{wf.status.message}</p>}
      {can(session, ns, 'submitter') && <Actions wf={wf} onChanged={setWf} />}
      <div class="tabs" role="tablist" aria-label="Views">
        {TABS.map((t) => (
          <button type="button" role="tab" key={t} aria-selected={tab === t} class={tab === t ? 'active' : ''} onClick={() => setQuery({ tab: t === 'graph' ? undefined : t })}>
            {t === 'yaml' ? 'YAML' : t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
        {tab === 'graph' && (
          <button type="button" class="tab-extra" onClick={() => setExpandAll((v) => !v)} aria-pressed={expandAll}>
            {expandAll ? 'Fold loops' : 'Expand all'}
          </button>
        )}
      </div>
      <div class={`detail-body${selected ? ' with-panel' : ''}`}>
        <div class="view" role="tabpanel">
          {tab === 'graph' && <Graph nodes={nodes} fold={fold} selected={selected} onSelect={(id) => setQuery({ node: id })} onToggle={toggle} />}
          {tab === 'timeline' && <Timeline nodes={nodes} selected={selected} onSelect={(id) => setQuery({ node: id })} />}
          {tab === 'yaml' && <pre class="yaml" tabIndex={0}>{stringify(manifest)}</pre>}
        </div>
        {selected && (
          <NodePanel ns={ns} workflow={name} workflowPhase={phase} nodes={nodes} id={selected} onToggle={toggle} onClose={() => setQuery({ node: undefined })} />
        )}
      </div>
    </main>
  );
}
