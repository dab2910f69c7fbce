#!/usr/bin/env node
// How long the dashboard takes to draw a big workflow's graph in headless Chromium.
//
//   node bench/ui_graph.mjs            (needs ui/dist: scripts/setup-ui)
//
// No server: the page is loaded from ui/dist through playwright's request interception, and
// the API answers with a made-up workflow status, so only the dashboard is measured. Each case
// is timed from navigation start to the first frame that shows the laid-out graph (fetch,
// parse, fold, dagre layout, SVG), the median of RUNS fresh page loads.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(SOURCE, 'ui', 'dist');
const RUNS = Number(process.env.RUNS ?? 3);
const ORIGIN = 'https://rampart.bench';
if (!existsSync(join(DIST, 'index.html'))) {
  console.error('ui_graph: no ui/dist; run scripts/setup-ui first');
  process.exit(1);
}
const { chromium } = createRequire(join(SOURCE, 'ui', 'package.json'))('playwright-core');

const t0 = Date.parse('2026-11-29T00:00:00Z');
const iso = (ms) => new Date(t0 + ms).toISOString().replace(/\.\d+Z$/, 'Z');

function node(id, displayName, type, extra = {}) {
  return { id, name: id, displayName, type, phase: 'Succeeded', startedAt: iso(0), finishedAt: iso(60_000), ...extra };
}

// Argo's shape of a steps workflow with a loop: prepare, N items in parallel, report.
function stepsLoop(total) {
  const name = 'big';
  const n = {};
  const items = total - 6;
  n[name] = node(name, name, 'Steps', { children: [`${name}-sg0`] });
  n[`${name}-sg0`] = node(`${name}-sg0`, '[0]', 'StepGroup', { boundaryID: name, children: [`${name}-prep`] });
  n[`${name}-prep`] = node(`${name}-prep`, 'prepare', 'Pod', { boundaryID: name, children: [`${name}-sg1`] });
  n[`${name}-sg1`] = node(`${name}-sg1`, '[1]', 'StepGroup', { boundaryID: name, children: [] });
  n[`${name}-sg2`] = node(`${name}-sg2`, '[2]', 'StepGroup', { boundaryID: name, children: [`${name}-report`] });
  n[`${name}-report`] = node(`${name}-report`, 'report', 'Pod', { boundaryID: name });
  for (let i = 0; i < items; i++) {
    const id = `${name}-item-${i}`;
    n[`${name}-sg1`].children.push(id);
    n[id] = node(id, `process(${i}:${i})`, 'Pod', {
      boundaryID: name,
      children: [`${name}-sg2`],
      phase: i % 97 === 5 ? 'Failed' : 'Succeeded',
      startedAt: iso(1000 + (i % 50) * 100),
      finishedAt: iso(5000 + (i % 50) * 300),
    });
  }
  return n;
}

// A DAG of distinct tasks in layers, each depending on two of the layer before: nothing folds.
function dagLayers(total, width) {
  const name = 'big';
  const n = { [name]: node(name, name, 'DAG', { children: [] }) };
  const layers = Math.ceil((total - 1) / width);
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width && 1 + l * width + i < total; i++) {
      const id = `${name}-t${l}-${i}`;
      n[id] = node(id, `task-${l}-${i}`, 'Pod', { boundaryID: name, children: [], startedAt: iso(l * 1000), finishedAt: iso(l * 1000 + 900) });
      if (l === 0) n[name].children.push(id);
      else for (const j of [i, (i * 7 + 3) % width]) n[`${name}-t${l - 1}-${j}`]?.children.push(id);
    }
  }
  return n;
}

function workflow(nodes) {
  return {
    metadata: { name: 'big', namespace: 'argo', creationTimestamp: iso(0) },
    spec: { entrypoint: 'main' },
    status: { phase: 'Succeeded', startedAt: iso(0), finishedAt: iso(60_000), nodes },
  };
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

async function measure(browser, wf, query) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const body = JSON.stringify(wf);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const p = url.pathname;
    const json = (o) => route.fulfill({ status: 200, contentType: 'application/json', body: typeof o === 'string' ? o : JSON.stringify(o) });
    if (p === '/api/v1/session') return json({ subject: 'bench', csrfToken: 'x' });
    if (p === '/api/v1/userinfo') return json({ subject: 'bench', roles: { '*': 'viewer' } });
    if (p === '/api/v1/workflows/argo/big') return json(body);
    if (p.startsWith('/api/')) return route.fulfill({ status: 204 }); // event streams: none
    const file = p.startsWith('/assets/') || p === '/favicon.svg' ? join(DIST, p) : join(DIST, 'index.html');
    // The server's own policy, so that the layout worker is measured as it runs for real.
    return route.fulfill({ status: 200, contentType: types[extname(file)] ?? 'application/octet-stream', headers: { 'Content-Security-Policy': CSP }, body: readFileSync(file) });
  });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  await page.goto(`${ORIGIN}/workflows/argo/big${query}`);
  await page.waitForSelector('svg[data-rendered-at]', { timeout: 120_000 });
  const r = await page.evaluate(() => {
    const svg = document.querySelector('svg[data-rendered-at]');
    return { total: Number(svg.getAttribute('data-rendered-at')), layout: Number(svg.getAttribute('data-render-ms')), dagre: Number(svg.getAttribute('data-layout-ms')), shown: Number(svg.getAttribute('data-rendered')), drawn: document.querySelectorAll('.gnode').length };
  });
  // Still responsive afterwards: a zoom step is answered within a frame or two.
  const zoom = await page.evaluate(async () => {
    const start = performance.now();
    document.querySelector('[aria-label="Zoom in"]').click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - start;
  });
  await context.close();
  if (violations.length) throw new Error(`CSP violations: ${violations.join('; ')}`);
  return { ...r, zoom };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases = [
  ['baseline: steps loop, 200 nodes, all drawn', workflow(stepsLoop(200)), '?expand=all'],
  ['steps loop, 2000 nodes, default view (loop folded)', workflow(stepsLoop(2000)), ''],
  ['steps loop, 2000 nodes, all drawn (Expand all)', workflow(stepsLoop(2000)), '?expand=all'],
  ['DAG of 2000 distinct tasks (nothing folds)', workflow(dagLayers(2000, 100)), ''],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const [label, wf, query] of cases) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, wf, query));
    const total = median(runs.map((r) => r.total));
    const layout = median(runs.map((r) => r.layout));
    const zoom = median(runs.map((r) => r.zoom));
    const dagre = median(runs.map((r) => r.dagre));
    const count = Object.keys(wf.status.nodes).length;
    console.log(`${label}: graph of ${count} nodes rendered in ${total} ms (layout and first frame ${layout} ms, of which dagre ${dagre} ms; ${runs[0].drawn} shapes drawn; zoom step ${Math.round(zoom)} ms)`);
  }
} finally {
  await browser.close();
}
