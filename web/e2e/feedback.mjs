// A citizen sends feedback on a dataset from the catalogue page with the
// Vietnamese form, sees the thank-you page, and finds the message listed.
// Usage: node feedback.mjs BASE_URL
import { withBrowser, check, main } from './browser.mjs';

const base = process.argv[2];

main(() => withBrowser(async (context, problems) => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/catalog?f=html&q=truong', { waitUntil: 'load' });
  await Promise.all([page.waitForNavigation(), page.click('#ds-schools >> text=Góp ý về dữ liệu này')]);
  check(await page.locator('#fb-collection').inputValue() === 'schools', 'the form does not name the dataset');
  const message = 'Trường Tiểu học Lục Ngạn đã chuyển sang địa điểm mới — đề nghị cập nhật.';
  await page.fill('#fb-message', message);
  await Promise.all([page.waitForNavigation(), page.click('#feedback-form button[type=submit]')]);
  const sent = await page.locator('#sent').innerText();
  check(sent.includes('Cảm ơn bạn'), `no thanks: ${sent}`);
  const shown = await page.locator('.fb-message').innerText();
  check(shown === message, `message shown as "${shown}"`);
  check(problems.length === 0, 'browser problems:\n' + problems.join('\n'));

  // The form fits a 360 px phone.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(base + '/feedback?f=html', { waitUntil: 'load' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the feedback page scrolls sideways by ${overflow} px at 360 px`);
  const form = await page.locator('#feedback-form').boundingBox();
  const field = await page.locator('#fb-message').boundingBox();
  check(field.x + field.width <= form.x + form.width + 1, `the message box overflows the form: ${JSON.stringify(field)} in ${JSON.stringify(form)}`);
}));
