// Runs dagre off the page's thread for big graphs (see layout.ts).
import { runLayout, type LayoutInput } from './layout';

self.onmessage = (e: MessageEvent<{ id: number; input: LayoutInput }>) => {
  (self as unknown as Worker).postMessage({ id: e.data.id, result: runLayout(e.data.input) });
};
