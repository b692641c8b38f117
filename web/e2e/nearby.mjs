// The citizens' page /gan-toi: with an emulated geolocation, "Dùng vị trí của tôi"
// lists the nearest places; a category chip, a name search and a tap on the map
// each give the list /nearby answers, in the same order, synced with the markers;
// the page works on a 360 px wide phone screen.
// Usage: node nearby.mjs BASE_URL
import { withBrowser, check, main } from './browser.mjs';

const base = process.argv[2];
const here = { longitude: 106.2012, latitude: 21.2795 }; // in Bắc Giang city

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(base + '/gan-toi', { waitUntil: 'load' });
  await page.waitForFunction(() => window.map && window.map.loaded(), null, { timeout: 30000 });
  const title = await page.title();
  check(title.includes('Gần tôi'), `title "${title}"`);
  const locate = page.getByRole('button', { name: 'Dùng vị trí của tôi' });
  check(await locate.isVisible(), 'no visible "Dùng vị trí của tôi" button at 360 px');

  // The list as the page shows it, once it is ready.
  const shown = async () => {
    await page.waitForFunction(() => document.getElementById('results').dataset.state === 'ready', null, { timeout: 20000 });
    return page.$$eval('#results li', (lis) => lis.map((li) => ({
      key: li.dataset.collection + '/' + li.dataset.id,
      distance: Number(li.dataset.distance),
      text: li.querySelector('.near-dist').textContent,
      name: li.querySelector('.near-name').textContent,
    })));
  };
  // The list the API gives for the same question.
  const api = async (params) => {
    const resp = await page.request.get(base + '/nearby?' + new URLSearchParams(params).toString());
    check(resp.ok(), `API ${resp.status()} for ${JSON.stringify(params)}`);
    return (await resp.json()).features.map((f) => ({ key: f.properties.collection + '/' + f.id, distance: f.properties.distance_m }));
  };
  const same = (got, want, what) => {
    check(got.length === want.length && got.length > 0, `${what}: the page lists ${got.length}, the API ${want.length}`);
    got.forEach((g, i) => {
      check(g.key === want[i].key && g.distance === want[i].distance,
        `${what}, item ${i + 1}: the page shows ${g.key} at ${g.distance} m, the API ${want[i].key} at ${want[i].distance} m`);
    });
  };
  const at = { lon: here.longitude.toFixed(6), lat: here.latitude.toFixed(6), k: '20' };

  await locate.click();
  let got = await shown();
  same(got, await api(at), 'my position, every category');
  const markers = await page.$$eval('.near-marker', (ms) => ms.map((m) => m.textContent));
  check(markers.length === got.length && markers[0] === '1', `${markers.length} markers for ${got.length} results`);
  check(/^\d+ m|^\d+,\d km|^\d+ km/.test(got[0].text), `distance shown as "${got[0].text}"`);

  // A category chip narrows the list to that collection.
  await page.getByRole('button', { name: 'Trường học', exact: true }).click();
  got = await shown();
  same(got, await api({ ...at, collections: 'schools' }), 'category Trường học');
  check(got.every((g) => g.key.startsWith('schools/')), 'non-schools under Trường học');
  const pressed = await page.getAttribute('.chip[data-category="schools"]', 'aria-pressed');
  check(pressed === 'true', 'the chip does not show as pressed');

  // A second chip adds its collection.
  await page.getByRole('button', { name: 'Bưu điện', exact: true }).click();
  got = await shown();
  same(got, await api({ ...at, collections: 'schools,postal-points' }), 'Trường học + Bưu điện');

  // Name search, without accents.
  await page.getByRole('button', { name: 'Bưu điện', exact: true }).click();
  await page.fill('#q', 'mam non');
  await page.press('#q', 'Enter');
  got = await shown();
  same(got, await api({ ...at, collections: 'schools', q: 'mam non' }), 'search "mam non" among schools');
  check(got.every((g) => g.name.includes('Mầm non')), 'a result of "mam non" is not a Mầm non school');

  // List and markers are synced both ways.
  await page.locator('#results li').nth(2).locator('.near-item').click();
  check(await page.$eval('.near-marker.active', (m) => m.textContent) === '3', 'clicking item 3 does not highlight marker 3');
  await page.locator('.near-marker').nth(0).dispatchEvent('click');
  check(await page.$eval('#results li.active .near-num', (n) => n.textContent) === '1', 'clicking marker 1 does not highlight item 1');

  // Tapping the map searches around the tapped point instead.
  await page.fill('#q', '');
  await page.press('#q', 'Enter');
  await shown();
  const box = await page.locator('#map').boundingBox();
  const tap = { x: Math.round(box.width * 0.3), y: Math.round(box.height * 0.7) };
  const lngLat = await page.evaluate(({ x, y }) => { const p = window.map.unproject([x, y]); return { lon: p.lng, lat: p.lat }; }, tap);
  await page.mouse.click(box.x + tap.x, box.y + tap.y);
  got = await shown();
  const asked = new URLSearchParams((await page.getAttribute('#results', 'data-query')).split('?')[1]);
  const off = Math.hypot((Number(asked.get('lon')) - lngLat.lon) * 104000, (Number(asked.get('lat')) - lngLat.lat) * 110600);
  check(off < 30, `the page searched ${off.toFixed(1)} m from the tapped point`);
  same(got, await api({ lon: asked.get('lon'), lat: asked.get('lat'), k: '20', collections: 'schools' }), 'tap on the map');
  check(asked.get('lon') !== at.lon, 'the tap did not move the search');

  // 360 px: nothing wider than the screen, map and list on screen.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the page is ${width} px wide at 360 px`);
  const mapBox = await page.locator('#map').boundingBox();
  check(mapBox.width >= 340 && mapBox.height >= 240, `map box at 360 px: ${JSON.stringify(mapBox)}`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));
}, { geolocation: here, permissions: ['geolocation'] }));
