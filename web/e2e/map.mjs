// The maps of the home page and of /map load from the vector tiles and the
// default style without console errors or failed requests (an empty tile's 204
// is fine), expose window.map, and render features of every collection in their
// initial view; the legend toggles layers, #collection=ID zooms to a collection,
// and a click opens a popup in Vietnamese.
// Usage: node map.mjs BASE_URL
import { withBrowser, check, main } from './browser.mjs';

const base = process.argv[2];

// openMap loads a page with a map and waits until its tiles are drawn.
async function openMap(page, path) {
  await page.goto(base + path, { waitUntil: 'load' });
  await page.waitForFunction(() => window.map && window.map.loaded() && window.map.areTilesLoaded()
    && (window.map.getStyle().metadata || {})['geodata:collections'], null, { timeout: 30000 });
}

// rendered counts the rendered features of each collection (its points,
// clusters, lines or polygons), by the style's own list of its layers.
function rendered(page) {
  return page.evaluate(() => Object.fromEntries(window.map.getStyle().metadata['geodata:collections'].map(
    (c) => [c.id, window.map.queryRenderedFeatures({ layers: c.layers }).length])));
}

async function everyCollectionRendered(page, path) {
  const expected = await page.evaluate(() => fetch('/collections?f=json').then((r) => r.json())
    .then((d) => d.collections.map((c) => c.id)));
  check(expected.length > 0, 'the service lists no collections');
  await page.waitForFunction((ids) => {
    const cols = window.map.getStyle().metadata['geodata:collections'];
    return ids.every((id) => {
      const c = cols.find((x) => x.id === id);
      return c && window.map.queryRenderedFeatures({ layers: c.layers }).length > 0;
    });
  }, expected, { timeout: 30000 }).catch(() => {});
  const counts = await rendered(page);
  const missing = expected.filter((id) => !counts[id]);
  check(missing.length === 0, `${path}: no rendered features for ${missing.join(', ')} (counts ${JSON.stringify(counts)})`);
  return expected;
}

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  const tileResponses = [];
  const itemRequests = [];
  page.on('response', (resp) => {
    if (resp.url().includes('/tiles/WebMercatorQuad/')) {
      tileResponses.push({ status: resp.status(), type: resp.headers()['content-type'] || '', encoding: resp.headers()['content-encoding'] || '' });
    }
  });
  page.on('request', (req) => { if (req.url().includes('/items')) { itemRequests.push(req.url()); } });
  await page.setViewportSize({ width: 1200, height: 800 });

  // The home page: the map draws vector tiles, not GeoJSON downloads.
  await openMap(page, '/');
  await everyCollectionRendered(page, '/');
  const title = await page.title();
  check(title.includes('Bắc Giang'), `title "${title}" lacks the region name with diacritics`);
  const mvt = tileResponses.filter((r) => r.status === 200);
  check(mvt.length > 0 && mvt.every((r) => r.type === 'application/vnd.mapbox-vector-tile' && r.encoding === 'gzip'),
    `tiles: ${JSON.stringify(tileResponses.slice(0, 5))}`);
  check(itemRequests.length === 0, `the map downloaded items: ${itemRequests.slice(0, 3).join(', ')}`);
  check(problems.length === 0, 'browser problems on /:\n' + problems.join('\n'));

  // /map: the same map on a page of its own.
  await openMap(page, '/map');
  const ids = await everyCollectionRendered(page, '/map');
  check(problems.length === 0, 'browser problems on /map:\n' + problems.join('\n'));

  // The legend lists every collection; unticking one hides its layers.
  const legend = await page.locator('#layer-list input[type=checkbox]').count();
  check(legend === ids.length, `legend has ${legend} toggles for ${ids.length} collections`);
  await page.locator('#layer-list input[data-collection="schools"]').uncheck();
  await page.waitForFunction(() => window.map.areTilesLoaded());
  const hidden = (await rendered(page)).schools;
  check(hidden === 0, `schools still drawn after unticking: ${hidden}`);
  await page.locator('#layer-list input[data-collection="schools"]').check();

  // A click on a feature opens a popup with Vietnamese labels and its full properties.
  const target = await page.evaluate(() => {
    const c = window.map.getStyle().metadata['geodata:collections'].find((x) => x.id === 'bus-stations');
    const f = window.map.queryRenderedFeatures({ layers: [c.id] })[0];
    const p = window.map.project(f.geometry.coordinates);
    return { x: p.x, y: p.y };
  });
  await page.locator('#map canvas').click({ position: target });
  await page.waitForSelector('.maplibregl-popup .popup h3', { timeout: 10000 });
  await page.waitForFunction(() => document.querySelector('.maplibregl-popup').textContent.includes('Phí ra vào bến'), null, { timeout: 10000 });
  const popup = await page.locator('.maplibregl-popup').textContent();
  check(popup.includes('Bến xe') && popup.includes('Xem chi tiết'), `popup: ${popup}`);

  // /map#collection=ports opens on the ports.
  await openMap(page, '/map#collection=ports');
  const view = await page.evaluate(() => {
    const c = window.map.getStyle().metadata['geodata:collections'].find((x) => x.id === 'ports');
    const v = window.map.getBounds();
    return { zoom: window.map.getZoom(), inside: v.contains([c.bounds[0], c.bounds[1]]) && v.contains([c.bounds[2], c.bounds[3]]),
      active: document.querySelector('#layer-list li.active')?.dataset.collection };
  });
  check(view.inside && view.active === 'ports', `#collection=ports: ${JSON.stringify(view)}`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));

  // Works on a 360 px wide phone screen: the map keeps a usable height.
  await openMap(page, '/');
  await page.setViewportSize({ width: 360, height: 740 });
  const box = await page.locator('#map').boundingBox();
  check(box && box.width >= 340 && box.height >= 250, `map box at 360 px: ${JSON.stringify(box)}`);
}));
