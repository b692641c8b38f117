// The home page map loads without console errors or failed requests, exposes
// window.map, and renders features of every collection in its initial view.
// Usage: node map.mjs BASE_URL
import { withBrowser, check, main } from './browser.mjs';

const base = process.argv[2];

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForFunction(() => window.map && window.map.loaded() && window.map.areTilesLoaded(), null, { timeout: 30000 });
  const expected = await page.evaluate(() => JSON.parse(document.getElementById('layers').textContent).map((l) => l.id));
  check(expected.length > 0, 'the page lists no collections');
  // GeoJSON sources load asynchronously: wait until every layer has rendered features.
  await page.waitForFunction((ids) => ids.every((id) => window.map.queryRenderedFeatures({ layers: [id] }).length > 0),
    expected, { timeout: 30000 }).catch(() => {});
  const counts = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, window.map.queryRenderedFeatures({ layers: [id] }).length])), expected);
  const empty = Object.entries(counts).filter(([, n]) => n === 0).map(([id]) => id);
  check(empty.length === 0, `no rendered features for ${empty.join(', ')} (counts ${JSON.stringify(counts)})`);
  const title = await page.title();
  check(title.includes('Bắc Giang'), `title "${title}" lacks the region name with diacritics`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));
  // Works on a 360 px wide phone screen: the map keeps a usable height.
  await page.setViewportSize({ width: 360, height: 740 });
  const box = await page.locator('#map').boundingBox();
  check(box && box.width >= 340 && box.height >= 250, `map box at 360 px: ${JSON.stringify(box)}`);
}));
