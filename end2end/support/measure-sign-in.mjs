// Prints the sign-in page's time to first byte and time to hydrated (median of N loads in
// headless Chromium) for the server at BASE_URL. Used by .ci/figures against a release build.
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL;
const RUNS = Number(process.env.RUNS || 9);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const results = [];
for (let i = 0; i < RUNS; i += 1) {
  // A new context each time: nothing cached, as for a first visit.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/sign-in`, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  results.push(await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { ttfb: nav.responseStart - nav.startTime, hydrated: performance.now() };
  }));
  await context.close();
}
await browser.close();
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0].toFixed(1)} / median ${s[Math.floor(s.length / 2)].toFixed(1)} / max ${s[s.length - 1].toFixed(1)} ms`;
};
console.log(`FIGURE sign-in page, cold browser cache, ${RUNS} loads: time to first byte ${stats(results.map((r) => r.ttfb))}`);
console.log(`FIGURE sign-in page, cold browser cache, ${RUNS} loads: hydrated ${stats(results.map((r) => r.hydrated))}`);
