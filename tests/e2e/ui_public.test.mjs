// Browser test (issue 13, ui-public): the responsive layout and the public pages at 390, 768, 1280 and
// 1920 px, in Japanese and English, anonymous and as an admin (the role with the most navigation items).
// On every page: the page never scrolls sideways (tables scroll in their own box), no navigation item is
// taller than two lines of its text (it was one character per line in Japanese at 1280 px), the menu is a
// button below 1024 px that opens without script, identifiers and dates (.token) never wrap inside, and a
// screenshot goes to SCREENSHOT_DIR. The advisory page also carries its identifier in <title>, alternate
// links to the feeds and the CSAF document, and marks English-page text that exists only in Japanese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Center, launch, login, shots } from './lib.mjs';

const kWidths = [390, 768, 1280, 1920];
const kLangs = ['ja', 'en'];

async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth)
      problems.push(`page scrolls sideways: scrollWidth ${doc.scrollWidth} > innerWidth ${window.innerWidth}`);
    for (const a of document.querySelectorAll('nav.main a')) {
      const style = getComputedStyle(a);
      const rect = a.getBoundingClientRect();
      if (rect.height === 0) { problems.push(`nav item hidden: ${a.textContent}`); continue; }
      const fontSize = parseFloat(style.fontSize);
      const lineHeight = style.lineHeight === 'normal' ? fontSize * 1.2 : parseFloat(style.lineHeight);
      const content = rect.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      if (content > 2 * lineHeight + 1) problems.push(`nav item "${a.textContent}" is ${content}px tall (line ${lineHeight}px)`);
      if (rect.right > window.innerWidth + 1 || rect.left < -1) problems.push(`nav item "${a.textContent}" outside the screen`);
    }
    // Identifiers and dates stay on one line (an inline box that wraps has several client rects).
    for (const t of document.querySelectorAll('.token'))
      if (t.getClientRects().length > 1) problems.push(`token "${t.textContent}" wraps`);
    return problems;
  });
}

// Opens the compact menu on narrow screens (a <details>: no script needed) so its items can be measured.
async function openMenu(page, width) {
  const summary = page.locator('[data-testid=nav-menu] > summary');
  if (width < 1024) {
    assert.ok(await summary.isVisible(), `Menu button at ${width}px`);
    assert.ok(!(await page.locator('nav.main a').first().isVisible()), `menu closed at first at ${width}px`);
    await summary.click();
    assert.ok(await page.locator('nav.main a').first().isVisible(), `menu opens at ${width}px`);
  } else {
    assert.ok(!(await summary.isVisible()), `no Menu button at ${width}px`);
    assert.ok(await page.locator('nav.main a').first().isVisible(), `navigation shown at ${width}px`);
  }
}

async function checkPage(page, base, path, name, lang, width, who) {
  await page.setViewportSize({ width, height: 900 });
  const sep = path.includes('?') ? '&' : '?';
  const res = await page.goto(`${base}${path}${sep}lang=${lang}`);
  assert.equal(res.status(), 200, `${path} (${lang}, ${who})`);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  await page.screenshot({ path: join(shots, `ui-public-${name}-${who}-${lang}-${width}.png`), fullPage: true });
  await openMenu(page, width);
  const problems = await layoutProblems(page);
  assert.deepEqual(problems, [], `${path} as ${who} in ${lang} at ${width}px`);
}

test('layout works at four widths in both languages for anonymous visitors and an admin', async () => {
  const center = new Center();
  center.cli(['user', 'add', 'yamada', '--role', 'coordinator'], 'coord-password-1\n');
  center.cli(['user', 'add', 'admin', '--role', 'admin'], 'admin-password-1\n');
  const admin = center.cli(['token', 'create', '--user', 'admin']).trim();
  const coord = center.cli(['token', 'create', '--user', 'yamada']).trim();
  await center.start();
  const base = center.base;

  // One published advisory with long tokens, a Japanese-only vendor comment and empty sections.
  const vendors = [];
  for (const name of ['さくら電機株式会社 製品セキュリティインシデント対応チーム', 'Hikari Networks International Holdings']) {
    const { id } = await center.api(admin, 'POST', '/api/v1/vendors', { name, registration_kind: 'general' });
    await center.api(admin, 'POST', `/api/v1/vendors/${id}/contacts`, { name: 'PSIRT', email: `psirt${id}@example.jp` });
    await center.api(admin, 'POST', `/api/v1/vendors/${id}/terms`, { version: '2026-04' });
    for (const state of ['documents_received', 'meeting', 'registered'])
      await center.api(admin, 'POST', `/api/v1/vendors/${id}/registration`, { state });
    vendors.push(id);
  }
  const c = await center.api(coord, 'POST', '/api/v1/cases',
                             { title: 'UPnP overflow', summary: 'summary', details: 'details', source: 'domestic' });
  await center.api(coord, 'POST', `/api/v1/cases/${c.id}/verification`, { result: 'reproduced' });
  for (const v of vendors) {
    await center.api(coord, 'POST', `/api/v1/cases/${c.id}/vendors`, { vendor_id: v });
    await center.api(coord, 'POST', `/api/v1/cases/${c.id}/vendors/${v}/details`, { obvious_vendor: true });
  }
  await center.api(coord, 'POST', `/api/v1/cases/${c.id}/status`, {
    status: 'affected', public_text: '修正版ファームウェア 2.4.1 を公開しました。詳細は告知ページをご覧ください。',
    urls: ['https://sakura.example.jp/psirt/advisories/2026/firmware-update-for-the-upnp-stack-buffer-overflow-vulnerability.html'],
    vendor_id: vendors[0],
  });
  const a = await center.api(coord, 'PUT', `/api/v1/cases/${c.id}/advisory`, {
    title: { ja: 'SR-1000 シリーズの UPnP 機能におけるスタックベースのバッファオーバーフローの脆弱性', en: 'SR-1000 series UPnP stack-based buffer overflow' },
    overview: { ja: '概要の本文です。'.repeat(20), en: 'Overview text. '.repeat(20) },
    details: { ja: '詳細は日本語のみで提供されています。', en: '' },
    solution: { ja: 'アップデートしてください', en: 'Update the firmware' },
    references: [{ url: 'https://example.org/a/very/long/reference/url/that/does/not/fit/on/a/phone/screen/at/all/index.html', title: { ja: '', en: '' } }],
    cvss_v31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cvss_v40: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    cve_ids: ['CVE-2026-40001', 'CVE-2026-40002', 'CVE-2026-40003', 'CVE-2026-400004'],
  });
  const instant = new Date(Date.now() + 4000);
  await center.api(coord, 'POST', `/api/v1/cases/${c.id}/schedule/decision`,
                   { publish_at: instant.toISOString().replace(/\.\d+Z$/, 'Z'), reason: 'test' });
  for (let i = 0; i < 200 && (await fetch(base + a.url)).status !== 200; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal((await fetch(base + a.url)).status, 200, 'the advisory is released');

  const publicPages = [['/', 'home'], ['/advisories/', 'advisories'], [a.url, 'advisory'], ['/stats', 'stats'], ['/report', 'report']];
  const staffPages = [['/dashboard', 'dashboard'], ['/cases', 'cases']];
  const browser = await launch();
  try {
    for (const lang of kLangs) {
      const context = await browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US' });
      const page = await context.newPage();
      for (const width of kWidths)
        for (const [path, name] of publicPages) await checkPage(page, base, path, name, lang, width, 'anonymous');

      // The advisory page: identifier in the title, alternate links, untranslated text marked.
      await page.goto(`${base}${a.url}?lang=${lang}`);
      assert.ok((await page.title()).startsWith(a.advisory_id), await page.title());
      assert.equal(await page.locator(`link[rel=alternate][type="application/rss+xml"][href="/advisories/feed/rss.xml?lang=${lang}"]`).count(), 1);
      assert.equal(await page.locator('link[rel=alternate][type="application/atom+xml"]').count(), 1);
      const csaf = await page.getAttribute('link[rel=alternate][type="application/json"]', 'href');
      assert.match(csaf, /^\/\.well-known\/csaf\/white\/\d{4}\/jvn_\d+\.json$/);
      assert.equal((await fetch(base + csaf)).status, 200, 'the CSAF link is served');
      // Empty sections are left out.
      assert.equal(await page.locator('[data-section=impact]').count(), 0);
      assert.equal(await page.locator('[data-section=acknowledgements]').count(), 0);
      if (lang === 'en') {
        const marked = await page.$$eval('[data-section=details] [lang=ja], [data-testid=vendor-table] [lang=ja]',
                                         (els) => els.map((e) => e.textContent));
        assert.ok(marked.includes('詳細は日本語のみで提供されています。'), JSON.stringify(marked));
        assert.ok(marked.some((t) => t.startsWith('修正版ファームウェア')), JSON.stringify(marked));
        assert.ok((await page.textContent('[data-section=details]')).includes('(Japanese only)'));
        assert.ok(await page.isVisible('[data-testid=identifier-note]'), 'JVN# advisory from a JVNVU# case is explained');
      } else {
        assert.equal(await page.locator('[data-testid=untranslated]').count(), 0, 'nothing untranslated on the Japanese page');
      }
      // The list has severity and vendor columns.
      await page.goto(`${base}/advisories/?lang=${lang}`);
      assert.match(await page.textContent('[data-testid=advisory-severity]'), /9\.3/);
      assert.match(await page.textContent('[data-testid=advisory-vendors]'), /Hikari Networks/);

      await login(page, base, 'admin', 'admin-password-1');
      for (const width of kWidths)
        for (const [path, name] of [...publicPages, ...staffPages]) await checkPage(page, base, path, name, lang, width, 'admin');
      await context.close();
    }
  } finally {
    await browser.close();
    await center.stop();
  }
});
