// Browser test: advisories (V14, V15, V19). Two cases get an advisory; one is released at its decided
// instant a few seconds ahead, the other stays under embargo. Before the instant neither leaves a trace in
// the public list, search, feeds, CSAF index or statistics; after it the released one is everywhere and the
// embargoed one still nowhere. The advisory page has figure 1's sections in order and the vendor table; a
// status link opens the vendor page (figure 2); the language switch gives the English page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Center, launch, shots } from './lib.mjs';

const kSections = ['overview', 'affected_systems', 'details', 'impact', 'solution', 'vendors', 'references',
                   'coordinator_notes', 'analysis', 'acknowledgements', 'related', 'history'];
const kHeadingsJa = ['概要', '影響を受けるシステム', '詳細情報', '想定される影響', '対策方法', 'ベンダ情報', '参考情報',
                     '調整機関からの補足情報', '調整機関による脆弱性分析結果', '謝辞', '関連文書', '更新履歴'];

async function text(base, path) {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.text() };
}

// Everything public where an advisory could show up.
const kPublic = ['/advisories/', '/advisories/?q=CVE-2026', '/advisories/?q=Embargoed', '/advisories/feed/rss.xml',
                 '/advisories/feed/atom.xml', '/advisories/feed/rss.xml?lang=en', '/.well-known/csaf/white/index.txt',
                 '/.well-known/csaf/white/changes.csv', '/stats', '/stats/advisories.csv', '/api/v1/advisories'];

async function assertNoTrace(base, advisory, label) {
  const digits = advisory.advisory_id.split('#')[1];
  for (const path of kPublic) {
    const { body } = await text(base, path);
    assert.ok(!body.includes(digits), `${label}: ${path} mentions ${advisory.advisory_id}`);
    assert.ok(!body.includes(advisory.title), `${label}: ${path} shows the title`);
  }
  assert.equal((await text(base, advisory.url)).status, 404, `${label}: ${advisory.url}`);
}

test('an advisory appears at its instant with figure 1 layout; an embargoed one leaves no trace', async () => {
  const center = new Center();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator'], 'coord-password-1\n');
  center.cli(['user', 'add', 'admin', '--role', 'admin'], 'admin-password-1\n');
  const admin = center.cli(['token', 'create', '--user', 'admin']).trim();
  const coord = center.cli(['token', 'create', '--user', 'yamada']).trim();
  await center.start();
  const base = center.base;

  const vendors = {};
  for (const name of ['さくら電機', 'Hikari Networks']) {
    const { id } = await center.api(admin, 'POST', '/api/v1/vendors', { name, registration_kind: 'general' });
    await center.api(admin, 'POST', `/api/v1/vendors/${id}/contacts`, { name: 'PSIRT', email: `psirt${id}@example.jp` });
    await center.api(admin, 'POST', `/api/v1/vendors/${id}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(admin, 'POST', `/api/v1/vendors/${id}/registration`, { state });
    vendors[name] = id;
  }
  const advisories = [];
  for (const [title, cve] of [['Released UPnP overflow', 'CVE-2026-40001'], ['Embargoed camera bypass', 'CVE-2026-40002']]) {
    const c = await center.api(coord, 'POST', '/api/v1/cases', { title, summary: 'summary', details: 'details', source: 'domestic' });
    await center.api(coord, 'POST', `/api/v1/cases/${c.id}/verification`, { result: 'reproduced' });
    for (const v of Object.values(vendors)) {
      await center.api(coord, 'POST', `/api/v1/cases/${c.id}/vendors`, { vendor_id: v });
      await center.api(coord, 'POST', `/api/v1/cases/${c.id}/vendors/${v}/details`, { obvious_vendor: true });
    }
    await center.api(coord, 'POST', `/api/v1/cases/${c.id}/status`,
                     { status: 'affected', public_text: 'Fixed in 2.4.1', urls: ['https://sakura.example.jp/psirt/1'],
                       vendor_id: vendors['さくら電機'] });
    const a = await center.api(coord, 'PUT', `/api/v1/cases/${c.id}/advisory`, {
      title: { ja: `${title}（日本語）`, en: title },
      overview: { ja: '概要の本文', en: 'Overview text' },
      affected_systems: { ja: 'SR-1000 2.3 以前', en: 'SR-1000 2.3 and earlier' },
      details: { ja: '詳細の本文', en: 'Details text' },
      impact: { ja: '任意のコード実行', en: 'Arbitrary code execution' },
      solution: { ja: 'アップデートしてください', en: 'Update the firmware' },
      references: [{ url: 'https://example.org/ref', title: { ja: '参考', en: 'Reference' } }],
      coordinator_notes: { ja: '補足', en: 'Notes' },
      analysis: { ja: '分析', en: 'Analysis' },
      cvss_v31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      acknowledgements: { ja: '報告者に感謝します', en: 'Thanks to the reporter' },
      related: [{ id: 'VU#123456', url: 'https://example.org/vu' }],
      cve_ids: [cve],
    });
    advisories.push({ case: c.id, advisory_id: a.advisory_id, url: a.url, title });
  }
  const [released, embargoed] = advisories;
  // The first is decided a few seconds ahead; the other far away.
  const instant = new Date(Date.now() + 6000);
  await center.api(coord, 'POST', `/api/v1/cases/${released.case}/schedule/decision`,
                   { publish_at: instant.toISOString().replace(/\.\d+Z$/, 'Z'), reason: 'test' });
  await assertNoTrace(base, released, 'before the instant');
  await assertNoTrace(base, embargoed, 'before the instant');

  for (let i = 0; i < 200 && (await text(base, released.url)).status !== 200; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal((await text(base, released.url)).status, 200, 'released at the instant');
  await assertNoTrace(base, embargoed, 'after the other release');
  // The released one is in the list, search, feeds, CSAF index and statistics together.
  const digits = released.advisory_id.split('#')[1];
  for (const path of ['/advisories/', '/advisories/?q=CVE-2026-40001', '/advisories/feed/rss.xml',
                      '/advisories/feed/atom.xml', '/.well-known/csaf/white/index.txt'])
    assert.ok((await text(base, path)).body.includes(digits), `${path} lists the released advisory`);
  assert.match((await text(base, '/stats/advisories.csv')).body, /,1,0,0,1,0,0\r\n/);

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'ja-JP' });
    await page.goto(`${base}/advisories/`);
    await page.fill('[data-testid=advisory-search]', 'CVE-2026-40001');
    await Promise.all([page.waitForNavigation(), page.press('[data-testid=advisory-search]', 'Enter')]);
    await Promise.all([page.waitForNavigation(), page.click(`text=${released.advisory_id}`)]);
    assert.equal(await page.textContent('[data-testid=advisory-id]'), released.advisory_id);
    assert.deepEqual(await page.$$eval('[data-section]', (els) => els.map((e) => e.dataset.section)), kSections);
    assert.deepEqual(await page.$$eval('[data-section] > h2', (els) => els.map((e) => e.textContent.trim())), kHeadingsJa);
    const rows = await page.$$eval('[data-testid=vendor-table] tbody tr',
                                   (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
    assert.deepEqual(rows.map((r) => r.slice(0, 2)), [['さくら電機', '該当製品あり'], ['Hikari Networks', '不明']]);
    assert.equal(rows[0][2], 'Fixed in 2.4.1');
    assert.equal(rows[0][3], 'https://sakura.example.jp/psirt/1');
    assert.equal(await page.textContent('[data-testid=cvss-score]'), '9.8');
    await page.screenshot({ path: join(shots, 'advisory-page.png'), fullPage: true });

    // A status links to the vendor's page (figure 2).
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=vendor-table] tr[data-vendor] >> nth=0 >> [data-testid=vendor-status]')]);
    assert.equal(await page.textContent('[data-testid=vendor-heading]'), `さくら電機 の脆弱性 ${released.advisory_id} への対応`);
    assert.equal(await page.textContent('[data-testid=vendor-page-status]'), '該当製品あり');
    assert.match(await page.textContent('[data-testid=vendor-comment]'), /Fixed in 2\.4\.1/);
    assert.ok((await page.$$('[data-testid=vendor-history] dt')).length >= 1);

    // The language switch.
    await page.goto(base + released.url);
    await Promise.all([page.waitForNavigation(), page.click('a[hreflang=en]')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('[data-testid=advisory-title]'), released.title);
    assert.equal(await page.textContent('[data-section=vendors] > h2'), 'Vendor Status');
    assert.equal(await page.textContent('[data-testid=vendor-table] [data-status=unknown]'), 'Unknown');

    // The coordinator's editor on the embargoed case: a CSRF-protected form, saved as a new revision,
    // previewed with the same template; still 404 for the public afterwards.
    await page.goto(`${base}/login?lang=ja`);
    await page.fill('input[name=name]', 'yamada');
    await page.fill('input[name=password]', 'coord-password-1');
    await Promise.all([page.waitForNavigation(), page.click('#login-form button[type=submit]')]);
    await page.goto(`${base}/cases/${embargoed.case}`);
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=advisory-editor-link]')]);
    await page.fill('input[name=title_en]', 'Embargoed camera bypass, revised');
    await page.fill('input[name=cvss_v40]', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N');
    await page.fill(`textarea[name=statement_${vendors['さくら電機']}_ja]`, 'さくら電機からの声明');
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=advisory-save]')]);
    assert.ok(await page.isVisible('[data-testid=flash-ok]'));
    assert.equal((await page.$$('[data-testid=advisory-revisions] tbody tr')).length, 2);
    await page.fill('input[name=cvss_v31]', 'CVSS:3.1/AV:X');
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=advisory-save]')]);
    assert.match(await page.textContent('[data-testid=flash-error]'), /cvss_v31/);
    const forged = await page.request.post(`${base}/cases/${embargoed.case}/advisory`,
                                           { form: { title_ja: 'forged', overview_ja: 'x' }, maxRedirects: 0 });
    assert.equal(forged.status(), 403, 'a form post without the CSRF token is refused');
    await page.goto(`${base}/cases/${embargoed.case}/advisory`);
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=preview-link]')]);
    assert.ok(await page.isVisible('[data-testid=preview-banner]'));
    assert.deepEqual(await page.$$eval('[data-section]', (els) => els.map((e) => e.dataset.section)), kSections);
    assert.equal((await page.$$('[data-testid=cvss-score]')).length, 2);
    assert.match(await page.textContent('[data-section=vendors]'), /さくら電機からの声明/);
    await page.screenshot({ path: join(shots, 'advisory-preview.png') });
    await assertNoTrace(base, embargoed, 'after editing under embargo');
  } finally {
    await browser.close();
    await center.stop();
  }
});
