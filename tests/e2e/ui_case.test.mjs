// Browser test (issue 13): the case page for a coordinator and a vendor, in Japanese and English, on a
// 390 px phone and at 1280 px. Only the UI is used once the case exists: the coordinator adds a vendor that
// was not suggested, assigns an owner, discloses, proposes a date (after a bad entry whose error appears
// beside the field in the viewer's language while the typed reason stays), and later decides and closes;
// the vendor reports its status, changes only its URL without losing its comment, accepts the date, asks
// for another one and sees that request pending, and can still answer after the decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Center, launch, login, shots } from './lib.mjs';

const words = {
  ja: { dateError: '未来の日付と時刻を入力してください', accepted: '公表日時を了承しました。', pending: 'コーディネーターの判断待ち',
        proposedCounts: '提案中の日時です', decidedCounts: '決定済みの日時に公表されます', closed: '完了',
        decidedSentence: 'が公表日時を', zone: 'タイムゾーン: Asia/Tokyo', locale: 'ja-JP' },
  en: { dateError: 'Enter a date and time in the future', accepted: 'You accepted the publication date.',
        pending: 'waiting for the coordinator', proposedCounts: 'This date is proposed, not decided',
        decidedCounts: 'Publication happens at the decided instant.', closed: 'Closed',
        decidedSentence: 'decided publication at', zone: 'Time zone: Asia/Tokyo', locale: 'en-US' },
};

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test('the case page runs a coordinator\'s and a vendor\'s day without the API', async () => {
  const center = new Center();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator', '--display-name', '山田 花子'], 'coord-password-1\n');
  center.cli(['user', 'add', 'sakura', '--role', 'vendor'], 'vendor-password-1\n');
  center.cli(['user', 'add', 'admin', '--role', 'admin'], 'admin-password-1\n');
  const token = center.cli(['token', 'create', '--user', 'admin']).trim();
  await center.start();
  const base = center.base;
  // The registry: さくら電機 (with a portal account) and Tsubame Systems, which no report will suggest.
  const vendorIds = {};
  for (const [name, account, product] of [['さくら電機', 'sakura', 'SR-1000 Router'], ['Tsubame Systems', '', 'TS Camera']]) {
    const { id } = await center.api(token, 'POST', '/api/v1/vendors', { name, registration_kind: 'general' });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/contacts`, { name: 'PSIRT', email: `psirt${id}@example.jp` });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(token, 'POST', `/api/v1/vendors/${id}/registration`, { state });
    await center.api(token, 'POST', `/api/v1/vendors/${id}/products`, { name: product, components: [] });
    if (account) await center.api(token, 'POST', `/api/v1/vendors/${id}/members`, { user: account });
    vendorIds[name] = id;
  }

  const browser = await launch();
  try {
    for (const [lang, width] of [['ja', 390], ['en', 1280], ['ja', 1280], ['en', 390]]) {
      const w = words[lang];
      const tag = `${lang}-${width}`;
      // A fresh report for each run, verified (that is the coordinator's first step, covered by vuln_walk).
      const report = await center.api(token, 'POST', '/api/v1/cases', {
        title: `SSDP overflow ${tag}`, summary: 'UPnP の脆弱性', details: 'M-SEARCH ST header overflow',
        products: ['SR-1000 Router'], keywords: ['upnp'], reporter_name: '田中 誠', reporter_email: 'tanaka@lab.example.ac.jp',
      });
      await center.api(token, 'POST', `/api/v1/cases/${report.id}/verification`, { result: 'reproduced' });
      const caseUrl = `${base}/cases/${report.id}`;
      const viewport = { width, height: 900 };
      const coordCtx = await browser.newContext({ viewport, locale: w.locale });
      const vendorCtx = await browser.newContext({ viewport, locale: w.locale });
      const coord = await coordCtx.newPage();
      const vendor = await vendorCtx.newPage();
      await login(coord, base, 'yamada', 'coord-password-1');
      await login(vendor, base, 'sakura', 'vendor-password-1');

      // Coordinator: sections, the reporter (staff only), any vendor from the registry, an owner.
      await coord.goto(caseUrl);
      for (const anchor of ['#report', '#vendors', '#schedule', '#messages', '#advisory', '#timeline'])
        assert.equal(await coord.locator(`[data-testid=case-sections] a[href="${anchor}"]`).count(), 1, anchor);
      assert.ok((await coord.textContent('[data-testid=case-reporter]')).includes('tanaka@lab.example.ac.jp'));
      await coord.selectOption('#add-vendor-form select[name=vendor]', String(vendorIds['Tsubame Systems']));
      await submit(coord, '[data-testid=add-any-vendor]');
      assert.equal(await coord.locator('[data-testid=case-vendors] tr[data-vendor="Tsubame Systems"]').count(), 1);
      await coord.selectOption('#add-vendor-form select[name=vendor]', String(vendorIds['さくら電機']));
      await submit(coord, '[data-testid=add-any-vendor]');
      await coord.selectOption('#owner-form select[name=owner]', { label: '山田 花子' });
      await submit(coord, '#owner-form button');
      assert.equal((await coord.textContent('[data-testid=case-owner]')).trim(), '山田 花子');
      await submit(coord, '[data-testid=case-vendors] tr[data-vendor="さくら電機"] [data-testid=disclose-direct]');
      // The notice is previewed, then sent; the confirmation leads back to the case (issue 13, templates).
      await submit(coord, '[data-testid=notice-send]');
      await submit(coord, '[data-testid=back-to-case]');
      assert.equal(await coord.getAttribute('[data-testid=case-vendors] tr[data-vendor="さくら電機"] [data-testid=level]', 'data-code'), 'detail');

      // A bad date: the error beside the field, in the viewer's language; the typed reason stays.
      assert.ok((await coord.textContent('[data-testid=schedule-zone]')).includes(w.zone));
      assert.equal(await coord.inputValue('#schedule-form input[name=publish_time]'), '10:00');
      const goodDate = await coord.inputValue('#schedule-form input[name=publish_date]');
      assert.match(goodDate, /^\d{4}-\d{2}-\d{2}$/);
      await coord.fill('#schedule-form input[name=publish_date]', '2020-01-01');
      await coord.fill('#schedule-form input[name=reason]', `海外調整機関との調整 ${tag}`);
      await submit(coord, '#schedule-form button[value=propose]');
      const beside = coord.locator('#schedule-form [data-testid=error-publish-at]');
      assert.ok((await beside.textContent()).includes(w.dateError), await beside.textContent());
      assert.equal(await coord.inputValue('#schedule-form input[name=reason]'), `海外調整機関との調整 ${tag}`);
      await coord.screenshot({ path: join(shots, `case-date-error-${tag}.png`), fullPage: true });
      await coord.fill('#schedule-form input[name=publish_date]', goodDate);
      await submit(coord, '#schedule-form button[value=propose]');
      assert.equal(await coord.locator('[data-testid=flash-ok]').count(), 1);
      assert.ok((await coord.textContent('[data-testid=which-counts]')).includes(w.proposedCounts));

      // Vendor: status, then only the URL changes; the published comment survives.
      await vendor.goto(caseUrl);
      await vendor.selectOption('#status-form select[name=status]', 'affected');
      await vendor.fill('#status-form textarea[name=public_text]', '修正版 2.4.1 を公開しました');
      await vendor.fill('#status-form textarea[name=urls]', 'https://sakura.example.jp/psirt/1');
      await submit(vendor, '#status-form button');
      await vendor.goto(caseUrl);
      assert.equal(await vendor.inputValue('#status-form textarea[name=public_text]'), '修正版 2.4.1 を公開しました');
      assert.equal(await vendor.inputValue('#status-form select[name=status]'), 'affected');
      await vendor.fill('#status-form textarea[name=urls]', 'https://sakura.example.jp/psirt/2');
      await submit(vendor, '#status-form button');
      assert.equal(await vendor.locator('[data-testid=flash-ok]').count(), 1);
      assert.equal(await vendor.inputValue('#status-form textarea[name=public_text]'), '修正版 2.4.1 を公開しました');
      assert.equal(await vendor.inputValue('#status-form textarea[name=urls]'), 'https://sakura.example.jp/psirt/2');

      // Vendor: accepts; the page says so and the button is gone. Then asks for another date: pending.
      await submit(vendor, '[data-testid=accept-date]');
      assert.equal((await vendor.textContent('[data-testid=flash-ok]')).trim(), w.accepted);
      assert.equal(await vendor.locator('[data-testid=accept-date]').count(), 0);
      assert.equal(await vendor.locator('[data-testid=you-agreed]').count(), 1);
      await vendor.screenshot({ path: join(shots, `case-vendor-accepted-${tag}.png`), fullPage: true });
      await vendor.click('[data-testid=request-change-toggle]');
      const later = new Date(Date.parse(`${goodDate}T00:00:00Z`) + 14 * 86400000).toISOString().slice(0, 10);
      await vendor.fill('#change-form input[name=publish_date]', later);
      await vendor.fill('#change-form input[name=publish_time]', '11:00');
      await vendor.fill('#change-form input[name=reason]', 'ファームウェアの配布に時間がかかるため');
      await submit(vendor, '[data-testid=request-change]');
      assert.ok((await vendor.textContent('[data-testid=my-change-requests]')).includes(w.pending));

      // Coordinator: the schedule box names who accepted and who asked; deciding with no new proposal.
      await coord.goto(caseUrl);
      assert.ok((await coord.textContent('[data-testid=asked-by]')).includes('さくら電機'));
      await coord.fill('#schedule-form input[name=reason]', '海外調整機関との調整');
      await submit(coord, '#schedule-form button[value=decide]');
      assert.ok((await coord.textContent('[data-testid=which-counts]')).includes(w.decidedCounts));
      const timeline = await coord.textContent('[data-testid=timeline]');
      assert.ok(timeline.includes('山田 花子'), timeline);
      assert.ok(timeline.includes(w.decidedSentence), timeline);
      for (const raw of ['schedule.decided', 'message.posted', 'vendor.added', 'T01:00:00Z'])
        assert.ok(!timeline.includes(raw), raw);
      await coord.screenshot({ path: join(shots, `case-coordinator-${tag}.png`), fullPage: true });

      // Vendor: after the decision it can still accept or ask for another date.
      await vendor.goto(caseUrl);
      assert.equal(await vendor.locator('[data-testid=accept-date]').count(), 1);
      assert.equal(await vendor.locator('[data-testid=request-change-toggle]').count(), 1);
      assert.equal(await vendor.locator('[data-testid=case-reporter]').count(), 0);
      assert.ok(!(await vendor.content()).includes('tanaka@lab.example.ac.jp'));
      await vendor.screenshot({ path: join(shots, `case-vendor-${tag}.png`), fullPage: true });
      // The case page's own tables scroll inside their box, never the page (the layout is ui-public's).
      const wide = await vendor.evaluate(() => Math.max(0, ...[...document.querySelectorAll('.case-section')]
        .map((el) => el.scrollWidth - el.clientWidth)));
      assert.ok(wide <= 1, `a case section is ${wide}px wider than the page at ${width}`);

      // Coordinator: closing needs a reason; a blank one is refused beside the field, then it closes.
      await coord.click('details:has(#close-form) > summary');
      await coord.evaluate(() => { document.querySelector('#close-form textarea[name=reason]').removeAttribute('required'); });
      await coord.fill('#close-form textarea[name=reason]', ' ');
      await submit(coord, '#close-form button');
      assert.equal(await coord.locator('[data-testid=error-close-reason]').count(), 1);
      await coord.fill('#close-form textarea[name=reason]', '全製品開発者が対策を公開済み');
      await submit(coord, '#close-form button');
      assert.equal((await coord.textContent('[data-testid=case-state]')).trim(), w.closed);
      assert.equal((await coord.textContent('[data-testid=case-closed-reason]')).trim(), '全製品開発者が対策を公開済み');
      await coordCtx.close();
      await vendorCtx.close();
    }
  } finally {
    await browser.close();
    await center.stop();
  }
});
