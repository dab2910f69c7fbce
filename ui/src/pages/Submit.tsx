// Submit a workflow: pasted or uploaded YAML (checked as it is typed: the YAML parser first,
// then the server's lint, each problem at its line), or a WorkflowTemplate with its parameters.
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, get, post } from '../api';
import { ErrorMessage } from '../components/Alert';
import { NamespacePicker } from '../components/NamespacePicker';
import { lintYaml, type Problem } from '../lint';
import { navigate } from '../router';
import { can } from '../roles';
import type { List, Parameter, Session, Workflow } from '../types';

interface Props {
  session: Session;
  ns: string;
  query: URLSearchParams;
}

export function Submit({ session, ns, query }: Props) {
  const template = query.get('template');
  const mode = template !== null ? 'template' : 'yaml';
  return (
    <main id="main">
      <div class="page-head">
        <h1>Submit</h1>
        <NamespacePicker session={session} ns={ns} to={(n) => `/submit/${enc(n)}${mode === 'template' ? '?template=' : ''}`} />
      </div>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'yaml'} class={mode === 'yaml' ? 'active' : ''} onClick={() => navigate(`/submit/${enc(ns)}`)}>YAML</button>
        <button type="button" role="tab" aria-selected={mode === 'template'} class={mode === 'template' ? 'active' : ''} onClick={() => navigate(`/submit/${enc(ns)}?template=`)}>From a template</button>
      </div>
      {mode === 'yaml' ? (
        can(session, ns, 'author') ? <YamlSubmit ns={ns} /> : <p class="notice">Submitting YAML needs the author role in {ns}; submitters can run templates.</p>
      ) : can(session, ns, 'submitter') ? (
        <TemplateSubmit ns={ns} chosen={template ?? ''} />
      ) : (
        <p class="notice">Submitting needs the submitter role in {ns}.</p>
      )}
    </main>
  );
}

function YamlSubmit({ ns }: { ns: string }) {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [workflow, setWorkflow] = useState<unknown>();
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  // Lint a moment after typing stops; a newer edit makes an older answer irrelevant.
  useEffect(() => {
    setChecked(false);
    setWorkflow(undefined);
    if (!text.trim()) return setProblems([]);
    let stale = false;
    const timer = setTimeout(async () => {
      try {
        const r = await lintYaml(ns, text);
        if (stale) return;
        setProblems(r.problems);
        setWorkflow(r.workflow);
      } catch (e) {
        if (!stale) setProblems([{ message: e instanceof Error ? e.message : String(e) }]);
      }
      if (!stale) setChecked(true);
    }, 400);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [text, ns]);

  const goTo = (line?: number) => {
    const a = area.current;
    if (!a || !line) return;
    const starts = a.value.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = a.value.indexOf('\n', starts);
    a.focus();
    a.setSelectionRange(starts, end < 0 ? a.value.length : end);
  };

  const submit = async () => {
    if (!workflow) return;
    setBusy(true);
    setError(undefined);
    try {
      const wf = await post<Workflow>(`/api/v1/workflows/${enc(ns)}`, { namespace: ns, workflow });
      navigate(`/workflows/${enc(ns)}/${enc(wf.metadata.name)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const lines = text.split('\n');
  return (
    <section>
      <label for="yaml">Workflow YAML</label>{' '}
      <input
        type="file"
        accept=".yaml,.yml,.json"
        aria-label="Upload a YAML file"
        onChange={async (e) => {
          const f = (e.target as HTMLInputElement).files?.[0];
          if (f) setText(await f.text());
        }}
      />
      <textarea id="yaml" ref={area} class="code" rows={22} spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} placeholder="apiVersion: argoproj.io/v1alpha1&#10;kind: Workflow&#10;..." />
      <div class="lint" aria-live="polite">
        {problems.length > 0 ? (
          <ul class="problems" aria-label="Problems">
            {problems.map((p, i) => (
              <li key={i}>
                <button type="button" class="link" onClick={() => goTo(p.line)} data-line={p.line ?? ''}>
                  {p.line ? `Line ${p.line}` : 'Workflow'}
                </button>
                : {p.path ? `${p.path}: ` : ''}{p.message}
                {p.line && lines[p.line - 1] !== undefined && <code class="excerpt">{lines[p.line - 1].trim().slice(0, 80)}</code>}
              </li>
            ))}
          </ul>
        ) : checked ? (
          <p class="ok">No problems found.</p>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      <button type="button" class="primary" disabled={busy || !checked || problems.length > 0 || !workflow} onClick={submit}>Submit</button>
    </section>
  );
}

interface Template {
  metadata: { name: string };
  spec?: { entrypoint?: string; arguments?: { parameters?: Parameter[] } };
}

function TemplateSubmit({ ns, chosen }: { ns: string; chosen: string }) {
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    get<List<Template>>(`/api/v1/workflow-templates/${enc(ns)}`).then((l) => setTemplates(l.items ?? []), setError);
  }, [ns]);
  const t = templates?.find((x) => x.metadata.name === chosen);
  const params = t?.spec?.arguments?.parameters ?? [];

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = e.currentTarget as HTMLFormElement;
    const values = params.map((p) => `${p.name}=${(f.elements.namedItem('p-' + p.name) as HTMLInputElement).value}`);
    setBusy(true);
    setError(undefined);
    try {
      const wf = await post<Workflow>(`/api/v1/workflows/${enc(ns)}/submit`, {
        namespace: ns,
        resourceKind: 'WorkflowTemplate',
        resourceName: chosen,
        submitOptions: { parameters: values },
      });
      navigate(`/workflows/${enc(ns)}/${enc(wf.metadata.name)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!templates) return error ? <ErrorMessage error={error} /> : <p class="muted">Loading templates…</p>;
  if (!templates.length) return <p class="muted">No WorkflowTemplates in {ns}.</p>;
  return (
    <form onSubmit={submit} class="template-form">
      <label for="tpl">WorkflowTemplate</label>
      <select id="tpl" value={chosen} onChange={(e) => navigate(`/submit/${enc(ns)}?template=${enc((e.target as HTMLSelectElement).value)}`)}>
        <option value="">choose…</option>
        {templates.map((x) => <option key={x.metadata.name} value={x.metadata.name}>{x.metadata.name}</option>)}
      </select>
      {t && params.map((p) => (
        <div class="field" key={p.name}>
          <label for={'p-' + p.name}>{p.name}</label>
          {p.enum ? (
            <select id={'p-' + p.name} name={'p-' + p.name} defaultValue={p.value ?? p.default}>
              {p.enum.map((v) => <option key={v}>{v}</option>)}
            </select>
          ) : (
            <input id={'p-' + p.name} name={'p-' + p.name} defaultValue={p.value ?? p.default ?? ''} />
          )}
          {p.description && <small class="muted">{p.description}</small>}
        </div>
      ))}
      <ErrorMessage error={error} />
      <button type="submit" class="primary" disabled={!t || busy}>Submit</button>
    </form>
  );
}
