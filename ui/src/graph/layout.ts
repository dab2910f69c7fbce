// Node sizes and the dagre layout (top to bottom, as Argo draws workflows). Big graphs are laid
// out in a worker (layout.worker.ts) so that the page keeps answering while dagre works.
import dagre from '@dagrejs/dagre';
import type { VisibleGraph, VisibleNode } from './model';

export interface LayoutInput {
  nodes: { id: string; w: number; h: number }[];
  edges: [string, string][];
}

export interface LayoutResult {
  pos: Record<string, { x: number; y: number; w: number; h: number }>;
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
  ms: number; // time dagre took (reported by bench/ui_graph.mjs)
}

export function sizeOf(n: VisibleNode): { w: number; h: number } {
  if (n.kind === 'node' && (n.type === 'StepGroup' || n.type === 'TaskGroup')) return { w: 18, h: 18 };
  if (n.kind !== 'node') return { w: 190, h: 44 };
  return { w: 170, h: 36 };
}

export function layoutInput(g: VisibleGraph): LayoutInput {
  return { nodes: g.nodes.map((n) => ({ id: n.id, ...sizeOf(n) })), edges: g.edges };
}

export function runLayout(input: LayoutInput): LayoutResult {
  const started = performance.now();
  const d = new dagre.graphlib.Graph();
  // The network-simplex ranker and the full ordering heuristic are the nicest but grow quickly
  // with size; past a few hundred nodes the cheaper choices (and one alignment instead of four
  // balanced ones) keep the layout within budget.
  const big = input.nodes.length > 300;
  d.setGraph({ rankdir: 'TB', nodesep: 16, ranksep: 36, marginx: 20, marginy: 20, ranker: big ? 'tight-tree' : 'network-simplex', ...(big ? { align: 'UL' as const } : {}) });
  d.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) d.setNode(n.id, { width: n.w, height: n.h });
  for (const [a, b] of input.edges) d.setEdge(a, b);
  dagre.layout(d, big ? { disableOptimalOrderHeuristic: true } : undefined);
  const pos: LayoutResult['pos'] = {};
  for (const id of d.nodes()) {
    const p = d.node(id) as any;
    pos[id] = { x: p.x, y: p.y, w: p.width, h: p.height };
  }
  const edges = d.edges().map((e: any) => ({ from: e.v, to: e.w, points: ((d.edge(e) as any).points ?? []) as { x: number; y: number }[] }));
  const gl = d.graph() as any;
  return { pos, edges, width: gl.width ?? 0, height: gl.height ?? 0, ms: performance.now() - started };
}

// Small graphs: right here (a worker costs more than it saves). Big ones: in a worker.
let worker: Worker | undefined;
let seq = 0;
const pending = new Map<number, (r: LayoutResult) => void>();
const inputs = new Map<number, LayoutInput>();

// Starts the worker ahead of need (while the workflow is still being fetched), so that its
// script is loaded and compiled by the time a big graph arrives.
export function warmLayoutWorker() {
  if (typeof Worker !== 'undefined') startWorker();
}

function startWorker() {
  if (!worker) {
    worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<{ id: number; result: LayoutResult }>) => {
      pending.get(e.data.id)?.(e.data.result);
      pending.delete(e.data.id);
      inputs.delete(e.data.id);
    };
    worker.onerror = () => onWorkerError(inputs);
  }
}

export function layoutAsync(input: LayoutInput): Promise<LayoutResult> {
  if (input.nodes.length <= 300 || typeof Worker === 'undefined' || workerFailed) return Promise.resolve(runLayout(input));
  startWorker();
  const id = ++seq;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    inputs.set(id, input);
    worker!.postMessage({ id, input });
  });
}

// A worker that cannot start (an old browser, a stricter policy) must not leave the graph
// "laying out" forever: what it was asked is done here instead, and so is everything after.
let workerFailed = false;
function onWorkerError(asked: Map<number, LayoutInput>) {
  workerFailed = true;
  for (const [id, input] of asked) pending.get(id)?.(runLayout(input));
  pending.clear();
  inputs.clear();
}
