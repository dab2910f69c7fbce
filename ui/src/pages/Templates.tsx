// WorkflowTemplates of a namespace and the ClusterWorkflowTemplates, with their parameters and
// YAML; a template can be submitted from here.
import { useEffect, useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { enc, get } from '../api';
import { ErrorMessage } from '../components/Alert';
import { NamespacePicker } from '../components/NamespacePicker';
import { ago } from '../format';
import { can } from '../roles';
import type { List, Session } from '../types';

interface Template {
  metadata: { name: string; creationTimestamp?: string };
  spec?: { entrypoint?: string; arguments?: { parameters?: { name: string }[] } };
}

function TemplateTable({ items, ns, submit }: { items: Template[]; ns?: string; submit: boolean }) {
  if (!items.length) return <p class="muted">None.</p>;
  return (
    <div class="table-wrap">
      <table class="list">
        <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Entrypoint</th><th scope="col">Parameters</th><th scope="col">YAML</th></tr></thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.metadata.name}>
              <td>{submit && ns ? <a href={`/submit/${enc(ns)}?template=${enc(t.metadata.name)}`} title="Submit">{t.metadata.name}</a> : t.metadata.name}</td>
              <td>{ago(t.metadata.creationTimestamp)}</td>
              <td>{t.spec?.entrypoint}</td>
              <td>{(t.spec?.arguments?.parameters ?? []).map((p) => p.name).join(', ')}</td>
              <td><details><summary>show</summary><pre class="yaml">{stringify(t)}</pre></details></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Templates({ session, ns }: { session: Session; ns: string }) {
  const [own, setOwn] = useState<Template[] | null>(null);
  const [cluster, setCluster] = useState<Template[] | null>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setError(undefined);
    get<List<Template>>(`/api/v1/workflow-templates/${enc(ns)}`).then((l) => setOwn(l.items ?? []), setError);
    get<List<Template>>('/api/v1/cluster-workflow-templates').then((l) => setCluster(l.items ?? []), setError);
  }, [ns]);
  return (
    <main id="main">
      <div class="page-head">
        <h1>Templates</h1>
        <NamespacePicker session={session} ns={ns} to={(n) => `/templates/${enc(n)}`} />
      </div>
      <ErrorMessage error={error} />
      <h2>WorkflowTemplates in {ns}</h2>
      {own ? <TemplateTable items={own} ns={ns} submit={can(session, ns, 'submitter')} /> : <p class="muted">Loading…</p>}
      <h2>ClusterWorkflowTemplates</h2>
      {cluster ? <TemplateTable items={cluster} submit={false} /> : <p class="muted">Loading…</p>}
    </main>
  );
}
