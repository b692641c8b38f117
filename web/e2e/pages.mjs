// The collection, items and feature pages: each map loads from our own origin,
// shows its features, and the page works in Vietnamese and English and at 360 px.
// Usage: node pages.mjs BASE_URL COLLECTION FEATURE_ID
import { withBrowser, check, main } from './browser.mjs';

const [base, collection, featureId] = process.argv.slice(2);

async function mapShowsFeatures(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.map && window.map.loaded() && window.map.getLayer('features'), null, { timeout: 90000 });
  await page.waitForFunction(() => window.map.queryRenderedFeatures({ layers: ['features'] }).length > 0, null, { timeout: 90000 })
    .catch(() => {});
  const n = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['features'] }).length);
  check(n > 0, `${url}: the map shows no features`);
  return n;
}

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  const items = `${base}/collections/${collection}/items?f=html&limit=8`;
  const pages = [
    `${base}/collections/${collection}?f=html`,
    items,
    `${base}/collections/${collection}/items/${encodeURIComponent(featureId)}?f=html`,
  ];
  for (const url of pages) {
    await mapShowsFeatures(page, url);
    check(await page.getAttribute('html', 'lang') === 'vi', `${url}: not in Vietnamese`);
    // The language switch leads to the same page in English, still with its map.
    await Promise.all([page.waitForNavigation(), page.click('header a.lang')]);
    check(page.url().includes('lang=en'), `language switch went to ${page.url()}`);
    check(await page.getAttribute('html', 'lang') === 'en', `${page.url()}: not in English`);
    check((await page.textContent('header nav')).includes('Collections'), `${page.url()}: navigation not in English`);
    await mapShowsFeatures(page, page.url());
  }
  // The items page: a row per feature of the page, and a next page with the same parameters.
  await mapShowsFeatures(page, items);
  const rows = await page.locator('table.data tbody tr').count();
  check(rows === 8, `items page has ${rows} rows, want 8`);
  await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
  check(page.url().includes("offset=8") && page.url().includes("limit=8") && page.url().includes('f=html'),
    `next page ${page.url()}`);
  // The API documentation page renders our own template, no external script.
  await page.goto(`${base}/api?f=html`, { waitUntil: 'load' });
  check(await page.locator('article.op').count() > 10, 'the API page lists few operations');
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));
  // At 360 px the map keeps a usable size and the table scrolls inside its box.
  await page.setViewportSize({ width: 360, height: 740 });
  await mapShowsFeatures(page, pages[0]);
  const box = await page.locator('#map').boundingBox();
  check(box && box.width >= 320 && box.height >= 200, `map box at 360 px: ${JSON.stringify(box)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  check(overflow <= 360, `the page is ${overflow} px wide at 360 px`);
}));
