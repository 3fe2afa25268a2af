// Browser set-up shared by the page tests: Debian's Chromium through playwright-core, and
// signing in through the real sign-in page.
import { chromium } from 'playwright-core';

/** Headless Chromium with the flags this machine needs (no sandbox, no GPU, no network noise). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Signs `user` in on `page` and waits until `next` has hydrated. */
export async function signIn(page, base, user, password, next) {
  const hydrated = () => page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.goto(`${base}/sign-in?next=${next}`);
  await hydrated();
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}${next}`);
  await hydrated();
}
