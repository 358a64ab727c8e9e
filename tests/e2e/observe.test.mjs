// Browser test of the observation pages: scans imported from a pcap through the real CLI, then in
// headless Chromium the observation page shows its charts, a port link opens that port's long-term graph,
// the language switch works, the trends list shows unique sources and targets, and the coordinators'
// sensor-status and partner pages are 404 for an anonymous visitor; a coordinator adds a partner CSIRT.
//
// Run by ctest (tests/e2e/CMakeLists.txt) with KIZUNA_BIN, SCREENSHOT_DIR and CHROMIUM set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Center, launch, login, shots } from './lib.mjs';

const DAY = 86400;

function checksum(bytes) {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// One Ethernet/IPv4/TCP SYN frame from src to 198.51.100.7:dport.
function synFrame(src, dport, sport) {
  const frame = Buffer.alloc(14 + 20 + 20);
  frame.writeUInt16BE(0x0800, 12);
  const ip = frame.subarray(14, 34);
  ip[0] = 0x45;
  ip.writeUInt16BE(40, 2);
  ip[8] = 52;  // TTL
  ip[9] = 6;   // TCP
  src.forEach((b, i) => (ip[12 + i] = b));
  [198, 51, 100, 7].forEach((b, i) => (ip[16 + i] = b));
  ip.writeUInt16BE(checksum(ip), 10);
  const tcp = frame.subarray(34, 54);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(1, 4);
  tcp[12] = 5 << 4;
  tcp[13] = 0x02;  // SYN
  tcp.writeUInt16BE(1024, 14);
  const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 6, 0, 20]), tcp]);
  tcp.writeUInt16BE(checksum(pseudo), 16);
  return frame;
}

// Thirty days of scans ending yesterday: TCP 23 > 445 > 22 every day, and TCP 5555 for the last ten days.
function writePcap(path) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);  // Ethernet
  const parts = [header];
  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  let n = 0;
  for (let d = 30; d >= 1; d--) {
    const mix = [[23, 40], [445, 25], [22, 10], ...(d <= 10 ? [[5555, 60]] : [])];
    for (const [port, count] of mix) {
      for (let i = 0; i < count; i++, n++) {
        const frame = synFrame([1 + (n % 200), (n >> 8) & 255, n & 255, 9], port, 40000 + (n % 20000));
        const rec = Buffer.alloc(16);
        rec.writeUInt32LE(today - d * DAY + ((n * 137) % DAY), 0);
        rec.writeUInt32LE(0, 4);
        rec.writeUInt32LE(frame.length, 8);
        rec.writeUInt32LE(frame.length, 12);
        parts.push(rec, frame);
      }
    }
  }
  writeFileSync(path, Buffer.concat(parts));
  return n;
}

test('observation page: charts, port graph, language switch, sensor status hidden', async () => {
  const center = new Center();
  let browser;
  try {
    const pcap = join(center.work, 'scans.pcap');
    const packets = writePcap(pcap);
    center.cli(['observe', 'import', pcap, '--sensor', 'e2e-sensor']);
    const top = JSON.parse(center.cli(['observe', 'top-ports', '--from', new Date(Date.now() - 40 * DAY * 1000).toISOString().slice(0, 10),
                                       '--to', new Date().toISOString().slice(0, 10), '--format', 'json']));
    const rows = Array.isArray(top) ? top : top.rows;
    assert.equal(rows.reduce((sum, r) => sum + r.packets, 0), packets);
    center.cli(['user', 'add', 'watcher', '--role', 'coordinator'], 'e2e-password-obs\n');
    const base = await center.start();

    browser = await launch();
    const page = await browser.newPage();
    await page.goto(`${base}/observe?lang=en`);
    assert.equal(await page.locator('h1').innerText(), 'Internet scan observation');
    // Quarter and year, each with its top 1–5 chart (four ports: no 6–10), regions and ICMP.
    assert.equal(await page.locator('[data-testid=chart-top] svg').count(), 2);
    assert.ok(await page.locator('[data-testid=chart-top] svg path').first().isVisible());
    assert.equal(await page.locator('[data-testid=chart-regions] svg').count(), 1);
    const legend = await page.locator('[data-testid=chart-top] svg .legend').first().textContent();
    assert.match(legend, /TCP 5555/);
    assert.match(await page.locator('[data-testid=geo-attribution]').innerText(), /ip-location-db.*CC BY 4\.0.*NRO/s);
    await page.screenshot({ path: join(shots, 'observe-en.png'), fullPage: true });

    // The first port of the quarter's table opens its long-term graph.
    const first = page.locator('[data-testid=port-link]').first();
    const label = await first.innerText();
    await Promise.all([page.waitForNavigation(), first.click()]);
    assert.match(page.url(), /\/observe\/ports\/tcp\/\d+$/);
    assert.equal(await page.locator('h1').innerText(), `Destination port ${label}`);
    assert.ok(await page.locator('[data-testid=chart-port] svg path').first().isVisible());
    await page.screenshot({ path: join(shots, 'observe-port.png'), fullPage: true });

    // Every chart on the page labels its last day on the x axis, and no x-axis label is cut off: each label's
    // box lies inside its chart's box (issue 14: the last label sat centred a few pixels from the edge).
    const axes = await page.$$eval('svg.chart', (charts) => charts.map((svg) => {
      const box = svg.getBoundingClientRect();
      const labels = [...svg.querySelectorAll('.x-axis text')].map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent, left: r.left, right: r.right };
      });
      return { left: box.left, right: box.right, labels };
    }));
    assert.ok(axes.length >= 2, 'the port page has its charts');
    const yesterday = new Date((Math.floor(Date.now() / 1000 / DAY) - 1) * DAY * 1000).toISOString().slice(0, 10);
    for (const axis of axes) {
      assert.ok(axis.labels.length >= 2);
      assert.equal(axis.labels.at(-1).text, yesterday, 'the last x-axis label is the last day shown');
      for (const label of axis.labels) {
        assert.ok(label.right <= axis.right + 0.5, `x-axis label ${label.text} ends past its chart`);
        assert.ok(label.left >= axis.left - 0.5, `x-axis label ${label.text} starts before its chart`);
      }
    }

    // Language switch on the port page, then the overview in Japanese.
    await Promise.all([page.waitForNavigation(), page.click('a[hreflang=ja]')]);
    assert.equal(await page.locator('h1').innerText(), `アクセス先ポート ${label}`);
    await page.goto(`${base}/observe`);
    assert.equal(await page.locator('h1').innerText(), 'インターネット定点観測');
    assert.match(await page.locator('figcaption').first().innerText(), /アクセス先ポート別グラフ top1-5/);

    // The sensor-status page does not exist for an anonymous visitor; a coordinator sees the sensor.
    const hidden = await page.goto(`${base}/observe/sensors`);
    assert.equal(hidden.status(), 404);
    // Trends: TCP 5555 started ten days ago from many sources; its unique sources and targets are shown.
    await page.goto(`${base}/observe/trends?lang=en`);
    const trend = page.locator('[data-testid=trends] tr', { hasText: 'TCP 5555' });
    assert.equal(await trend.count(), 1);
    assert.equal(await trend.locator('[data-testid=sources]').innerText(), '60');
    assert.equal(await trend.locator('[data-testid=targets]').innerText(), '1');

    // Date range on /observe (Japanese labels, zone named): the chosen period is shown and the form keeps it.
    const isoDay = (daysAgo) => new Date((Math.floor(Date.now() / 1000 / DAY) - daysAgo) * DAY * 1000).toISOString().slice(0, 10);
    await page.goto(`${base}/observe?lang=ja`);
    assert.match(await page.locator('[data-testid=range-form]').innerText(), /開始日[\s\S]*終了日[\s\S]*UTC/);
    await page.fill('[data-testid=range-from]', isoDay(12));
    await page.fill('[data-testid=range-to]', isoDay(3));
    await Promise.all([page.waitForNavigation(), page.click('[data-testid=range-form] button')]);
    assert.match(page.url(), new RegExp(`from=${isoDay(12)}&to=${isoDay(3)}`));
    assert.equal(await page.locator('[data-testid=range-from]').inputValue(), isoDay(12));
    assert.equal(await page.locator('[data-testid=range-to]').inputValue(), isoDay(3));
    assert.match(await page.locator('.observe-period h2').innerText(), new RegExp(`指定した期間 \\(${isoDay(12)} – ${isoDay(3)}\\)`));
    assert.equal(await page.locator('[data-testid=chart-top]').count(), 1);
    const rangeAxis = await page.locator('[data-testid=chart-top] svg .x-axis text').allTextContents();
    assert.equal(rangeAxis.at(-1), isoDay(3), 'the chart ends on the chosen last day');
    await page.screenshot({ path: join(shots, 'observe-range-ja.png'), fullPage: true });

    // Each graph's CSV link answers text/csv as an attachment with the graph's numbers (anonymous here).
    const csvLinks = await page.locator('[data-testid=csv-link]').evaluateAll((as) => as.map((a) => a.href));
    assert.equal(csvLinks.length, 3, 'top 1–5, regions and ICMP of the chosen period');
    const topCsv = await page.request.get(csvLinks[0] + '&lang=en');
    assert.equal(topCsv.status(), 200);
    assert.equal(topCsv.headers()['content-type'], 'text/csv; charset=utf-8');
    assert.match(topCsv.headers()['content-disposition'], /^attachment; filename="observe-top1-5-.*\.csv"$/);
    const csvRows = (await topCsv.text()).trim().split('\r\n');
    assert.match(csvRows[0], /^date,TCP 5555,TCP 23,TCP 445,TCP 22$/);
    assert.equal(csvRows.length, 1 + 10, 'one row per day of the range');
    assert.equal(csvRows.at(-1).split(',')[0], isoDay(3));

    // The port page has the same form and its graph's CSV.
    await page.goto(`${base}/observe/ports/tcp/5555?lang=en&from=${isoDay(12)}&to=${isoDay(1)}`);
    assert.equal(await page.locator('[data-testid=range-from]').inputValue(), isoDay(12));
    const portCsvHref = await page.locator('[data-testid=csv-link]').first().evaluate((a) => a.href);
    const portCsv = await page.request.get(portCsvHref);
    assert.equal(portCsv.headers()['content-type'], 'text/csv; charset=utf-8');
    const portRows = (await portCsv.text()).trim().split('\r\n');
    assert.equal(portRows.length, 1 + 12);
    assert.equal(portRows[1], `${isoDay(12)},0`);
    assert.equal(portRows.at(-1).split(',')[0], isoDay(1));
    assert.ok(Number(portRows.at(-1).split(',')[1]) > 0);

    // The partner table does not exist for an anonymous visitor either.
    const partnersHidden = await page.goto(`${base}/observe/partners`);
    assert.equal(partnersHidden.status(), 404);

    await login(page, base, 'watcher', 'e2e-password-obs');
    const shown = await page.goto(`${base}/observe/sensors?lang=en`);
    assert.equal(shown.status(), 200);
    assert.equal(await page.locator('h1').innerText(), 'Sensor status');

    // A coordinator notes TCP 5555 with a long Japanese text (as centers write them): the trends table shows it.
    await page.goto(`${base}/observe/ports/tcp/5555?lang=ja`);
    const longNote = 'Huawei HG532 ルーターの脆弱性（CVE-2017-17215）を狙う Mirai 亜種のスキャンが増えています。' +
      '該当する機器をお使いの方は、ファームウェアを更新し、管理画面をインターネットに公開しないでください。';
    await page.fill('form[action$="/note"] textarea[name=note]', longNote);
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/note"] button[type=submit]')]);
    assert.equal(await page.locator('[data-testid=port-note]').innerText(), longNote);
    // Issue 14: the Japanese trends table wrapped one character per line at 1280 px. At 1280 and 390 px, in
    // Japanese and English, every header cell keeps its text on one line and is wider than one character
    // (with a coordinator's long note in the last column, which took the width from the headers);
    // on a phone the table scrolls inside its box instead of widening the page.
    for (const width of [1280, 390]) {
      for (const lang of ['ja', 'en']) {
        const narrow = await browser.newPage({ viewport: { width, height: 900 } });
        await narrow.goto(`${base}/observe/trends?lang=${lang}`);
        const cells = await narrow.$$eval('[data-testid=trends] thead th', (ths) => ths.map((th) => {
          const range = document.createRange();
          range.selectNodeContents(th);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          const box = th.getBoundingClientRect();
          return { text: th.textContent, lines: lines.size, width: box.width, height: box.height,
                   font: parseFloat(getComputedStyle(th).fontSize) };
        }));
        assert.equal(cells.length, 9, `${lang} ${width}: the trends table has its nine columns`);
        for (const c of cells) {
          assert.equal(c.lines, 1, `${lang} ${width}: header "${c.text}" is on one line`);
          assert.ok(c.height < c.font * 3, `${lang} ${width}: header "${c.text}" is ${c.height}px high`);
          if ([...c.text].length > 1)
            assert.ok(c.width > c.font * 1.8, `${lang} ${width}: header "${c.text}" is ${c.width}px wide`);
        }
        const fits = await narrow.evaluate(() => {
          const box = document.querySelector('[data-testid=trends-scroll]').getBoundingClientRect();
          return box.right <= document.documentElement.clientWidth + 0.5;
        });
        assert.ok(fits, `${lang} ${width}: the trends table scrolls within the page`);
        await narrow.screenshot({ path: join(shots, `observe-trends-${lang}-${width}.png`), fullPage: true });

        // The date-range form is usable at this width too: both inputs and the button are visible.
        await narrow.goto(`${base}/observe?lang=${lang}`);
        for (const sel of ['[data-testid=range-from]', '[data-testid=range-to]', '[data-testid=range-form] button'])
          assert.ok(await narrow.locator(sel).isVisible(), `${lang} ${width}: ${sel} is visible`);
        await narrow.close();
      }
    }


    // A coordinator adds a partner CSIRT through the form (CSRF token of the session); it is listed.
    await page.goto(`${base}/observe/partners?lang=en`);
    await page.fill('input[name=name]', 'KrCERT/CC <test>');
    await page.fill('input[name=email]', 'iodef@krcert.example');
    await page.fill('input[name=countries]', 'kr');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Add a partner")')]);
    const partner = page.locator('[data-testid=partners] tbody tr');
    assert.equal(await partner.count(), 1);
    assert.match(await partner.innerText(), /KrCERT\/CC <test>.*iodef@krcert\.example.*KR.*no key/s);
    await page.screenshot({ path: join(shots, 'observe-partners.png'), fullPage: true });
  } finally {
    if (browser) await browser.close();
    await center.stop();  // waits for serve's shutdown checkpoint before removing the directory
  }
});
