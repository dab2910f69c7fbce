// Runs dagre off the page's thread for big graphs (see layout.ts).
import { runLayout, type LayoutInput } from './layout';

self.onmessage = (e: MessageEvent<{ id: number; input: LayoutInput }>) => {
  (self as unknown as Worker).postMessage({ id: e.data.id, result: runLayout(e.data.input) });
};

// Warm-up: dagre's first run in a fresh worker is much slower than later ones (the JIT has not
// seen it yet). The page starts the worker while it fetches the workflow, so this costs nothing.
const warm = { nodes: [] as LayoutInput['nodes'], edges: [] as LayoutInput['edges'] };
for (let i = 0; i < 120; i++) {
  warm.nodes.push({ id: 'n' + i, w: 170, h: 36 });
  if (i > 0) warm.edges.push(['n' + Math.floor((i - 1) / 3), 'n' + i]);
}
runLayout(warm);
