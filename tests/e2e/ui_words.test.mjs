// Browser test (issue 13, ui-words): the audit page and the mail page in Japanese at 1280 px show no
// internal code. The data is realistic — a vendor registered with a contact, a case verified, the vendor
// told the details, a message, a proposed and decided date; mail imported through the inbound path
// (a message without a sender, quarantined; an unsigned report) and outbound notices waiting for a key —
// and the assertions read innerText, what a person sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Center, launch, login, shots } from './lib.mjs';

// Codes the domain stores that must never be read by a person (a sample of each family; the GoogleTest
// tests/web/raw_codes_test.cpp scans every page with the full list).
const rawCodes = [
  'case.disclose', 'case.submit', 'case.verify', 'vendor.create', 'vendor.contact', 'vendor.registration',
  'vendor.terms', 'vendor.member', 'user.create', 'token.create', 'auth.login', 'schedule.decided',
  'message.posted', 'not_reproduced', 'request_details', 'documents_received', 'registration_requested',
  'not signed', 'no sender address', 'malformed:', 'waiting', 'bad signature', 'unverified', 'quarantined',
  'the message to', 'never sent in clear', 'no OpenPGP key', '"level"', '"vendor"', 'vendor:1', 'case:1',
];

test('the audit and mail pages in Japanese show words, never codes', async () => {
  const center = new Center();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator', '--display-name', '山田 花子'], 'coord-password-1\n');
  center.cli(['user', 'add', 'sakura', '--role', 'vendor'], 'vendor-password-1\n');
  const token = center.cli(['token', 'create', '--user', 'yamada']).trim();
  const mbox = join(center.work, 'inbox.mbox');
  writeFileSync(mbox, [
    'From MAILER-DAEMON Mon Dec  7 10:00:00 2026',
    'To: cert@center.example.jp',
    'Subject: broken',
    '',
    'no sender here',
    '',
    'From finder@example.org Mon Dec  7 10:05:00 2026',
    'From: Finder <finder@lab.example.org>',
    'To: cert@center.example.jp',
    'Subject: =?UTF-8?B?44Or44O844K/44O844Gu6ISG5byx5oCn?=',
    'Message-ID: <r1@lab.example.org>',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'Router admin page crashes',
    '',
  ].join('\n'));
  center.cli(['mail', 'import', mbox]);
  await center.start();
  try {
    const { id: vendor } = await center.api(token, 'POST', '/api/v1/vendors', { name: 'さくら電機', registration_kind: 'general' });
    await center.api(token, 'POST', `/api/v1/vendors/${vendor}/contacts`, { name: 'PSIRT', email: 'psirt@sakura.example.jp' });
    await center.api(token, 'POST', `/api/v1/vendors/${vendor}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(token, 'POST', `/api/v1/vendors/${vendor}/registration`, { state });
    await center.api(token, 'POST', `/api/v1/vendors/${vendor}/members`, { user: 'sakura' });
    const kase = await center.api(token, 'POST', '/api/v1/cases',
                                  { title: 'ルーターの認証回避', summary: '認証を回避される', details: '細工した要求で管理画面に入れる' });
    const c = `/api/v1/cases/${kase.id}`;
    await center.api(token, 'POST', `${c}/verification`, { result: 'reproduced' });
    await center.api(token, 'POST', `${c}/vendors`, { vendor_id: vendor });
    await center.api(token, 'POST', `${c}/vendors/${vendor}/details`, { obvious_vendor: true });
    await center.api(token, 'POST', `${c}/messages`, { thread: `vendor:${vendor}`, body: '修正予定を教えてください' });
    const date = new Date(Date.now() + 45 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    await center.api(token, 'POST', `${c}/schedule/proposal`, { publish_at: date });
    await center.api(token, 'POST', `${c}/schedule/decision`, { publish_at: date });
    // The notices wait: the vendor has no key on file (the relay, never reached, only has to be named).
    center.cli(['mail', 'send-once', '--set', 'mail.relay_host=127.0.0.1', '--set', 'mail.relay_port=9']);

    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
      await login(page, center.base, 'yamada', 'coord-password-1');

      await page.goto(`${center.base}/audit?lang=ja`);
      const audit = await page.innerText('main');
      await page.screenshot({ path: join(shots, 'ui-words-audit-ja.png'), fullPage: true });
      for (const words of ['情報の開示', '製品開発者の登録', '案件 JVNVU#', '製品開発者 さくら電機', '開示した情報', '技術的詳細'])
        assert.ok(audit.includes(words), `audit page lacks "${words}"`);
      for (const code of rawCodes) assert.ok(!audit.includes(code), `audit page shows "${code}"`);
      // The action filter offers words too (its option values stay codes: they are not shown).
      const options = await page.locator('select[name=action] option').allInnerTexts();
      assert.ok(options.length > 5);
      for (const o of options) assert.doesNotMatch(o, /^[a-z_]+\.[a-z_]+$/, `action filter shows "${o}"`);

      await page.goto(`${center.base}/mail?lang=ja`);
      const mail = await page.innerText('main');
      await page.screenshot({ path: join(shots, 'ui-words-mail-ja.png'), fullPage: true });
      for (const words of ['差出人アドレス（From:）がありません', '署名がありません', '保留（鍵待ち）', '宛先の OpenPGP 鍵が登録されていません'])
        assert.ok(mail.includes(words), `mail page lacks "${words}"`);
      for (const code of rawCodes) assert.ok(!mail.includes(code), `mail page shows "${code}"`);

      // Reprocessing the quarantined message: the notice is in words as well.
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=mail-quarantine] form button')]);
      const notice = await page.innerText('[data-testid=mail-notice]');
      assert.match(notice, /引き続き隔離されています: 差出人アドレス（From:）がありません/);

      // The same pages in English: English words, still no codes.
      await page.goto(`${center.base}/audit?lang=en`);
      const auditEn = await page.innerText('main');
      assert.ok(auditEn.includes('Information disclosed'), auditEn.slice(0, 400));
      for (const code of rawCodes.filter((x) => x.includes('.') || x.includes('_') || x.includes(':')))
        assert.ok(!auditEn.includes(code), `English audit page shows "${code}"`);
    } finally {
      await browser.close();
    }
  } finally {
    await center.stop();
  }
});
