// The workflow's actions, offered only to roles that may take them (submitter and up) and only
// when they make sense for its phase. Each one asks first; the server decides in the end.
import { useState } from 'preact/hooks';
import { del, enc, put } from '../api';
import { finished } from '../format';
import { navigate } from '../router';
import type { Workflow } from '../types';
import { ErrorMessage } from './Alert';
import { Confirm } from './Confirm';

type Action = 'stop' | 'terminate' | 'suspend' | 'resume' | 'retry' | 'resubmit' | 'delete';

const describe: Record<Action, string> = {
  stop: 'Stop: running steps finish their exit handlers, nothing new starts.',
  terminate: 'Terminate: running steps are killed at once, exit handlers do not run.',
  suspend: 'Suspend: no new steps start until the workflow is resumed.',
  resume: 'Resume: the suspended workflow continues.',
  retry: 'Retry: failed steps run again; succeeded steps are kept.',
  resubmit: 'Resubmit: a new workflow is made from the same spec and started.',
  delete: 'Delete: the workflow, its status and its logs are removed for good.',
};

export function Actions({ wf, onChanged }: { wf: Workflow; onChanged: (w: Workflow) => void }) {
  const [asking, setAsking] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ns = wf.metadata.namespace ?? '';
  const name = wf.metadata.name;
  const phase = wf.status?.phase;
  const done = finished(phase);
  const suspended = !!wf.spec?.suspend;
  const offered: Action[] = done
    ? [...(phase === 'Failed' || phase === 'Error' ? (['retry'] as Action[]) : []), 'resubmit', 'delete']
    : ['stop', 'terminate', suspended ? 'resume' : 'suspend', 'resubmit'];

  const run = async (a: Action) => {
    setAsking(null);
    setBusy(true);
    setError(undefined);
    const base = `/api/v1/workflows/${enc(ns)}/${enc(name)}`;
    try {
      if (a === 'delete') {
        await del(base);
        navigate(`/workflows/${enc(ns)}`);
      } else {
        const w = await put<Workflow>(`${base}/${a}`, { namespace: ns, name });
        if (a === 'resubmit') navigate(`/workflows/${enc(ns)}/${enc(w.metadata.name)}`);
        else onChanged(w);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="actions" role="group" aria-label="Workflow actions">
      {offered.map((a) => (
        <button type="button" key={a} data-action={a} class={a === 'delete' || a === 'terminate' ? 'danger' : ''} disabled={busy} onClick={() => setAsking(a)}>
          {a[0].toUpperCase() + a.slice(1)}
        </button>
      ))}
      <ErrorMessage error={error} />
      {asking && (
        <Confirm
          title={`${asking[0].toUpperCase() + asking.slice(1)} ${name}?`}
          detail={describe[asking]}
          confirmLabel={asking[0].toUpperCase() + asking.slice(1)}
          danger={asking === 'delete' || asking === 'terminate'}
          onConfirm={() => run(asking)}
          onCancel={() => setAsking(null)}
        />
      )}
    </div>
  );
}
