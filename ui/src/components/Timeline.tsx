// A Gantt chart of every node that started: one row each, bars scaled to the workflow's span.
import { duration, ms } from '../format';
import type { NodeStatus } from '../types';

interface Props {
  nodes: Record<string, NodeStatus>;
  selected?: string;
  onSelect: (id: string) => void;
}

export function Timeline({ nodes, selected, onSelect }: Props) {
  const rows = Object.values(nodes)
    .filter((n) => ms(n.startedAt) !== undefined)
    .sort((a, b) => ms(a.startedAt)! - ms(b.startedAt)! || a.name.localeCompare(b.name));
  if (!rows.length) return <p class="muted">No node has started yet.</p>;
  const now = Date.now();
  // Argo's times have whole seconds: a node that finished "at 12:00:05" finished within that
  // second, so its bar runs to the end of it (and a sub-second step still shows a bar).
  const endOf = (n: NodeStatus) => (ms(n.finishedAt) !== undefined ? ms(n.finishedAt)! + 1000 : now);
  const start = Math.min(...rows.map((n) => ms(n.startedAt)!));
  const end = Math.max(...rows.map(endOf));
  const span = Math.max(1, end - start);
  return (
    <div class="timeline" role="table" aria-label="Timeline of nodes">
      <div class="tl-row tl-head" role="row">
        <span role="columnheader">Node</span>
        <span role="columnheader">0s — {duration(span)}</span>
      </div>
      {rows.map((n) => {
        const a = ms(n.startedAt)! - start;
        const b = endOf(n) - start;
        return (
          <div class={`tl-row${n.id === selected ? ' selected' : ''}`} role="row" key={n.id}>
            <span role="cell" class="tl-cell">
              <button type="button" class="tl-name" onClick={() => onSelect(n.id)} title={n.name}>
                {n.displayName || n.name} <span class="muted">{n.type}</span>
              </button>
            </span>
            <span role="cell" class="tl-track">
              <span
                class={`tl-bar phase-${n.phase ?? 'Pending'}`}
                style={{ left: `${(a / span) * 100}%`, width: `${Math.max(0.3, ((b - a) / span) * 100)}%` }}
                title={`${n.phase}: ${duration(b - a)}`}
              />
            </span>
          </div>
        );
      })}
    </div>
  );
}
