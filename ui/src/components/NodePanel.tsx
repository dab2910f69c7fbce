// Details of one node: what went in, what came out, how it ended, and its log.
import { durationBetween, finished, localTime } from '../format';
import { loopGroupOf } from '../graph/model';
import type { IO, NodeStatus } from '../types';
import { LogView } from './LogView';

interface Props {
  ns: string;
  workflow: string;
  workflowPhase?: string;
  nodes: Record<string, NodeStatus>;
  id: string;
  onToggle: (groupId: string) => void;
  onClose: () => void;
}

function IOTable({ title, io }: { title: string; io?: IO }) {
  const params = io?.parameters ?? [];
  const artifacts = io?.artifacts ?? [];
  if (!params.length && !artifacts.length && io?.result === undefined) return null;
  return (
    <section>
      <h3>{title}</h3>
      <table class="kv">
        <tbody>
          {params.map((p) => (
            <tr key={'p' + p.name}>
              <th scope="row">{p.name}</th>
              <td>
                <code>{p.value ?? p.default ?? ''}</code>
              </td>
            </tr>
          ))}
          {artifacts.map((a) => (
            <tr key={'a' + a.name}>
              <th scope="row">{a.name}</th>
              <td class="muted">artifact{a.path ? ` at ${a.path}` : ''}</td>
            </tr>
          ))}
          {io?.result !== undefined && (
            <tr>
              <th scope="row">result</th>
              <td>
                <code>{io.result}</code>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

export function NodePanel({ ns, workflow, workflowPhase, nodes, id, onToggle, onClose }: Props) {
  if (id.startsWith('loop:')) {
    return (
      <aside class="panel" aria-label="Loop">
        <button type="button" class="close" onClick={onClose} aria-label="Close the panel">×</button>
        <p>A folded loop. <button type="button" onClick={() => onToggle(id)}>Expand</button></p>
      </aside>
    );
  }
  const n = nodes[id];
  if (!n) return null;
  const group = loopGroupOf(nodes, id);
  const exitCode = n.outputs?.exitCode;
  const hasLog = n.type === 'Pod' || n.type === 'Container';
  return (
    <aside class="panel" aria-label={`Node ${n.displayName}`}>
      <button type="button" class="close" onClick={onClose} aria-label="Close the panel">×</button>
      <h2 class="panel-title">{n.displayName || n.name}</h2>
      <table class="kv">
        <tbody>
          <tr><th scope="row">Phase</th><td><span class={`badge phase-${n.phase ?? 'Pending'}`}>{n.phase ?? 'Pending'}</span></td></tr>
          <tr><th scope="row">Type</th><td>{n.type}</td></tr>
          {n.templateName && <tr><th scope="row">Template</th><td>{n.templateName}</td></tr>}
          <tr><th scope="row">Started</th><td>{localTime(n.startedAt)}</td></tr>
          <tr><th scope="row">Duration</th><td>{durationBetween(n.startedAt, n.finishedAt)}</td></tr>
          {exitCode !== undefined && <tr><th scope="row">Exit code</th><td data-testid="exit-code">{exitCode}</td></tr>}
          {n.message && <tr><th scope="row">Message</th><td class="message">{n.message}</td></tr>}
          <tr><th scope="row">ID</th><td><code>{n.id}</code></td></tr>
        </tbody>
      </table>
      {n.type === 'Retry' && (
        <p><button type="button" onClick={() => onToggle(n.id)}>Show or hide the attempts</button></p>
      )}
      {group && nodes[id] && <p><button type="button" onClick={() => onToggle(group)}>Fold this loop</button></p>}
      <IOTable title="Inputs" io={n.inputs} />
      <IOTable title="Outputs" io={n.outputs} />
      {hasLog && <LogView ns={ns} workflow={workflow} node={n.id} follow={!finished(workflowPhase) && !finished(n.phase)} />}
    </aside>
  );
}
