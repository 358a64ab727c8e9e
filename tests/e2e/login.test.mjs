// Browser test: a coordinator logs in through the real login page in headless Chromium, sees the
// dashboard (the work queue), switches the language, and logs out. Screenshots go to SCREENSHOT_DIR.
//
// Run by ctest (tests/e2e/CMakeLists.txt) with KIZUNA_BIN, SCREENSHOT_DIR and CHROMIUM set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const bin = process.env.KIZUNA_BIN;
const shots = process.env.SCREENSHOT_DIR || join(tmpdir(), 'kizuna-shots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(shots, { recursive: true });

function kizuna(args, input) {
  const r = spawnSync(bin, [...args, '--data-dir', dataDir], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `kizuna ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const work = mkdtempSync(join(tmpdir(), 'kizuna-e2e-'));
const dataDir = join(work, 'data');
let server;

async function startServer() {
  kizuna(['user', 'add', 'yamada', '--role', 'coordinator', '--display-name', '山田 花子'], 'e2e-password-1\n');
  kizuna(['user', 'add', 'sato', '--role', 'vendor', '--organization', 'さくら電機'], 'e2e-password-2\n');
  const portFile = join(work, 'port');
  server = spawn(bin, ['serve', '--port', '0', '--port-file', portFile, '--data-dir', dataDir],
                 { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    if (existsSync(portFile)) {
      const port = parseInt(readFileSync(portFile, 'utf8'), 10);
      if (port > 0) return `http://127.0.0.1:${port}`;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('kizuna serve did not start');
}

test('a coordinator logs in, sees the dashboard, switches language and logs out', async () => {
  const base = await startServer();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    await page.goto(`${base}/login`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await page.screenshot({ path: join(shots, 'login.png') });

    // Wrong password first: the form says so and no session cookie appears.
    await page.fill('input[name=name]', 'yamada');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('[data-testid=login-error]');
    assert.equal((await page.context().cookies()).some((c) => c.name === 'kz_session'), false);

    await page.fill('input[name=name]', 'yamada');
    await page.fill('input[name=password]', 'e2e-password-1');
    await Promise.all([page.waitForURL(`${base}/dashboard`), page.click('#login-form button[type=submit]')]);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'kz_session');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.textContent('[data-testid=who]').then((t) => t.includes('山田 花子')), true);
    // The dashboard is a work queue (issue 13): its sections, no account counts.
    assert.equal(await page.locator('[data-testid=queue-unowned]').count(), 1);
    assert.equal(await page.locator('[data-testid=queue-overdue]').count(), 1);
    assert.equal(await page.locator('[data-testid=stat-users]').count(), 0);
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });

    // The language switch: English, remembered across pages.
    await Promise.all([page.waitForURL(/lang=en/), page.click('a[hreflang=en]')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.textContent('h1')).includes('Coordinator dashboard'));
    await page.click('nav.main a[href="/audit"]');
    await page.waitForSelector('[data-testid=audit-status].ok');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    // Times are in the center's zone, named; actions in words; the action filter narrows the list.
    assert.ok((await page.textContent('[data-testid=audit-table] thead')).includes('(Asia/Tokyo)'));
    await page.selectOption('[data-testid=audit-filters] select[name=action]', 'auth.login_failed');
    await Promise.all([page.waitForURL(/action=auth.login_failed/),
                       page.click('[data-testid=audit-filters] button[type=submit]')]);
    const actions = await page.locator('[data-testid=audit-table] td.action').allTextContents();
    assert.deepEqual(actions, ['Failed login']);
    assert.ok((await page.textContent('[data-testid=audit-range]')).includes('of 1'));
    await page.screenshot({ path: join(shots, 'audit.png'), fullPage: true });

    // Logout goes through the CSRF-protected form.
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/logout"] button')]);
    assert.equal(await page.locator('[data-testid=who]').count(), 0);
    await page.goto(`${base}/dashboard`);
    assert.ok(page.url().startsWith(`${base}/login`), 'dashboard needs a login again');
  } finally {
    await browser.close();
    // serve writes an audit checkpoint on the way out: wait for it before removing the directory.
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
});
