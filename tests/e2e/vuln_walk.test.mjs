// Browser test: a two-vendor case from the reporter's form to both vendors' status reports.
// The reporter (no account) files the report; the coordinator verifies it, picks both vendors from the
// suggestions and sends the summary notice; each vendor requests details in its portal; the coordinator
// discloses; each vendor then sees the details and reports its status; the coordinator sees both, proposes
// a date that one vendor accepts, and decides another one that nobody has agreed to yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Center, launch, login, logout, shots } from './lib.mjs';

test('a two-vendor case goes from the report form to both vendors\' status reports', async () => {
  const center = new Center();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator', '--display-name', '山田 花子'], 'coord-password-1\n');
  center.cli(['user', 'add', 'sakura', '--role', 'vendor'], 'vendor-password-1\n');
  center.cli(['user', 'add', 'hikari', '--role', 'vendor'], 'vendor-password-2\n');
  center.cli(['user', 'add', 'admin', '--role', 'admin'], 'admin-password-1\n');
  const token = center.cli(['token', 'create', '--user', 'admin']).trim();
  await center.start();
  // The vendor registry through the API: two registered general vendors with products and portal accounts.
  const vendors = {};
  for (const [name, account, product] of [['さくら電機', 'sakura', 'SR-1000 Router'], ['Hikari Networks', 'hikari', 'HN Gateway 5']]) {
    const { id } = await center.api(token, 'POST', '/api/v1/vendors', { name, registration_kind: 'general' });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/contacts`, { name: 'PSIRT', email: `${account}@example.jp` });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(token, 'POST', `/api/v1/vendors/${id}/registration`, { state });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/products`,
                     { name: product, components: [{ name: 'libupnp', version: '1.14.12' }] });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/members`, { user: account });
    vendors[account] = id;
  }

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    const base = center.base;

    // 1. The reporter's form, no account.
    await page.goto(`${base}/report`);
    await page.fill('input[name=title]', 'UPnP SSDP のバッファオーバーフロー');
    await page.fill('textarea[name=summary]', 'UPnP 実装に遠隔コード実行の脆弱性');
    await page.fill('textarea[name=details]', 'M-SEARCH の ST ヘッダが 4096 バイトを超えるとスタックが壊れる。PoC: poc_ssdp.py');
    await page.fill('textarea[name=products]', 'SR-1000 Router\nHN Gateway 5');
    await page.fill('textarea[name=components]', 'libupnp < 1.14.18');
    await page.fill('input[name=keywords]', 'upnp');
    await page.fill('input[name=reporter_name]', '田中 誠');
    await page.fill('input[name=reporter_email]', 'tanaka@lab.example.ac.jp');
    await Promise.all([page.waitForNavigation(), page.click('#report-form button[type=submit]')]);
    const receipt = (await page.textContent('[data-testid=receipt-id]')).trim();
    const identifier = (await page.textContent('[data-testid=case-identifier]')).trim();
    assert.match(receipt, /^R-/);
    assert.match(identifier, /^JVNVU#\d{8}$/);
    await page.screenshot({ path: join(shots, 'report-receipt.png') });

    // 2. The coordinator verifies, adds both suggested vendors and sends the summary notice.
    await login(page, base, 'yamada', 'coord-password-1');
    await page.goto(`${base}/cases`);
    await Promise.all([page.waitForNavigation(), page.click(`text=${identifier}`)]);
    const caseUrl = page.url().split('?')[0];
    await page.selectOption('#verify-form select[name=result]', 'reproduced');
    await Promise.all([page.waitForNavigation(), page.click('#verify-form button')]);
    assert.equal(await page.getAttribute('[data-testid=case-verification]', 'data-code'), 'reproduced');
    assert.equal((await page.textContent('[data-testid=case-verification]')).trim(), '再現した');
    for (const name of ['さくら電機', 'Hikari Networks']) {
      await Promise.all([page.waitForNavigation(),
                         page.click(`[data-testid=suggestions] tr[data-vendor="${name}"] [data-testid=add-vendor]`)]);
      await Promise.all([page.waitForNavigation(),
                         page.click(`[data-testid=case-vendors] tr[data-vendor="${name}"] [data-testid=send-summary]`)]);
      // The notice is previewed, then sent; the confirmation leads back to the case (issue 13).
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=notice-send]')]);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=back-to-case]')]);
      assert.equal(await page.getAttribute(`[data-testid=case-vendors] tr[data-vendor="${name}"] [data-testid=level]`, 'data-code'), 'summary');
    }
    await page.screenshot({ path: join(shots, 'case-coordinator.png'), fullPage: true });
    await logout(page);

    // 3. Each vendor sees only the summary and requests the details.
    for (const [account, password] of [['sakura', 'vendor-password-1'], ['hikari', 'vendor-password-2']]) {
      await login(page, base, account, password);
      assert.ok(page.url().endsWith('/cases'));
      await Promise.all([page.waitForNavigation(), page.click(`text=${identifier}`)]);
      assert.equal(await page.locator('[data-testid=case-details]').count(), 0, 'no details before the request');
      assert.equal(await page.locator('[data-testid=details-hidden]').count(), 1);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=request-details]')]);
      if (account === 'sakura') await page.screenshot({ path: join(shots, 'case-vendor-summary.png'), fullPage: true });
      await logout(page);
    }

    // 4. The coordinator discloses the details to both.
    await login(page, base, 'yamada', 'coord-password-1');
    await page.goto(caseUrl);
    for (const name of ['さくら電機', 'Hikari Networks']) {
      await Promise.all([page.waitForNavigation(),
                         page.click(`[data-testid=case-vendors] tr[data-vendor="${name}"] [data-testid=disclose]`)]);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=notice-send]')]);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=back-to-case]')]);
      assert.equal(await page.getAttribute(`[data-testid=case-vendors] tr[data-vendor="${name}"] [data-testid=level]`, 'data-code'), 'detail');
    }
    await logout(page);

    // 5. Each vendor reads the details and reports its status.
    const reports = { sakura: ['vendor-password-1', 'affected', '修正版 2.4.1 を公開'],
                      hikari: ['vendor-password-2', 'not_affected', 'HN Gateway 5 は影響を受けません'] };
    for (const [account, [password, status, text]] of Object.entries(reports)) {
      await login(page, base, account, password);
      await page.goto(caseUrl);
      assert.ok((await page.textContent('[data-testid=case-details]')).includes('M-SEARCH'));
      await page.selectOption('#status-form select[name=status]', status);
      await page.fill('#status-form textarea[name=public_text]', text);
      if (status === 'affected') await page.fill('#status-form textarea[name=urls]', 'https://sakura.example.jp/psirt/1');
      await Promise.all([page.waitForNavigation(), page.click('#status-form button')]);
      assert.equal(await page.locator('[data-testid=flash-ok]').count(), 1);
      if (account === 'sakura') await page.screenshot({ path: join(shots, 'case-vendor-detail.png'), fullPage: true });
      await logout(page);
    }

    // 6. The coordinator sees both statuses.
    await login(page, base, 'yamada', 'coord-password-1');
    await page.goto(caseUrl);
    assert.ok((await page.textContent('[data-testid=case-vendors] tr[data-vendor="さくら電機"] [data-testid=status]')).includes('該当製品あり'));
    assert.ok((await page.textContent('[data-testid=case-vendors] tr[data-vendor="Hikari Networks"] [data-testid=status]')).includes('該当製品なし'));
    await page.screenshot({ path: join(shots, 'case-statuses.png'), fullPage: true });

    // 7. The date (V9): the coordinator proposes, さくら電機 accepts, the coordinator then decides another
    // date — nobody has agreed to that one yet, and the page says so. Banners are message codes only.
    // Dates are entered as a local date and time in the center's zone (Asia/Tokyo).
    const day = 24 * 3600 * 1000;
    const localDate = (ms) => new Date(ms + 9 * 3600 * 1000).toISOString().slice(0, 10);
    const proposed = localDate(Date.now() + 60 * day);
    const decided = localDate(Date.now() + 61 * day);
    await page.fill('#schedule-form input[name=publish_date]', proposed);
    await page.fill('#schedule-form input[name=publish_time]', '10:00');
    await page.fill('#schedule-form input[name=reason]', '海外調整機関との調整');
    await Promise.all([page.waitForNavigation(), page.click('#schedule-form button[value=propose]')]);
    assert.equal(await page.locator('[data-testid=flash-ok]').count(), 1);
    await logout(page);
    await login(page, base, 'sakura', 'vendor-password-1');
    await page.goto(caseUrl);
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=accept-date]')]);
    assert.equal(await page.locator('[data-testid=you-agreed]').count(), 1);
    await logout(page);
    await login(page, base, 'yamada', 'coord-password-1');
    await page.goto(caseUrl);
    assert.equal((await page.textContent('[data-testid=date-answers] tr[data-vendor="さくら電機"] [data-testid=date-answer]')).trim(), '了承済み');
    await page.fill('#schedule-form input[name=publish_date]', '2020-01-01');
    await Promise.all([page.waitForNavigation(), page.click('#schedule-form button[value=decide]')]);
    assert.equal((await page.textContent('[data-testid=flash-error]')).trim(), '入力内容を受け付けられませんでした。該当欄のメッセージを確認してください。');
    assert.ok((await page.textContent('[data-testid=error-publish-at]')).includes('未来の日付と時刻を入力してください'));
    await page.fill('#schedule-form input[name=publish_date]', decided);
    await page.fill('#schedule-form input[name=reason]', '海外調整機関との調整');
    await Promise.all([page.waitForNavigation(), page.click('#schedule-form button[value=decide]')]);
    assert.equal((await page.textContent('[data-testid=date-answers] tr[data-vendor="さくら電機"] [data-testid=date-answer]')).trim(), '未回答');
    assert.equal((await page.textContent('[data-testid=date-answers] tr[data-vendor="Hikari Networks"] [data-testid=date-answer]')).trim(), '未回答');
    assert.ok((await page.textContent('[data-testid=unreachable-rule]')).includes('Asia/Tokyo'));
    await page.screenshot({ path: join(shots, 'case-date-answers.png'), fullPage: true });
    await page.goto(`${caseUrl}?error=${encodeURIComponent('Your account is locked. Call +81-3-0000-0000')}`);
    assert.equal(await page.locator('[data-testid=flash-error]').count(), 0);
  } finally {
    await browser.close();
    await center.stop();
  }
});
