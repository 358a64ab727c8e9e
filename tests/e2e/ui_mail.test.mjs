// Browser test (issue 13): a coordinator edits the Japanese summary-notice template (an invalid edit is
// refused beside the field and the typed text kept), previews a summary notice for a vendor with a Japanese
// and an English contact, changes the Japanese text for this sending, sends, and sees the confirmation of
// what went to whom; the outbox holds each contact's mail in its language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Center, launch, login, shots } from './lib.mjs';

function sql(center, query) {
  const r = spawnSync('/usr/bin/sqlite3', [join(center.dataDir, 'kizuna.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('coordinator edits a template, previews a notice, sends it and sees the confirmation', async () => {
  const center = new Center();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator'], 'coord-password-1\n');
  center.cli(['user', 'add', 'admin', '--role', 'admin'], 'admin-password-1\n');
  const admin = center.cli(['token', 'create', '--user', 'admin']).trim();
  await center.start();
  const base = center.base;
  const browser = await launch();
  try {
    const { id: vendor } = await center.api(admin, 'POST', '/api/v1/vendors', { name: 'さくら電機', registration_kind: 'general' });
    await center.api(admin, 'POST', `/api/v1/vendors/${vendor}/contacts`, { name: 'PSIRT', email: 'psirt@sakura.example.jp' });
    await center.api(admin, 'POST', `/api/v1/vendors/${vendor}/contacts`,
                     { name: 'Global PSIRT', email: 'global@sakura.example.com', lang: 'en' });
    await center.api(admin, 'POST', `/api/v1/vendors/${vendor}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(admin, 'POST', `/api/v1/vendors/${vendor}/registration`, { state });
    const c = await center.api(admin, 'POST', '/api/v1/cases',
                               { title: 'UPnP スタックオーバーフロー', summary: 'UPnP 実装の脆弱性', details: 'M-SEARCH', source: 'domestic' });
    await center.api(admin, 'POST', `/api/v1/cases/${c.id}/verification`, { result: 'reproduced' });
    await center.api(admin, 'POST', `/api/v1/cases/${c.id}/vendors`, { vendor_id: vendor });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    await login(page, base, 'yamada', 'coord-password-1');

    // 1. The templates page: the summary notice, Japanese version.
    await page.goto(`${base}/templates`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await Promise.all([page.waitForNavigation(), page.click('[data-template="notice.summary"] a')]);
    assert.match(await page.textContent('h1'), /脆弱性概要情報の通知/);
    assert.match(await page.textContent('[data-testid=mailtpl-placeholders]'), /\{\{identifier\}\}/);

    // An unknown placeholder: refused beside the body, in Japanese, with the typed text kept.
    await page.fill('#mailtpl-form-ja textarea[name=body]', '本文 {{details}}');
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=mailtpl-save-ja]')]);
    assert.match(await page.textContent('[data-testid=mailtpl-body-error]'), /\{\{details\}\} はこの文面では使えない差し込み項目です/);
    assert.equal(await page.inputValue('#mailtpl-form-ja textarea[name=body]'), '本文 {{details}}');
    assert.equal(sql(center, 'SELECT count(*) FROM mail_templates'), '0');

    // A valid edit is saved.
    await page.fill('#mailtpl-form-ja input[name=subject]', '[{{identifier}}] 脆弱性概要情報のお知らせ（ご確認ください）');
    await page.fill('#mailtpl-form-ja textarea[name=body]',
                    '{{vendor}}\n製品脆弱性対策ご担当者様\n\n識別番号 {{identifier}}「{{title}}」について概要をお知らせします。\n\n{{summary}}\n');
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=mailtpl-save-ja]')]);
    assert.match(await page.textContent('[data-testid=mailtpl-notice]'), /保存しました/);
    await page.screenshot({ path: join(shots, 'mail-template-edit.png'), fullPage: true });

    // 2. The case page's notice button opens the preview: one text per language, with the recipients.
    await page.goto(`${base}/cases/${c.id}`);
    await Promise.all([page.waitForNavigation(),
                       page.click('[data-testid=case-vendors] tr[data-vendor="さくら電機"] [data-testid=send-summary]')]);
    assert.ok(page.url().includes(`/cases/${c.id}/notices/summary/preview?vendor=${vendor}`), page.url());
    assert.equal(await page.inputValue('[data-testid=notice-draft-ja] input[name=subject_ja]'),
                 `[${c.identifier}] 脆弱性概要情報のお知らせ（ご確認ください）`);
    assert.match(await page.inputValue('[data-testid=notice-draft-ja] textarea[name=body_ja]'), /UPnP スタックオーバーフロー/);
    assert.match(await page.textContent('[data-testid=notice-recipients-ja]'), /psirt@sakura\.example\.jp — 暗号化なし/);
    assert.equal(await page.inputValue('[data-testid=notice-draft-en] input[name=subject_en]'),
                 `[${c.identifier}] Vulnerability summary notice`);
    assert.match(await page.textContent('[data-testid=notice-recipients-en]'), /global@sakura\.example\.com/);
    await page.screenshot({ path: join(shots, 'notice-preview.png'), fullPage: true });

    // Edited for this sending only, then sent: the confirmation lists what went to whom.
    const body = await page.inputValue('[data-testid=notice-draft-ja] textarea[name=body_ja]');
    await page.fill('[data-testid=notice-draft-ja] textarea[name=body_ja]', body + '\n今回のみの追記です。\n');
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=notice-send]')]);
    const rows = await page.locator('[data-testid=notice-sent] tbody tr').allTextContents();
    assert.equal(rows.length, 2);
    assert.match(rows[0], /psirt@sakura\.example\.jp.*日本語.*ご確認ください.*暗号化なし/);
    assert.match(rows[1], /global@sakura\.example\.com.*英語.*Vulnerability summary notice/);
    await page.screenshot({ path: join(shots, 'notice-sent.png'), fullPage: true });

    // The outbox: each contact's mail in its language, the one-off addition in the Japanese one only.
    assert.match(sql(center, "SELECT body FROM mail_queue WHERE to_address = 'psirt@sakura.example.jp'"), /今回のみの追記です。/);
    const english = sql(center, "SELECT body FROM mail_queue WHERE to_address = 'global@sakura.example.com'");
    assert.match(english, /Please judge whether any of your products may be affected/);
    assert.ok(!english.includes('今回のみ'));
    // The template itself did not take the one-off addition.
    assert.ok(!sql(center, "SELECT body FROM mail_templates WHERE name = 'notice.summary'").includes('今回のみ'));

    // Back on the case, the vendor now has the summary and no notice button.
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=back-to-case]')]);
    assert.equal(await page.locator('[data-testid=case-vendors] tr[data-vendor="さくら電機"] [data-testid=send-summary]').count(), 0);

    // English UI of the same pages.
    await page.goto(`${base}/templates?lang=en`);
    assert.match(await page.textContent('[data-template="notice.summary"]'), /Vulnerability summary notice.*edited/s);
  } finally {
    await browser.close();
    await center.stop();
  }
});
