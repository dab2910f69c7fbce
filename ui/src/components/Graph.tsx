// The workflow's node graph: dagre layout, SVG drawing, pan and zoom (mouse, wheel, keys),
// phases as colours, loops and retries folded into group nodes that expand on Enter or click.
import { Component, type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { buildGraph, shapeKey, type FoldState, type VisibleNode } from '../graph/model';
import { layoutAsync, layoutInput, type LayoutResult } from '../graph/layout';
import type { NodeStatus } from '../types';

interface Props {
  nodes: Record<string, NodeStatus>;
  fold: FoldState;
  selected?: string;
  onSelect: (id: string) => void;
  onToggle: (groupId: string) => void;
}

const phaseMark: Record<string, string> = { Succeeded: '✔', Failed: '✖', Error: '⚠', Running: '●', Pending: '○', Skipped: '–', Omitted: '–' };

function short(s: string, n: number) {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

// Panning and zooming change only the outer transform: the 2,000 shapes inside are not diffed
// again unless the layout, the graph or the selection changed.
class Frozen extends Component<{ deps: unknown[]; render: () => ComponentChildren }> {
  shouldComponentUpdate(next: { deps: unknown[] }) {
    return next.deps.some((d, i) => d !== this.props.deps[i]);
  }
  render() {
    return this.props.render();
  }
}

export function Graph({ nodes, fold, selected, onSelect, onToggle }: Props) {
  const graph = useMemo(() => buildGraph(nodes, fold), [nodes, fold]);
  const key = useMemo(() => shapeKey(graph), [graph]);
  const [layout, setLayout] = useState<{ key: string; result: LayoutResult; started: number } | null>(null);
  const [view, setView] = useState({ x: 0, y: 0, k: 1 });
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);
  const fitted = useRef(false);

  useEffect(() => {
    let cancelled = false;
    const started = performance.now();
    layoutAsync(layoutInput(graph)).then((result) => {
      if (!cancelled) setLayout({ key, result, started });
    });
    return () => void (cancelled = true);
  }, [key]);

  // Fit the first layout to the width (never zoom in past 1:1), then leave the view alone.
  useEffect(() => {
    if (!layout || fitted.current || !svgRef.current) return;
    fitted.current = true;
    const width = svgRef.current.clientWidth || 800;
    const k = Math.min(1, width / Math.max(1, layout.result.width));
    setView({ x: Math.max(0, (width - layout.result.width * k) / 2), y: 0, k: Math.max(k, 0.05) });
  }, [layout]);

  // Time from the start of the layout to the first frame that shows it (for bench/ui_graph).
  useEffect(() => {
    if (!layout || !svgRef.current) return;
    const svg = svgRef.current;
    requestAnimationFrame(() => {
      svg.setAttribute('data-render-ms', String(Math.round(performance.now() - layout.started)));
      svg.setAttribute('data-rendered', String(graph.nodes.length));
      svg.setAttribute('data-layout-ms', String(Math.round(layout.result.ms)));
      svg.setAttribute('data-rendered-at', String(Math.round(performance.now())));
    });
  }, [layout]);

  const zoom = (factor: number, cx?: number, cy?: number) =>
    setView((v) => {
      const k = Math.min(4, Math.max(0.05, v.k * factor));
      const px = cx ?? (svgRef.current?.clientWidth ?? 0) / 2;
      const py = cy ?? (svgRef.current?.clientHeight ?? 0) / 2;
      return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
    });

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const r = svgRef.current!.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  };
  const onPointerDown = (e: PointerEvent) => {
    if ((e.target as Element).closest('.gnode')) return;
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (d) setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const step = 60;
    const moves: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[e.key] && e.target === svgRef.current) {
      e.preventDefault();
      setView((v) => ({ ...v, x: v.x + moves[e.key][0], y: v.y + moves[e.key][1] }));
    } else if (e.key === '+' || e.key === '=') zoom(1.2);
    else if (e.key === '-') zoom(1 / 1.2);
  };

  // Through a ref, so that the frozen shapes always call the current handlers.
  const handlers = useRef({ onSelect, onToggle });
  handlers.current = { onSelect, onToggle };
  const activate = (n: VisibleNode) => {
    if (n.kind === 'loop') handlers.current.onToggle(n.id);
    else handlers.current.onSelect(n.id);
  };

  const small = graph.nodes.length <= 300;
  const current = layout && layout.key === key ? layout.result : layout?.result;
  return (
    <div class="graph">
      <div class="graph-tools" role="toolbar" aria-label="Graph view">
        <button type="button" onClick={() => zoom(1.2)} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => zoom(1 / 1.2)} aria-label="Zoom out">−</button>
        <button type="button" onClick={() => { fitted.current = false; setLayout((l) => (l ? { ...l } : l)); }}>Fit</button>
        <span class="muted">{graph.nodes.length} shown of {Object.keys(nodes).length} nodes{!layout || layout.key !== key ? ' · laying out…' : ''}</span>
      </div>
      <svg
        ref={svgRef}
        class="graph-canvas"
        {...{ tabindex: 0 }}
        role="group"
        aria-label="Workflow graph: arrow keys pan, + and - zoom, Tab moves between nodes"
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = null)}
        onKeyDown={onKeyDown}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
          </marker>
        </defs>
        {current && (
          <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
            <Frozen deps={[current, graph, selected]} render={() => <>
            {small ? (
              current.edges.map((e) => (
                <path key={e.from + '>' + e.to} class="edge" marker-end="url(#arrow)" d={'M' + e.points.map((p) => `${p.x},${p.y}`).join('L')} />
              ))
            ) : (
              // Thousands of edges as one path: one element to draw instead of one each (the
              // graph runs top-down, so the arrowheads are left out).
              <path class="edge" d={current.edges.map((e) => 'M' + e.points.map((p) => `${p.x},${p.y}`).join('L')).join('')} />
            )}
            {/* Tooltips for small graphs only: 2,000 <title>s cost more than they help. */}
            {graph.nodes.map((n) => {
              const p = current.pos[n.id];
              if (!p) return null;
              const cls = `gnode kind-${n.kind} phase-${n.phase}${n.id === selected ? ' selected' : ''}`;
              const label = `${n.label}, ${n.phase}${n.kind === 'loop' ? (n.expanded ? ', expanded' : ', folded: Enter expands') : ''}`;
              const common = {
                class: cls,
                // SVG attributes are case-sensitive: "tabIndex" would not make it focusable.
                tabindex: 0,
                role: 'button' as const,
                'aria-label': label,
                'data-node': n.id,
                onClick: () => activate(n),
                onKeyDown: (e: KeyboardEvent) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    activate(n);
                  }
                },
              };
              if (n.kind === 'node' && (n.type === 'StepGroup' || n.type === 'TaskGroup')) {
                return (
                  <g {...common} transform={`translate(${p.x},${p.y})`}>
                    {small && <title>{label}</title>}
                    <circle r={p.w / 2} />
                  </g>
                );
              }
              return (
                <g {...common} transform={`translate(${p.x - p.w / 2},${p.y - p.h / 2})`}>
                  {small && <title>{label}</title>}
                  {n.kind !== 'node' && <rect class="stack" x={4} y={-4} width={p.w} height={p.h} rx={18} />}
                  <rect width={p.w} height={p.h} rx={n.kind === 'node' && n.type === 'Pod' ? 6 : 18} />
                  <text x={10} y={n.kind === 'node' ? 22 : 19} class="glabel">
                    {phaseMark[n.phase] ?? '○'} {short(n.label, 22)}
                  </text>
                  {n.counts && (
                    <text x={10} y={35} class="gsub">
                      {Object.entries(n.counts).map(([ph, c]) => `${c} ${ph.toLowerCase()}`).join(' · ')}
                      {n.kind === 'loop' ? (n.expanded ? ' · fold' : ' · expand') : ''}
                    </text>
                  )}
                </g>
              );
            })}
            </>} />
          </g>
        )}
      </svg>
    </div>
  );
}
