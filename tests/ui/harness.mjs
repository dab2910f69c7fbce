// What the dashboard's browser tests share: a real `rampart server` on a loopback port with a
// fresh state dir, tokens made with the real CLI, and Debian's Chromium driven by playwright-core
// (installed with the dashboard's own packages in ui/node_modules; no browser download).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The server's certificate is self-signed, made for this run on loopback; Node's own fetch is
// only used to set up and check, the browser context is told to accept it the same way.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

export const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const UI_DIST = join(SOURCE, 'ui', 'dist');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SECRET_VALUE = 'S00perS3cretPa55word';
export const CONFORMANCE = resolve(SOURCE, '..', 'shared', 'conformance', 'examples');

// Missing prerequisites: a clear failure in CI, a clear skip (exit 77, ctest's SKIP) elsewhere.
export function requirePrerequisites(rampart) {
  const missing = [];
  if (!rampart || !existsSync(rampart)) missing.push(`the rampart binary (${rampart ?? 'not given'})`);
  if (!existsSync(join(UI_DIST, 'index.html'))) missing.push(`the built dashboard (${UI_DIST}; run scripts/setup-ui)`);
  if (!existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM}; apt-get install chromium)`);
  if (!existsSync(join(SOURCE, 'ui', 'node_modules', 'playwright-core'))) missing.push('playwright-core (npm ci in ui/)');
  if (!missing.length) return;
  const message = `ui_e2e: missing ${missing.join(', ')}`;
  if (process.env.CI === 'true') {
    console.error(`${message}\nui_e2e: FAILED (CI must run the browser tests)`);
    process.exit(1);
  }
  console.error(`${message}\nui_e2e: SKIPPED`);
  process.exit(77);
}

export function playwright() {
  const require = createRequire(join(SOURCE, 'ui', 'package.json'));
  return require('playwright-core');
}

export class Server {
  constructor(rampart) {
    this.rampart = rampart;
    this.state = mkdtempSync(join(tmpdir(), 'rampart-ui-test-'));
  }

  async start() {
    // The Secret Argo's secrets.yaml example reads; its value must never reach a page.
    const secret = join(SOURCE, 'tests', 'conformance', 'my-secret.yaml');
    this.proc = spawn(this.rampart, ['server', '--state', this.state, '--listen', '127.0.0.1:0', '--threads', '2', '--ui-dir', UI_DIST, '--secret', secret], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.adminToken = await new Promise((ok, fail) => {
      let out = '';
      this.proc.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) ok(out.split('\n')[0].trim());
      });
      this.proc.on('exit', (code) => fail(new Error(`server exited with ${code}: ${this.stderr}`)));
    });
    const info = join(this.state, 'server.json');
    for (let i = 0; i < 600 && !existsSync(info); i++) await new Promise((r) => setTimeout(r, 50));
    this.url = JSON.parse(readFileSync(info, 'utf8')).url;
  }

  token(subject, role, namespace = 'argo') {
    const out = execFileSync(this.rampart, ['token', 'create', '--state', this.state, '--subject', subject, '--role', role, '-n', namespace, '-o', 'json']);
    return JSON.parse(out.toString());
  }

  revoke(id) {
    execFileSync(this.rampart, ['token', 'revoke', '--state', this.state, id], { stdio: 'ignore' });
  }

  // The API with a bearer token, for setting things up and checking what the browser did.
  async api(method, path, body, token = this.adminToken) {
    const r = await fetch(this.url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : {} };
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => (this.proc.kill('SIGKILL'), r()), 20000);
        this.proc.on('exit', () => (clearTimeout(t), r()));
      });
    }
    rmSync(this.state, { recursive: true, force: true });
  }
}

export async function launchChromium() {
  const { chromium } = playwright();
  // playwright-core gives the browser a fresh profile each run; the flags keep it from calling
  // home (this machine reaches no network but the npm registry).
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function screenshotDir() {
  const dir = process.env.UI_SCREENSHOTS ?? join(SOURCE, 'build', 'ui-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
