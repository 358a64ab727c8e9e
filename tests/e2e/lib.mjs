// Shared helpers for the browser tests: a real `kizuna serve` on a free port with a fresh data
// directory, accounts created through the CLI, and Debian's Chromium driven by playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const shots = process.env.SCREENSHOT_DIR || join(tmpdir(), 'kizuna-shots');
mkdirSync(shots, { recursive: true });

export class Center {
  constructor() {
    this.bin = process.env.KIZUNA_BIN;
    this.work = mkdtempSync(join(tmpdir(), 'kizuna-e2e-'));
    this.dataDir = join(this.work, 'data');
  }
  cli(args, input) {
    const r = spawnSync(this.bin, [...args, '--data-dir', this.dataDir], { input, encoding: 'utf8' });
    assert.equal(r.status, 0, `kizuna ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
  async start() {
    const portFile = join(this.work, 'port');
    this.server = spawn(this.bin, ['serve', '--port', '0', '--port-file', portFile, '--data-dir', this.dataDir],
                        { stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; i < 200; i++) {
      if (existsSync(portFile)) {
        const port = parseInt(readFileSync(portFile, 'utf8'), 10);
        if (port > 0) return (this.base = `http://127.0.0.1:${port}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('kizuna serve did not start');
  }
  // A JSON API call with a bearer token.
  async api(token, method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
  // Stops serve and waits for it to exit before removing its directory: serve writes an audit checkpoint
  // on the way out, which would race the removal (ENOTEMPTY).
  async stop() {
    const server = this.server;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

export async function login(page, base, name, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type=submit]')]);
}

export async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
}
