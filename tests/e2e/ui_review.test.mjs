// Browser test (issue 13, reporter and review side), in Japanese at 390 px and English at 1280 px:
// a finder without account submits a report with an attachment (a bad OpenPGP key first: the error stands
// beside the field and everything typed is kept), reads the receipt with its one-time secret and follows
// the status; a vendor reads the advisory draft of its case and comments; the coordinator sees the comment
// and edits the affected products in the editor; the finder sees the stage, the number of vendors notified
// and the acknowledgement text, and approves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Center, launch, login, logout, shots } from './lib.mjs';

const WORDS = {
  ja: { stageReceived: '受付済み', stageCoordinating: '開発者と調整中', keyError: '使える OpenPGP 公開鍵ではありません',
        approved: 'この文面は承認済みです', vendors: '1 社', notDecided: '未定' },
  en: { stageReceived: 'Received', stageCoordinating: 'Coordinating with vendors', keyError: 'not a usable OpenPGP public key',
        approved: 'You approved this text', vendors: '1', notDecided: 'Not decided yet' },
};

// The content of these pages fits the viewport (the header and navigation are the layout's, tested there).
async function noSidewaysScroll(page) {
  const [scroll, width, widest] = await page.evaluate(() => {
    const main = document.querySelector('main');
    let widest = '';
    for (const el of main.querySelectorAll('*'))
      if (el.getBoundingClientRect().right > window.innerWidth + 1) { widest = el.outerHTML.slice(0, 120); break; }
    return [main.scrollWidth, Math.min(main.clientWidth, window.innerWidth), widest];
  });
  assert.ok(scroll <= width + 1, `content scrolls sideways on ${page.url()}: ${scroll} > ${width} (${widest})`);
}

for (const [lang, width] of [['ja', 390], ['en', 1280]]) {
  test(`reporter follows its report, vendor reviews the draft, coordinator edits products (${lang}, ${width}px)`, async () => {
    const w = WORDS[lang];
    const center = new Center();
    center.cli(['user', 'add', 'yamada', '--role', 'coordinator', '--display-name', '山田 花子'], 'coord-password-1\n');
    center.cli(['user', 'add', 'sakura', '--role', 'vendor'], 'vendor-password-1\n');
    center.cli(['user', 'add', 'admin', '--role', 'admin'], 'admin-password-1\n');
    const token = center.cli(['token', 'create', '--user', 'admin']).trim();
    const coordToken = center.cli(['token', 'create', '--user', 'yamada']).trim();  // advisories: coordinators only
    await center.start();
    const { id: vendorId } = await center.api(token, 'POST', '/api/v1/vendors', { name: 'さくら電機', registration_kind: 'general' });
    await center.api(token, 'POST', `/api/v1/vendors/${vendorId}/contacts`, { name: 'PSIRT', email: 'psirt@sakura.example.jp' });
    await center.api(token, 'POST', `/api/v1/vendors/${vendorId}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(token, 'POST', `/api/v1/vendors/${vendorId}/registration`, { state });
    await center.api(token, 'POST', `/api/v1/vendors/${vendorId}/members`, { user: 'sakura' });

    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width, height: 900 }, locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
      const base = center.base;

      // 1. The finder's form: a bad key first.
      await page.goto(`${base}/report?lang=${lang}`);
      await noSidewaysScroll(page);
      await page.fill('input[name=title]', 'SR-1000 の認証回避');
      await page.fill('textarea[name=details]', '/admin に空の Cookie で入れる。PoC を添付。');
      await page.fill('input[name=reporter_name]', '田中 誠');
      await page.fill('input[name=reporter_email]', 'tanaka@lab.example.ac.jp');
      await page.check('input[name=vendor_contacted][value=yes]');
      await page.fill('input[name=vendor_contacted_which]', 'さくら電機 PSIRT（先週）');
      await page.check('input[name=ack][value=name]');
      await page.fill('input[name=ack_name]', 'T. Tanaka');
      await page.fill('textarea[name=reply_key]', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----');
      const poc = { name: 'poc.sh', mimeType: 'text/plain', buffer: Buffer.from('curl -b "" http://router/admin\n') };
      await page.setInputFiles('input[name=attachments]', poc);
      await Promise.all([page.waitForNavigation(), page.click('#report-form button[type=submit]')]);
      assert.match(await page.textContent('[data-testid=err-reply_key]'), new RegExp(w.keyError));
      assert.equal(await page.inputValue('input[name=title]'), 'SR-1000 の認証回避');
      assert.equal(await page.inputValue('input[name=vendor_contacted_which]'), 'さくら電機 PSIRT（先週）');
      assert.equal(await page.inputValue('input[name=ack_name]'), 'T. Tanaka');
      assert.ok(await page.isChecked('input[name=vendor_contacted][value=yes]'));
      await page.screenshot({ path: join(shots, `review-report-error-${lang}-${width}.png`), fullPage: true });

      // Fixed: no key, the file chosen again.
      await page.fill('textarea[name=reply_key]', '');
      await page.setInputFiles('input[name=attachments]', poc);
      await Promise.all([page.waitForNavigation(), page.click('#report-form button[type=submit]')]);
      const receipt = (await page.textContent('[data-testid=receipt-id]')).trim();
      const secret = (await page.textContent('[data-testid=status-secret]')).trim();
      assert.match(receipt, /^R-/);
      assert.match(secret, /^[0-9a-f]{32}$/);
      assert.equal((await page.textContent('[data-testid=receipt-files]')).trim(), '1');
      await page.waitForSelector('[data-testid=secret-once]');
      await noSidewaysScroll(page);
      await page.screenshot({ path: join(shots, `review-receipt-${lang}-${width}.png`), fullPage: true });

      // 2. Straight to the status from the receipt.
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=receipt-status]')]);
      assert.equal((await page.getAttribute('[data-testid=report-stage]', 'data-stage')), 'received');
      assert.match(await page.textContent('[data-testid=report-stage]'), new RegExp(w.stageReceived));
      assert.match(await page.textContent('[data-testid=publish-at]'), new RegExp(w.notDecided));

      // A wrong secret: the same refusal as an unknown receipt id.
      await page.goto(`${base}/report/status`);
      await page.fill('input[name=receipt_id]', receipt);
      await page.fill('input[name=secret]', '0'.repeat(32));
      await Promise.all([page.waitForNavigation(), page.click('#status-lookup button[type=submit]')]);
      const wrongSecret = await page.textContent('[data-testid=form-error]');
      await page.fill('input[name=receipt_id]', 'R-0000-0000-0000');
      await page.fill('input[name=secret]', secret);
      await Promise.all([page.waitForNavigation(), page.click('#status-lookup button[type=submit]')]);
      assert.equal(await page.textContent('[data-testid=form-error]'), wrongSecret);

      // 3. The coordinator takes the case to the vendor and writes a draft (API here; ui-case covers the page).
      const cases = await center.api(token, 'GET', '/api/v1/cases');
      const list = Array.isArray(cases) ? cases : cases.cases;
      const caseId = list.find((c) => c.title === 'SR-1000 の認証回避').id;
      await center.api(token, 'POST', `/api/v1/cases/${caseId}/verification`, { result: 'reproduced' });
      await center.api(token, 'POST', `/api/v1/cases/${caseId}/vendors`, { vendor_id: vendorId });
      await center.api(token, 'POST', `/api/v1/cases/${caseId}/vendors/${vendorId}/details`, { obvious_vendor: true });
      await center.api(coordToken, 'PUT', `/api/v1/cases/${caseId}/advisory`, {
        title: { ja: 'SR-1000 における認証回避の脆弱性', en: 'Authentication bypass in SR-1000' },
        overview: { ja: 'SR-1000 に認証回避の脆弱性があります。', en: 'SR-1000 has an authentication bypass.' },
        acknowledgements: { ja: 'T. Tanaka 氏が報告しました。', en: 'Reported by T. Tanaka.' },
      });

      // 4. The vendor reads the draft and comments.
      await login(page, base, 'sakura', 'vendor-password-1');
      await page.goto(`${base}/cases/${caseId}/draft?lang=${lang}`);
      assert.match(await page.textContent('[data-testid=draft-title]'), lang === 'ja' ? /認証回避/ : /Authentication bypass/);
      await noSidewaysScroll(page);
      await page.fill('#draft-comment textarea[name=body]', '修正版 2.1.4 を記載してください。');
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=draft-comment-send]')]);
      await page.waitForSelector('[data-testid=flash-ok]');
      assert.match(await page.textContent('[data-testid=draft-comments]'), /2\.1\.4/);
      await page.screenshot({ path: join(shots, `review-draft-${lang}-${width}.png`), fullPage: true });
      await logout(page);

      // 5. The coordinator sees the comment and adds an affected product row in the editor.
      await login(page, base, 'yamada', 'coord-password-1');
      await page.goto(`${base}/cases/${caseId}/advisory?lang=${lang}`);
      assert.match(await page.textContent('[data-testid=vendor-draft-comments]'), /2\.1\.4/);
      assert.match(await page.textContent('[data-testid=reporter-wishes]'), /T\. Tanaka/);
      const row = page.locator('[data-testid=product-row]').first();
      await row.locator('select').selectOption(String(vendorId));
      await row.locator('input[name^=prod_key_]').fill('sr-1000');
      await row.locator('input[name^=prod_name_ja_]').fill('SR-1000');
      await row.locator('input[name^=prod_name_en_]').fill('SR-1000');
      await row.locator('input[name^=prod_versions_]').fill('2.1.0 - 2.1.3');
      await row.locator('input[name^=prod_fixed_]').fill('2.1.4');
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=advisory-save]')]);
      await page.waitForSelector('[data-testid=flash-ok]');
      assert.equal(await page.inputValue('input[name=prod_key_0]'), 'sr-1000');
      assert.equal(await page.inputValue('input[name=prod_fixed_0]'), '2.1.4');
      // One more row, then remove the first: the product list follows the form.
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=product-add-row]')]);
      assert.ok((await page.locator('[data-testid=product-row]').count()) >= 3);
      await page.screenshot({ path: join(shots, `review-editor-products-${lang}-${width}.png`), fullPage: true });
      const advisory = await center.api(coordToken, 'GET', `/api/v1/cases/${caseId}/advisory`);
      assert.equal(advisory.content.products.length, 1);
      assert.equal(advisory.content.products[0].product_key, 'sr-1000');
      await page.check('input[name=prod_remove_0]');
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=advisory-save]')]);
      await page.waitForSelector('[data-testid=flash-ok]');
      const after = await center.api(coordToken, 'GET', `/api/v1/cases/${caseId}/advisory`);
      assert.equal(after.content.products.length, 0);
      await logout(page);

      // 6. The finder follows up: stage, vendors notified, acknowledgement text; approves it.
      await page.goto(`${base}/report/status?lang=${lang}`);
      await page.fill('input[name=receipt_id]', receipt);
      await page.fill('input[name=secret]', secret);
      await Promise.all([page.waitForNavigation(), page.click('#status-lookup button[type=submit]')]);
      assert.equal(await page.getAttribute('[data-testid=report-stage]', 'data-stage'), 'coordinating');
      assert.match(await page.textContent('[data-testid=report-stage]'), new RegExp(w.stageCoordinating));
      assert.equal((await page.textContent('[data-testid=vendors-notified]')).trim(), w.vendors);
      assert.match(await page.textContent('[data-testid=ack-text]'), /T\. Tanaka/);
      await noSidewaysScroll(page);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid=ack-approve]')]);
      assert.match(await page.textContent('[data-testid=ack-approved]'), new RegExp(w.approved));
      await page.screenshot({ path: join(shots, `review-status-${lang}-${width}.png`), fullPage: true });
      // No raw codes on the reporter's page.
      const text = await page.textContent('main');
      for (const raw of ['coordinating', 'received', 'anonymous', 'review_'])
        assert.ok(!text.includes(raw), `raw code "${raw}" shown`);
    } finally {
      await browser.close();
      await center.stop();
    }
  });
}
