// Drives headless Chromium through sitrep's pages, as a reader would:
// front page -> a story -> its disagreement (both sources' sentences) -> an entity page ->
// search -> the article found -> an article holding <script> (which must not run).
// Screenshots of the front and story pages go to OUT_DIR; tests/browser.rs checks them.
//
//   node browse.mjs BASE_URL OUT_DIR SCRIPT_ARTICLE_ID
//
// Prints one line per step; exits 1 on the first failed check (with the reason), 0 when all pass.
import { chromium } from 'playwright-core';
import path from 'node:path';

const [base, outDir, scriptArticle] = process.argv.slice(2);
if (!base || !outDir || !scriptArticle) {
  console.error('usage: node browse.mjs BASE_URL OUT_DIR SCRIPT_ARTICLE_ID');
  process.exit(2);
}
const executablePath = process.env.SITREP_CHROMIUM || '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 900 };

// Never hang a test run.
setTimeout(() => {
  console.error('browse.mjs: gave up after 120 s');
  process.exit(3);
}, 120_000).unref();

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Root in a container has no user namespaces for Chromium's sandbox.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // Front page.
  let r = await page.goto(base + '/');
  check(r && r.status() === 200, 'front page answers 200');
  check((await page.locator('h1').first().innerText()).includes('Current stories'), 'front page heading');
  await page.screenshot({ path: path.join(outDir, 'front.png') });
  console.log('screenshot: front.png');

  // A story, by its (escaped) title.
  await page.getByRole('link', { name: 'Lesk harbour dredging <b>plan</b>' }).click();
  await page.waitForURL('**/stories/story-harbour');
  check((await page.locator('h1').innerText()) === 'Lesk harbour dredging <b>plan</b>', 'story title shown as text');

  // The disagreement with both sources' sentences, the values marked.
  const card = page.locator('.disagreement').first();
  await card.waitFor();
  const quotes = await card.locator('blockquote').allInnerTexts();
  check(quotes.some((q) => q.includes('Oda Brenn, the harbour master of Lesk, said on Tuesday')), 'first source sentence');
  check(quotes.some((q) => q.includes('Former harbour master Oda Brenn met the mayor of Tarvik')), 'second source sentence');
  const marks = await card.locator('mark').allInnerTexts();
  check(marks.includes('the harbour master') && marks.includes('Former harbour master'), 'both values highlighted');
  const markColour = await card.locator('mark').first().evaluate((m) => getComputedStyle(m).backgroundColor);
  check(markColour === 'rgb(255, 241, 168)', `highlight colour ${markColour}`);
  for (const h of ['The outlets side by side', 'Timeline', 'Who said what', 'Places']) {
    check(await page.getByRole('heading', { name: h }).isVisible(), `story section "${h}"`);
  }
  check((await page.locator('svg.map circle').count()) >= 1, 'map has a place');
  await page.screenshot({ path: path.join(outDir, 'story.png') });
  console.log('screenshot: story.png');

  // An entity page, from the disagreement's subject.
  await card.getByRole('link', { name: 'Oda Brenn' }).first().click();
  await page.waitForURL('**/entities/Oda%20Brenn');
  check((await page.locator('h1').innerText()) === 'Oda Brenn', 'entity page heading');
  check((await page.locator('main').innerText()).includes('We will share the dredger,'), 'entity page lists what they said');

  // Search from the header box.
  await page.locator('header input[name=q]').fill('dredger');
  await page.locator('header input[name=q]').press('Enter');
  await page.waitForURL('**/search?q=dredger');
  const result = page.getByRole('link', { name: 'Brenn and Moor agree to share a dredger' }).first();
  check(await result.isVisible(), 'search finds the article');
  check((await page.locator('.snippet mark').count()) >= 1, 'search snippet highlighted');
  await result.click();
  await page.waitForURL('**/articles/**');
  check((await page.locator('main').innerText()).includes('The meeting lasted two hours.'), 'article page shows the body');

  // An article holding markup: shown as text, never run.
  r = await page.goto(`${base}/articles/${scriptArticle}`);
  check(r && r.status() === 200, 'script article answers 200');
  await page.waitForLoadState('load');
  const flag = await page.evaluate(() => window.__sitrepPwned);
  check(flag === undefined, `no script ran (window.__sitrepPwned is ${flag})`);
  check((await page.locator('main').innerText()).includes('<script>window.__sitrepPwned = 1</script>'), 'the script is shown as text');
  check((await page.locator('main script, main img').count()) === 0, 'no script or img element in the article');
  check(pageErrors.length === 0, `no page errors (${pageErrors.join('; ')})`);
} catch (e) {
  failed = true;
  console.error(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
