// Browser test (issue 13, coordinator and admin screens), in Japanese and English at 390 px and 1280 px:
// a coordinator registers a new vendor with a contact point and an OpenPGP key (made by gpg in a throw-away
// GNUPGHOME), adds a product and finds it in the registry; the dashboard is a work queue showing an unowned
// new report and an overdue case (verified cases are due the same day: --set vuln.response_days.verified=0);
// the coordinator takes the report; the case list sorts and filters; an admin creates a user, disables it,
// and creates and revokes an API token on the account page. No raw code is shown on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Center, launch, login, logout, shots } from './lib.mjs';

// serve with the work queue's response time for verified cases set to zero days.
class QueueCenter extends Center {
  async start() {
    const portFile = join(this.work, 'port');
    this.server = spawn(this.bin, ['serve', '--port', '0', '--port-file', portFile, '--data-dir', this.dataDir,
                                   '--set', 'vuln.response_days.verified=0'],
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
}

// A fresh ed25519/cv25519 key made by gpg itself; returns the armored public key and its fingerprint.
function makeKey(work, name, email) {
  const home = join(work, `gnupg-${email.replace(/[^a-z0-9]/g, '')}`);
  mkdirSync(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const gen = spawnSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key',
                                `${name} <${email}>`, 'future-default', 'default', '2y'], { env, encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const armored = spawnSync('gpg', ['--batch', '--armor', '--export'], { env, encoding: 'utf8' }).stdout;
  const listing = spawnSync('gpg', ['--batch', '--with-colons', '--fingerprint'], { env, encoding: 'utf8' }).stdout;
  const fpr = listing.split('\n').find((l) => l.startsWith('fpr:')).split(':')[9];
  spawnSync('gpgconf', ['--homedir', home, '--kill', 'all']);
  return { armored, fpr };
}

// Stored codes and catalog keys; in Japanese also the one-word codes (in English they are ordinary words).
const RAW_CODES = /\b(registration_requested|documents_received|not_reproduced|request_details|admin_[a-z_]+|case_state\.|registration_state\.)/;
const RAW_WORDS_JA = /\b(received|verified|coordinating|general|individual|unregistered|registered)\b/;

async function assertNoRawCodes(page, where) {
  const text = await page.locator('main').innerText();
  const lang = await page.getAttribute('html', 'lang');
  const m = text.match(RAW_CODES) || (lang === 'ja' ? text.match(RAW_WORDS_JA) : null);
  assert.equal(m, null, `${where}: raw code "${m && m[0]}" shown`);
}

const combos = [
  { lang: 'ja', width: 390 }, { lang: 'ja', width: 1280 }, { lang: 'en', width: 390 }, { lang: 'en', width: 1280 },
];

test('coordinator and admin screens: vendor registry, work queue, case list, users and tokens', async () => {
  const center = new QueueCenter();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator', '--display-name', '山田 花子'], 'coord-password-1\n');
  center.cli(['user', 'add', 'root', '--role', 'admin', '--display-name', 'Admin'], 'admin-password-1\n');
  const token = center.cli(['token', 'create', '--user', 'root']).trim();
  await center.start();
  const base = center.base;
  const browser = await launch();
  try {
    for (const [n, { lang, width }] of combos.entries()) {
      const tag = `${lang}-${width}`;
      const en = lang === 'en';
      const page = await browser.newPage({ viewport: { width, height: 900 }, locale: en ? 'en-US' : 'ja-JP' });

      // Cases for the queue: a fresh public report (nobody owns it) and a verified case (due the same day).
      const fresh = await center.api(token, 'POST', '/api/v1/cases',
                                     { title: `Unowned report ${tag}`, summary: 's', details: 'd' });
      const late = await center.api(token, 'POST', '/api/v1/cases',
                                    { title: `Late case ${tag}`, summary: 's', details: 'd' });
      await center.api(token, 'POST', `/api/v1/cases/${late.id}/verification`, { result: 'reproduced' });

      // 1. The coordinator registers a vendor with a contact, a key and a product.
      await login(page, base, 'yamada', 'coord-password-1');
      await page.goto(`${base}/vendors?lang=${lang}`);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=vendor-new-link]')]);
      const vendorName = `こもれびソフト ${tag}`;
      // A failed form keeps what was typed: no name, but an English name.
      await page.fill('#vendor-new-form input[name=name_en]', `Komorebi Soft ${tag}`);
      await page.locator('#vendor-new-form input[name=name]').evaluate((el) => el.removeAttribute('required'));
      await Promise.all([page.waitForNavigation(), page.click('#vendor-new-form button[type=submit]')]);
      await page.waitForSelector('[data-testid=vendor-new-error]');
      assert.equal(await page.inputValue('#vendor-new-form input[name=name_en]'), `Komorebi Soft ${tag}`);
      await page.fill('#vendor-new-form input[name=name]', vendorName);
      await page.selectOption('#vendor-new-form select[name=registration_kind]', 'individual');
      await Promise.all([page.waitForNavigation(), page.click('#vendor-new-form button[type=submit]')]);
      assert.equal((await page.textContent('[data-testid=vendor-name]')).trim(), vendorName);
      assert.equal(await page.getAttribute('[data-testid=vendor-state]', 'data-state'), 'registration_requested');
      assert.equal((await page.textContent('[data-testid=vendor-state]')).trim(), en ? 'Registration requested' : '登録依頼済み');

      await page.fill('#contact-form input[name=name]', 'PSIRT');
      await page.fill('#contact-form input[name=email]', `psirt-${n}@komorebi.example.jp`);
      await Promise.all([page.waitForNavigation(), page.click('#contact-form button[type=submit]')]);
      assert.ok((await page.textContent('[data-testid=vendor-contacts]')).includes(`psirt-${n}@komorebi.example.jp`));

      const key = makeKey(center.work, 'Komorebi PSIRT', `psirt-${n}@komorebi.example.jp`);
      await page.fill('#key-form textarea[name=key]', key.armored);
      await Promise.all([page.waitForNavigation(), page.click('#key-form button[type=submit]')]);
      const row = page.locator(`[data-testid=vendor-keys] tr[data-fingerprint="${key.fpr}"]`);
      assert.equal(await row.count(), 1, 'the key is listed by fingerprint');
      assert.ok((await row.textContent()).includes(key.fpr.slice(0, 4) + ' ' + key.fpr.slice(4, 8)));
      assert.ok((await page.textContent('[data-testid=vendor-keys] thead')).includes('(Asia/Tokyo)'));

      await page.fill('#product-form input[name=name]', `Komorebi Viewer ${tag}`);
      await page.fill('#product-form textarea[name=components]', 'libpng 1.6.40 pkg:generic/libpng@1.6.40');
      await Promise.all([page.waitForNavigation(), page.click('#product-form button[type=submit]')]);
      assert.ok((await page.textContent('[data-testid=vendor-products]')).includes(`Komorebi Viewer ${tag}`));
      await Promise.all([page.waitForNavigation(), page.click('#registration-form button[type=submit]')]);
      assert.equal(await page.getAttribute('[data-testid=vendor-state]', 'data-state'), 'registered');
      await assertNoRawCodes(page, `vendor page ${tag}`);
      await page.screenshot({ path: join(shots, `ui-admin-vendor-${tag}.png`), fullPage: true });
      // The page body (not the shared header) fits the width: wide tables scroll inside their own box.
      const scroll = await page.evaluate(() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; });
      assert.ok(scroll <= 1, `vendor page content is ${scroll}px wider than the screen at ${width}`);

      await page.goto(`${base}/vendors?q=${encodeURIComponent('komorebi soft ' + tag)}`);
      assert.equal(await page.locator('[data-testid=vendor-list] tbody tr[data-vendor]').count(), 1);

      // 2. The dashboard: the unowned report and the overdue case; taking the report makes it mine.
      await page.goto(`${base}/dashboard`);
      const unowned = page.locator(`[data-testid=queue-unowned] tr[data-case="${fresh.id}"]`);
      assert.equal(await unowned.count(), 1, 'the new report is in "nobody owns"');
      const overdue = page.locator(`[data-testid=queue-overdue] tr[data-case="${late.id}"]`);
      assert.equal(await overdue.count(), 1, 'the verified case is overdue');
      assert.ok((await overdue.textContent()).includes(en ? 'Verified' : '検証済み'));
      await assertNoRawCodes(page, `dashboard ${tag}`);
      await page.screenshot({ path: join(shots, `ui-admin-dashboard-${tag}.png`), fullPage: true });
      await Promise.all([page.waitForNavigation(), unowned.locator('button[type=submit]').click()]);
      assert.equal(await page.locator(`[data-testid=queue-mine] tr[data-case="${fresh.id}"]`).count(), 1);
      assert.equal(await page.locator(`[data-testid=queue-unowned] tr[data-case="${fresh.id}"]`).count(), 0);

      // 3. The case list: my cases only, then sorted by due date.
      await page.goto(`${base}/cases`);
      await page.selectOption('[data-testid=case-filters] select[name=owner]', 'me');
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=case-filters] button[type=submit]')]);
      const mine = await page.locator('[data-testid=case-list] tbody tr[data-case]').evaluateAll((rows) => rows.map((r) => r.dataset.case));
      assert.ok(mine.includes(String(fresh.id)) && !mine.includes(String(late.id)), `owner filter: ${mine}`);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=case-sort] a[data-sort=due]')]);
      assert.ok(page.url().includes('sort=due') && page.url().includes('owner=me'));
      await assertNoRawCodes(page, `case list ${tag}`);
      await page.screenshot({ path: join(shots, `ui-admin-cases-${tag}.png`), fullPage: true });
      await logout(page);

      // 4. The admin creates a user, disables it, then creates and revokes a token on the account page.
      await login(page, base, 'root', 'admin-password-1');
      await page.goto(`${base}/users`);
      const user = `tanaka${n}`;
      await page.fill('#user-create-form input[name=name]', user);
      await page.fill('#user-create-form input[name=display_name]', `田中 ${n}`);
      await page.selectOption('#user-create-form select[name=role]', 'coordinator');
      await page.fill('#user-create-form input[name=password]', 'tanaka-password-1');
      await Promise.all([page.waitForNavigation(), page.click('#user-create-form button[type=submit]')]);
      await page.waitForSelector('[data-testid=users-notice]');
      const userRow = page.locator(`[data-testid=user-list] tr[data-user="${user}"]`);
      assert.equal((await userRow.locator('td.state').textContent()).trim(), en ? 'Active' : '有効');
      await Promise.all([page.waitForNavigation(), userRow.locator('button[data-action=disable]').click()]);
      assert.equal((await userRow.locator('td.state').textContent()).trim(), en ? 'Disabled' : '無効');
      assert.equal(await userRow.locator('button[data-action=enable]').count(), 1);
      await assertNoRawCodes(page, `users ${tag}`);
      await page.screenshot({ path: join(shots, `ui-admin-users-${tag}.png`), fullPage: true });

      await page.goto(`${base}/account`);
      await page.fill('#token-create-form input[name=label]', `ci-${tag}`);
      await Promise.all([page.waitForNavigation(), page.click('#token-create-form button[type=submit]')]);
      const secret = (await page.textContent('[data-testid=token-secret]')).trim();
      assert.match(secret, /^kz_[0-9a-f]{64}$/);
      const ok = await fetch(`${base}/api/v1/tokens`, { headers: { Authorization: `Bearer ${secret}` } });
      assert.equal(ok.status, 200);
      await page.goto(`${base}/account`);
      const tokenRow = page.locator('[data-testid=tokens] tr', { hasText: `ci-${tag}` });
      await Promise.all([page.waitForNavigation(), tokenRow.locator('button[type=submit]').click()]);
      assert.equal((await page.locator('[data-testid=tokens] tr', { hasText: `ci-${tag}` }).locator('td.state').textContent()).trim(),
                   en ? 'Revoked' : '失効');
      const revoked = await fetch(`${base}/api/v1/tokens`, { headers: { Authorization: `Bearer ${secret}` } });
      assert.equal(revoked.status, 401);
      await logout(page);
      await page.close();
    }
  } finally {
    await browser.close();
    await center.stop();
  }
});
