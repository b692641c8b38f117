// The agencies page: the coverage chart is drawn (SVG bars per year with the
// targets), the coverage table and the agencies' history in Vietnamese, no
// console errors, no sideways scrolling at 360 px.
// Usage: node agencies.mjs BASE_URL
import { withBrowser, check, main } from './browser.mjs';

const base = process.argv[2];

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(base + '/agencies?f=html', { waitUntil: 'load' });
  const years = await page.locator('#coverage-chart g.year').evaluateAll((gs) => gs.map((g) => g.dataset.year));
  for (const y of ['2023', '2024', '2025']) {
    check(years.includes(y), `chart lacks ${y}: ${years}`);
  }
  const bar = await page.locator('#coverage-chart g.year[data-year="2025"] rect.bar.open').boundingBox();
  check(bar && bar.height > 10 && bar.width > 5, `2025 bar not drawn: ${JSON.stringify(bar)}`);
  const targets = await page.locator('#coverage-chart line.target').count();
  check(targets === 3, `${targets} target lines`);
  const row = await page.locator('#coverage tr[data-year="2025"]').innerText();
  check(row.includes('50 %') && row.includes('Chưa đạt') && row.includes('31/12/2025'), `2025 row: ${row}`);
  const text = await page.evaluate(() => document.body.innerText);
  for (const want of ['Đơn vị cung cấp dữ liệu mở', 'Sở Thông tin và Truyền thông', 'hợp nhất vào', 'Sở Khoa học và Công nghệ tỉnh Bắc Ninh',
    'chưa có dữ liệu mở', 'Dữ liệu quá hạn cập nhật']) {
    check(text.includes(want), `page text lacks "${want}"`);
  }
  check(text === text.normalize('NFC'), 'page text is not NFC');
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));

  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(base + '/agencies?f=html', { waitUntil: 'load' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the page scrolls sideways by ${overflow} px at 360 px`);
  const chart = await page.locator('#coverage-chart').boundingBox();
  check(chart && chart.width <= 360 && chart.height > 100, `chart at 360 px: ${JSON.stringify(chart)}`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));
}));
