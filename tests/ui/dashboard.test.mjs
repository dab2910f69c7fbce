// End-to-end tests of the dashboard: Debian's Chromium (headless, playwright-core) against a
// real `rampart server` serving ui/dist.
//
//   node tests/ui/dashboard.test.mjs /path/to/rampart
//
// Screenshots of the pages go to build/ui-screenshots/ (or $UI_SCREENSHOTS) for a person to
// look at. Exit 77 (ctest SKIP) when Chromium or the built UI is missing, except in CI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { CONFORMANCE, SECRET_VALUE, Server, launchChromium, requirePrerequisites, screenshotDir } from './harness.mjs';

const RAMPART = process.argv[2] ?? process.env.RAMPART;
requirePrerequisites(RAMPART);

const EXACT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
// Fails every time (exit code 3), so a retry runs it again and it fails again, later.
const FAILING = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'fails-once', labels: { team: 'ui' } },
  spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox', command: ['sh', '-c', 'echo about to fail; exit 3'] } }] },
};
const BAD_LINT = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: typo-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: one
        template: mian
`;

let server, browser, shots, viewer;
const timeout = { timeout: 120_000 };

before(async () => {
  server = new Server(RAMPART);
  await server.start();
  viewer = server.token('vera', 'viewer', 'argo');
  browser = await launchChromium();
  shots = screenshotDir();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.consoleErrors = consoleErrors;
  return { context, page };
}

async function login(page, token) {
  await page.goto(server.url + '/');
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=subject]');
}

async function waitForPhase(page, phases) {
  await page.waitForFunction(
    (wanted) => wanted.includes(document.querySelector('[data-testid=workflow-phase]')?.textContent ?? ''),
    phases,
    timeout,
  );
  return page.textContent('[data-testid=workflow-phase]');
}

function raw(path) {
  const u = new URL(server.url);
  return new Promise((ok, fail) => {
    const r = request({ host: u.hostname, port: u.port, path, method: 'GET', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    r.on('error', fail);
    r.end();
  });
}

test('files are served with the security headers, cached by hash, and never outside ui/dist', async () => {
  const index = await raw('/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-security-policy'], EXACT_CSP);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.equal(index.headers['referrer-policy'], 'no-referrer');
  assert.equal(index.headers['cache-control'], 'no-store');
  assert.match(index.headers['content-type'], /^text\/html/);
  assert.doesNotMatch(index.body, /<script>|<style>| style=/, 'no inline script or style');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)[1];
  const js = await raw(script);
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'], /^text\/javascript/);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(js.headers['content-security-policy'], EXACT_CSP);
  // A page of the app (deep link) is index.html; a missing file is a 404, not index.html.
  assert.equal((await raw('/workflows/argo/anything')).body, index.body);
  assert.equal((await raw('/workflows/argo/')).body, index.body);
  assert.equal((await raw('/assets/missing-123.js')).status, 404);
  for (const path of ['/../../../../etc/passwd', '/assets/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/.hidden', '/assets/..%5c..%5cetc']) {
    const r = await raw(path);
    assert.doesNotMatch(r.body, /root:/, path);
    assert.notEqual(r.headers['content-type'], 'application/octet-stream', path);
  }
  // The API keeps its own rules: still 401 without credentials, still no-store.
  const api = await raw('/api/v1/version');
  assert.equal(api.status, 401);
  assert.equal(api.headers['cache-control'], 'no-store');
  assert.equal(api.headers['content-security-policy'], EXACT_CSP);
});

test('an anonymous visitor sees the login page and nothing else', async () => {
  // Something to leak: a workflow with a distinctive name and image.
  const wf = { metadata: { name: 'secret-project-x' }, spec: { entrypoint: 'm', templates: [{ name: 'm', container: { image: 'busybox', command: ['true'] } }] } };
  assert.equal((await server.api('POST', '/api/v1/workflows/argo', { workflow: wf })).status, 200);
  const version = (await server.api('GET', '/api/v1/version')).body.version;
  const { context, page } = await newPage();
  const apiAnswers = [];
  page.on('response', (r) => r.url().includes('/api/') && apiAnswers.push([r.url(), r.status()]));
  for (const path of ['/', '/workflows/argo', '/workflows/argo/secret-project-x', '/audit']) {
    await page.goto(server.url + path);
    await page.waitForSelector('#token');
    const html = await page.content();
    for (const leak of ['secret-project-x', 'busybox', version, version.replace(/^v/, '').split('+')[0]]) {
      assert.ok(!html.includes(leak), `${path} shows ${leak}`);
    }
    assert.equal(await page.locator('nav').count(), 0, 'no navigation before login');
  }
  // The only API answer an anonymous visitor got was "log in".
  for (const [url, status] of apiAnswers) assert.equal(status, 401, url);
  await page.screenshot({ path: join(shots, 'login.png') });
  // A wrong token is refused with the server's message.
  await page.fill('#token', 'rampart_0000000000000000_nope');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /not valid/);
  await context.close();
});

test('log in, submit a conformance workflow, watch it finish, read a node log, log out', async () => {
  const { context, page } = await newPage();
  await login(page, server.adminToken);
  // The token was traded for an HttpOnly cookie and is nowhere in the page or its storage.
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'rampart_session');
  assert.ok(session?.httpOnly && session.secure && session.sameSite === 'Strict');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!stored.includes(server.adminToken.slice(-20)) && !stored.includes('rampart_session'));
  assert.ok(!(await page.content()).includes(server.adminToken.slice(-20)));

  // Lint errors appear at their line before anything is submitted.
  await page.click('nav >> text=Submit');
  await page.fill('#yaml', BAD_LINT);
  await page.waitForSelector('.problems li');
  assert.equal(await page.getAttribute('.problems li button', 'data-line'), '11');
  assert.match(await page.textContent('.problems'), /mian/);
  assert.ok(await page.isDisabled('section button.primary'));
  await page.screenshot({ path: join(shots, 'submit-lint.png') });

  // Submit Argo's dag-diamond example, pasted as is.
  await page.fill('#yaml', readFileSync(join(CONFORMANCE, 'dag-diamond.yaml'), 'utf8'));
  await page.waitForSelector('text=No problems found.');
  // Every phase the page shows, in order: it must change in place (event stream), not by reload.
  await page.evaluate(() => {
    window.__phases = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid=workflow-phase]')?.textContent;
      if (p && window.__phases.at(-1) !== p) window.__phases.push(p);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.click('section button.primary');
  await page.waitForURL(/\/workflows\/argo\/dag-diamond-/);
  const name = page.url().split('/').pop().split('?')[0];
  assert.equal(await waitForPhase(page, ['Succeeded', 'Failed', 'Error']), 'Succeeded');
  // The graph shows the four tasks (and the DAG), all succeeded, without reloading the page.
  await page.waitForFunction(() => document.querySelectorAll('.gnode.phase-Succeeded').length >= 5, null, timeout);
  const seen = await page.evaluate(() => window.__phases);
  assert.equal(seen.at(-1), 'Succeeded');
  assert.ok(seen.length >= 2, `the phase changed live on the page: ${seen.join(' -> ')}`);
  for (const task of ['A', 'B', 'C', 'D']) assert.equal(await page.locator(`.gnode[aria-label^="${task}, Succeeded"]`).count(), 1, task);
  await page.waitForSelector('svg[data-rendered]');
  await page.screenshot({ path: join(shots, 'graph.png') });

  // Keyboard: Tab to a node, Enter opens its panel with the log.
  await page.focus('.gnode[aria-label^="B, "]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('aside.panel');
  assert.match(await page.textContent('.panel-title'), /^B$/);
  await page.waitForSelector('[data-log-state=done]', { state: 'attached', ...timeout });
  assert.equal((await page.textContent('.log-text')).trim(), 'B');
  assert.equal(await page.textContent('[data-testid=exit-code]'), '0');
  assert.match(await page.textContent('aside.panel'), /message\s*B/);
  await page.screenshot({ path: join(shots, 'logs.png') });

  await page.click('[role=tab] >> text=Timeline');
  await page.waitForSelector('.tl-bar.phase-Succeeded');
  assert.ok((await page.locator('.tl-row').count()) >= 5);
  await page.screenshot({ path: join(shots, 'timeline.png') });
  await page.click('[role=tab] >> text=YAML');
  assert.match(await page.textContent('pre.yaml'), /name: dag-diamond-\w+\n[\s\S]*entrypoint: diamond/);

  // The list shows it with its phase and progress.
  await page.click('nav >> text=Workflows');
  const row = page.locator(`tr[data-workflow="${name}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Succeeded/);
  assert.match(await row.textContent(), /4\/4/);
  await page.screenshot({ path: join(shots, 'list.png') });

  // Log out: back to the login page, and the cookie no longer works.
  await page.click('text=Log out');
  await page.waitForSelector('#token');
  await page.reload();
  await page.waitForSelector('#token');
  const after = await page.evaluate(async () => (await fetch('/api/v1/userinfo')).status);
  assert.equal(after, 401);
  assert.deepEqual(page.consoleErrors.filter((e) => /Content Security Policy/i.test(e)), []);
  await context.close();
});

test('the list updates live and filters by phase; retry a failed workflow', async () => {
  const { context, page } = await newPage();
  await login(page, server.adminToken);
  await page.goto(server.url + '/workflows/argo?phase=Failed');
  await page.waitForSelector('main h1');
  // Submitted behind the page's back: the event stream brings it in.
  assert.equal((await server.api('POST', '/api/v1/workflows/argo', { workflow: FAILING })).status, 200);
  const row = page.locator('tr[data-workflow="fails-once"]');
  await row.waitFor(timeout);
  await page.waitForFunction(() => /Failed/.test(document.querySelector('tr[data-workflow="fails-once"]')?.textContent ?? ''), null, timeout);
  assert.equal(await page.locator('tr[data-workflow="secret-project-x"]').count(), 0, 'phase filter keeps succeeded ones out');

  // The label filter (from the URL, as a click on a label sets it) keeps only labelled ones.
  await page.goto(server.url + '/workflows/argo?labels=team%3Dui');
  await row.waitFor();
  assert.equal(await page.locator('tr[data-workflow]').count(), 1);
  await page.click('tr[data-workflow="fails-once"] .label');
  assert.match(page.url(), /labels=team%3Dui/);
  await row.locator('a').click();
  assert.equal(await waitForPhase(page, ['Failed', 'Error']), 'Failed');
  await page.click('.gnode[aria-label^="fails-once"]');
  await page.waitForSelector('[data-testid=exit-code]');
  assert.equal(await page.textContent('[data-testid=exit-code]'), '3');
  await page.waitForSelector('[data-log-state=done]', { state: 'attached', ...timeout });
  assert.match(await page.textContent('.log-text'), /about to fail/);
  const before = (await server.api('GET', '/api/v1/workflows/argo/fails-once')).body.status.finishedAt;

  // Retry asks first; Cancel does nothing.
  await page.click('[data-action=retry]');
  await page.waitForSelector('dialog[open]');
  await page.click('dialog >> text=Cancel');
  assert.equal((await server.api('GET', '/api/v1/workflows/argo/fails-once')).body.status.finishedAt, before);
  await page.click('[data-action=retry]');
  await page.click('dialog button.primary');
  // It ran again (and, being deterministic, failed again, later).
  await page.waitForFunction(
    async (b) => {
      const r = await fetch('/api/v1/workflows/argo/fails-once');
      const s = (await r.json()).status;
      return s.phase === 'Failed' && s.finishedAt && s.finishedAt !== b;
    },
    before,
    { ...timeout, polling: 500 },
  );
  assert.equal(await page.locator('.actions .error').count(), 0);
  // The browser's retry went through the session, was allowed and audited under the admin.
  const audit = readFileSync(join(server.state, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(audit.some((a) => a.method === 'PUT' && a.route.endsWith('/retry') && a.object === 'argo/fails-once' && a.decision === 'allowed' && a.subject === 'admin'));
  await context.close();
});

test('loops and retries are folded into groups that expand', async () => {
  const wf = {
    metadata: { name: 'fan-and-retry' },
    spec: {
      entrypoint: 'main',
      templates: [
        { name: 'main', steps: [[{ name: 'fan', template: 'echo', arguments: { parameters: [{ name: 'm', value: '{{item}}' }] }, withSequence: { count: '8' } }], [{ name: 'flaky', template: 'fail' }]] },
        { name: 'echo', inputs: { parameters: [{ name: 'm' }] }, container: { image: 'busybox', command: ['echo', '{{inputs.parameters.m}}'] } },
        { name: 'fail', retryStrategy: { limit: '2' }, container: { image: 'busybox', command: ['sh', '-c', 'echo try; exit 1'] } },
      ],
    },
  };
  assert.equal((await server.api('POST', '/api/v1/workflows/argo', { workflow: wf })).status, 200);
  const { context, page } = await newPage();
  await login(page, server.adminToken);
  await page.goto(server.url + '/workflows/argo/fan-and-retry');
  assert.equal(await waitForPhase(page, ['Succeeded', 'Failed', 'Error']), 'Failed');
  // Eight loop items are one group node; the three attempts hide behind their Retry node.
  const loop = page.locator('.gnode.kind-loop');
  await loop.waitFor();
  assert.match(await loop.getAttribute('aria-label'), /^fan ×8, Succeeded, folded/);
  assert.equal(await page.locator('.gnode[aria-label^="fan("]').count(), 0);
  const retry = page.locator('.gnode.kind-retry');
  assert.match(await retry.getAttribute('aria-label'), /^flaky \(3 attempts\), Failed/);
  assert.equal(await page.locator('.gnode[aria-label^="flaky("]').count(), 0);
  await page.screenshot({ path: join(shots, 'graph-folded.png') });
  // Enter on the group expands it; the retry's panel shows its attempts.
  await loop.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.gnode[aria-label^="fan("]').length === 8);
  await retry.click();
  await page.click('text=Show or hide the attempts');
  await page.waitForFunction(() => document.querySelectorAll('.gnode[aria-label^="flaky("]').length === 3);
  assert.equal(await page.locator('.gnode.phase-Failed[aria-label^="flaky("]').count(), 3);
  await page.screenshot({ path: join(shots, 'graph-expanded.png') });
  await context.close();
});

test('a submitter runs a WorkflowTemplate with a parameter filled in', async () => {
  const template = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: 'greeter' },
    spec: {
      entrypoint: 'main',
      arguments: { parameters: [{ name: 'who', value: 'world' }] },
      templates: [{ name: 'main', container: { image: 'busybox', command: ['echo', 'hello {{workflow.parameters.who}}'] } }],
    },
  };
  assert.equal((await server.api('POST', '/api/v1/workflow-templates/argo', { template })).status, 200);
  const cron = { metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', workflowSpec: { workflowTemplateRef: { name: 'greeter' } } } };
  assert.equal((await server.api('POST', '/api/v1/cron-workflows/argo', { cronWorkflow: cron })).status, 200);
  const submitter = server.token('sam', 'submitter', 'argo');
  const { context, page } = await newPage();
  await login(page, submitter.token);
  await page.click('nav >> text=Templates');
  await page.click('a >> text=greeter');
  await page.waitForSelector('#p-who');
  assert.equal(await page.inputValue('#p-who'), 'world');
  await page.fill('#p-who', 'rampart-ui');
  await page.click('.template-form button.primary');
  await page.waitForURL(/\/workflows\/argo\/greeter-/);
  assert.equal(await waitForPhase(page, ['Succeeded', 'Failed', 'Error']), 'Succeeded');
  await page.click('.gnode.kind-node');
  await page.waitForSelector('[data-log-state=done]', { state: 'attached', ...timeout });
  assert.equal((await page.textContent('.log-text')).trim(), 'hello rampart-ui');
  // A submitter may not submit YAML: the page says so instead of offering an editor.
  await page.click('nav >> text=Submit');
  assert.equal(await page.locator('#yaml').count(), 0);
  assert.match(await page.textContent('main'), /needs the author role/);
  await page.click('nav >> text=Cron');
  await page.waitForSelector('text=0 3 * * *');
  await page.screenshot({ path: join(shots, 'cron.png') });
  await context.close();
});

test('a running node log is followed live; terminate and delete ask first', async () => {
  const wf = {
    metadata: { name: 'slow-logger' },
    spec: { entrypoint: 'main', templates: [
      { name: 'main', steps: [[{ name: 'talk', template: 'talk' }], [{ name: 'wait', template: 'wait' }]] },
      { name: 'talk', container: { image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3 4 5 6; do echo line $i; sleep 1; done'] } },
      { name: 'wait', container: { image: 'busybox', command: ['sleep', '300'] } },
    ] },
  };
  assert.equal((await server.api('POST', '/api/v1/workflows/argo', { workflow: wf })).status, 200);
  const { context, page } = await newPage();
  await login(page, server.adminToken);
  await page.goto(server.url + '/workflows/argo/slow-logger');
  const talk = page.locator('.gnode[aria-label^="talk, "]');
  await talk.waitFor(timeout);
  await talk.click();
  // Lines arrive while the step runs: first some, later all six, then the stream ends.
  await page.waitForSelector('[data-log-state=following]', { state: 'attached', ...timeout });
  await page.waitForFunction(() => /line 1/.test(document.querySelector('.log-text')?.textContent ?? ''), null, timeout);
  const early = await page.textContent('.log-text');
  assert.ok(!early.includes('line 6'), `not everything at once: ${early}`);
  await page.waitForFunction(() => /line 6/.test(document.querySelector('.log-text')?.textContent ?? ''), null, timeout);
  assert.match(await page.textContent('.log-text'), /line 1\nline 2\nline 3\nline 4\nline 5\nline 6/);

  // The second step sleeps: terminate it (after confirming), then delete the workflow.
  await page.waitForSelector('.gnode[aria-label^="wait, Running"]', timeout);
  // Suspend and resume: the button follows the workflow's state (from the event stream).
  await page.click('[data-action=suspend]');
  await page.click('dialog button.primary');
  await page.waitForSelector('[data-action=resume]', timeout);
  await page.click('[data-action=resume]');
  await page.click('dialog button.primary');
  await page.waitForSelector('[data-action=suspend]', timeout);
  await page.click('[data-action=terminate]');
  await page.waitForSelector('dialog[open]');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog[open]', { state: 'detached' });
  assert.equal((await server.api('GET', '/api/v1/workflows/argo/slow-logger')).body.status.phase, 'Running');
  await page.click('[data-action=terminate]');
  await page.click('dialog button.danger');
  assert.equal(await waitForPhase(page, ['Failed', 'Error']), 'Failed');
  await page.click('[data-action=delete]');
  await page.click('dialog button.danger');
  await page.waitForURL(/\/workflows\/argo$/);
  assert.equal((await server.api('GET', '/api/v1/workflows/argo/slow-logger')).status, 404);
  await context.close();
});

test('secret values never reach a page', async () => {
  const { context, page } = await newPage();
  await login(page, server.adminToken);
  await page.click('nav >> text=Submit');
  // Uploaded this time, not pasted.
  await page.setInputFiles('input[type=file]', join(CONFORMANCE, 'secrets.yaml'));
  await page.waitForFunction(() => /print-secret/.test(document.querySelector('#yaml')?.value ?? ''));
  await page.waitForSelector('text=No problems found.');
  await page.click('section button.primary');
  await page.waitForURL(/\/workflows\/argo\/secrets-/);
  assert.equal(await waitForPhase(page, ['Succeeded', 'Failed', 'Error']), 'Succeeded');
  await page.click('.gnode.kind-node');
  await page.waitForSelector('[data-log-state=done]', { state: 'attached', ...timeout });
  const log = await page.textContent('.log-text');
  assert.match(log, /secret from env: \[redacted\]/);
  for (const tab of ['Timeline', 'YAML', 'Graph']) {
    await page.click(`[role=tab] >> text=${tab}`);
    assert.ok(!(await page.content()).includes(SECRET_VALUE), tab);
  }
  await context.close();
});

test('a viewer sees no action buttons, and the API refuses the action if forced', async () => {
  const { context, page } = await newPage({ width: 390, height: 844 });
  await login(page, viewer.token);
  await page.goto(server.url + '/workflows/argo/fails-once');
  await page.waitForSelector('[data-testid=workflow-phase]');
  await page.waitForSelector('.gnode');
  assert.equal(await page.locator('[data-action]').count(), 0);
  assert.equal(await page.locator('nav >> text=Audit').count(), 0);
  await page.screenshot({ path: join(shots, 'viewer-phone.png'), fullPage: true });
  await page.click('nav >> text=Workflows');
  await page.waitForSelector('tr[data-workflow]');
  await page.screenshot({ path: join(shots, 'list-phone.png'), fullPage: true });
  await page.goBack();
  await page.waitForSelector('[data-testid=workflow-phase]');
  // Forced: the session's own CSRF token, the right header, and still 403.
  const forced = await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/workflows/argo/fails-once/retry', { method: 'PUT', headers: { 'X-CSRF-Token': s.csrfToken, 'Content-Type': 'application/json' }, body: '{}' });
    const noCsrf = await fetch('/api/v1/workflows/argo/fails-once', { method: 'DELETE' });
    return [r.status, noCsrf.status];
  });
  assert.deepEqual(forced, [403, 403]);
  // The audit page is not for viewers either.
  assert.equal(await page.evaluate(async () => (await fetch('/api/v1/audit')).status), 403);

  // The session dies with its token: the page goes back to the login with a note.
  server.revoke(viewer.id);
  await new Promise((r) => setTimeout(r, 1500));
  await page.click('nav >> text=Workflows');
  await page.waitForSelector('#token', timeout);
  assert.match(await page.textContent('.notice'), /session ended/);
  await context.close();
});

test('admins see the audit log and the guard page', async () => {
  const { context, page } = await newPage();
  await login(page, server.adminToken);
  await page.click('nav >> text=Audit');
  await page.waitForSelector('table.list');
  assert.match(await page.textContent('table.list'), /\/api\/v1\/workflows\/\{namespace\}\/\{name\}\/retry/);
  assert.ok(!(await page.content()).includes(server.adminToken.slice(-20)));
  await page.click('nav >> text=Alerts');
  await page.waitForSelector('main h1 >> text=Guard alerts');
  await page.click('nav >> text=Templates');
  await page.waitForSelector('text=WorkflowTemplates in argo');
  await context.close();
});
