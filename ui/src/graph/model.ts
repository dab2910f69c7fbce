// Turns a workflow's status.nodes into the graph that is drawn: Argo's own nodes, with the items
// of a loop (withItems/withParam: "name(0:a)", "name(1:b)", ...) and the attempts of a retry
// folded into one group node until expanded. Every hidden node is represented by the visible
// node that stands for it, so edges into and out of a folded part are kept.
import type { NodeStatus } from '../types';

export interface VisibleNode {
  id: string;
  kind: 'node' | 'loop' | 'retry';
  label: string;
  type: string;
  phase: string;
  node?: NodeStatus; // the node itself (also set for a retry, which is a real node)
  members?: string[]; // a loop's items or a retry's attempts
  counts?: Record<string, number>; // members by phase
  expandable: boolean; // a group that can be expanded or folded
  expanded: boolean;
}

export interface VisibleGraph {
  nodes: VisibleNode[];
  edges: [string, string][];
}

// Loops with more items than this start folded; smaller ones are drawn in full.
export const FOLD_LOOPS_LARGER_THAN = 5;

const loopItem = /^(.*)\((\d+)(?::.*)?\)$/;

function groupPhase(counts: Record<string, number>): string {
  for (const p of ['Running', 'Pending', 'Failed', 'Error']) if (counts[p]) return p;
  if (counts.Succeeded) return 'Succeeded';
  return Object.keys(counts)[0] ?? 'Pending';
}

export interface FoldState {
  toggled: Set<string>; // group ids whose default (folded or not) the user flipped
  expandAll: boolean;
}

export function buildGraph(nodes: Record<string, NodeStatus>, fold: FoldState): VisibleGraph {
  const ids = Object.keys(nodes);

  const attempts = new Set<string>();
  for (const id of ids) if (nodes[id].type === 'Retry') for (const c of nodes[id].children ?? []) attempts.add(c);

  // Loops: siblings of one template invocation (same boundary) named base(i...).
  const loops = new Map<string, string[]>();
  for (const id of ids) {
    const n = nodes[id];
    const m = loopItem.exec(n.displayName ?? '');
    if (!m || n.type === 'StepGroup' || n.type === 'TaskGroup') continue;
    // Retry attempts are "name(0)", "name(1)": they belong to their Retry node, not a loop.
    if (attempts.has(id)) continue;
    const key = `loop:${n.boundaryID ?? ''}:${m[1]}`;
    const list = loops.get(key);
    if (list) list.push(id);
    else loops.set(key, [id]);
  }

  const isOpen = (groupId: string, defaultOpen: boolean) =>
    fold.expandAll || (fold.toggled.has(groupId) ? !defaultOpen : defaultOpen);

  // Folded member -> the group id that stands for it.
  const owner = new Map<string, string>();
  const groups: VisibleNode[] = [];
  for (const [key, members] of loops) {
    if (members.length < 2) continue;
    const open = isOpen(key, members.length <= FOLD_LOOPS_LARGER_THAN);
    const counts = countPhases(nodes, members);
    const first = nodes[members[0]];
    const base = loopItem.exec(first.displayName)![1];
    groups.push({
      id: key,
      kind: 'loop',
      label: `${base} ×${members.length}`,
      type: first.type,
      phase: groupPhase(counts),
      members,
      counts,
      expandable: true,
      expanded: open,
    });
    if (!open) for (const m of members) owner.set(m, key);
  }
  const retries = new Map<string, VisibleNode>();
  for (const id of ids) {
    const n = nodes[id];
    if (n.type !== 'Retry' || !n.children?.length) continue;
    const open = isOpen(id, false);
    const counts = countPhases(nodes, n.children);
    retries.set(id, {
      id,
      kind: 'retry',
      label: `${n.displayName} (${n.children.length} ${n.children.length === 1 ? 'attempt' : 'attempts'})`,
      type: n.type,
      phase: n.phase ?? 'Pending',
      node: n,
      members: n.children,
      counts,
      expandable: true,
      expanded: open,
    });
    if (!open) for (const c of n.children) if (!owner.has(c)) owner.set(c, id);
  }

  // The visible node standing for `id`: the outermost folded group among the node and the
  // template invocations around it (boundaryID chain).
  const repCache = new Map<string, string>();
  const rep = (id: string): string => {
    const cached = repCache.get(id);
    if (cached !== undefined) return cached;
    let result = id;
    let cur: string | undefined = id;
    const seen = new Set<string>();
    while (cur && nodes[cur] && !seen.has(cur)) {
      seen.add(cur);
      const o = owner.get(cur);
      if (o) result = o.startsWith('loop:') ? o : rep(o);
      cur = nodes[cur].boundaryID;
    }
    repCache.set(id, result);
    return result;
  };

  const out: VisibleNode[] = [];
  const shown = new Set<string>();
  for (const g of groups) {
    if (g.expanded) continue;
    // A folded loop inside another folded part is itself hidden.
    if (rep(g.members![0]) === g.id) {
      out.push(g);
      shown.add(g.id);
    }
  }
  for (const id of ids) {
    if (rep(id) !== id) continue;
    const retry = retries.get(id);
    out.push(
      retry ?? {
        id,
        kind: 'node',
        label: nodes[id].displayName || nodes[id].name,
        type: nodes[id].type,
        phase: nodes[id].phase ?? 'Pending',
        node: nodes[id],
        expandable: false,
        expanded: false,
      },
    );
    shown.add(id);
  }
  const edges: [string, string][] = [];
  const seenEdges = new Set<string>();
  for (const id of ids) {
    const from = rep(id);
    for (const c of nodes[id].children ?? []) {
      if (!nodes[c]) continue;
      const to = rep(c);
      if (from === to || !shown.has(from) || !shown.has(to)) continue;
      const k = `${from}\u0000${to}`;
      if (seenEdges.has(k)) continue;
      seenEdges.add(k);
      edges.push([from, to]);
    }
  }
  return { nodes: out, edges };
}

function countPhases(nodes: Record<string, NodeStatus>, ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    const p = nodes[id]?.phase ?? 'Pending';
    counts[p] = (counts[p] ?? 0) + 1;
  }
  return counts;
}

// The group an expanded loop item belongs to, so it can be folded again from its panel.
export function loopGroupOf(nodes: Record<string, NodeStatus>, id: string): string | undefined {
  const n = nodes[id];
  const m = n && loopItem.exec(n.displayName ?? '');
  return m ? `loop:${n.boundaryID ?? ''}:${m[1]}` : undefined;
}

// A string that changes only when the drawn shape changes (not on phase changes), so layout
// runs again only when it must.
export function shapeKey(g: VisibleGraph): string {
  let s = '';
  for (const n of g.nodes) s += n.id + '|' + n.label + ';';
  for (const [a, b] of g.edges) s += a + '>' + b + ';';
  return s;
}
