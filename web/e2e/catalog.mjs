// The catalogue page: Vietnamese text rendered, accent-insensitive search,
// theme and agency filters, download and map links, no console errors, and no
// sideways scrolling on a 360 px phone.
// Usage: node catalog.mjs BASE_URL
import { withBrowser, check, main } from './browser.mjs';

const base = process.argv[2];

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(base + '/catalog?f=html', { waitUntil: 'load' });
  const all = await page.locator('li.dataset').count();
  check(all >= 9, `only ${all} datasets listed`);
  const text = await page.evaluate(() => document.body.innerText);
  for (const want of ['Danh mục dữ liệu mở', 'Trường học các cấp', 'Đơn vị chủ trì cung cấp', 'Sở Giáo dục và Đào tạo tỉnh Bắc Ninh',
    'Ngày cung cấp lần đầu', 'Tần suất cung cấp', 'Nhóm chủ đề', 'Xem trên bản đồ']) {
    check(text.includes(want), `page text lacks "${want}"`);
  }
  check(text === text.normalize('NFC'), 'page text is not NFC');
  check(await page.evaluate(() => document.characterSet) === 'UTF-8', 'page is not UTF-8');

  // Search without accents finds the schools.
  await page.fill('#q', 'truong hoc');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  const found = await page.locator('li.dataset').evaluateAll((els) => els.map((e) => e.dataset.id));
  check(found.length === 1 && found[0] === 'schools', `search "truong hoc" found ${found}`);
  const mapHref = await page.locator('#ds-schools a.map-link').getAttribute('href');
  check(mapHref === '/map#collection=schools', `map link ${mapHref}`);
  const dl = await page.locator('#ds-schools .downloads a').first().getAttribute('href');
  const status = await page.evaluate(async (u) => (await fetch(u)).status, dl);
  check(status === 200, `download ${dl}: ${status}`);

  // Theme and agency filters (the agency as it is named today).
  await page.fill('#q', '');
  await page.selectOption('#theme', 'TRAN');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  const transport = await page.locator('li.dataset').count();
  check(transport === 6, `theme TRAN lists ${transport}`);
  await page.selectOption('#theme', '');
  await page.selectOption('#agency', 'bn-so-khcn');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
  const ids = await page.locator('li.dataset').evaluateAll((els) => els.map((e) => e.dataset.id).sort().join(','));
  check(ids === 'bts-sites,postal-points', `agency bn-so-khcn lists ${ids}`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));

  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(base + '/catalog?f=html', { waitUntil: 'load' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the page scrolls sideways by ${overflow} px at 360 px`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));
}));
