// Screenshot helpers shared by the browser tests.

/**
 * Reloads `page` with the system in dark mode and no saved choice (the boot script follows
 * the system), checks the page really turned dark, takes the screenshot with `shot`, and
 * goes back to light.
 */
export async function shotDark(page, shot, hydrated, name) {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await hydrated();
  const dark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
  if (!dark) throw new Error(`${name}: the page did not switch to dark mode`);
  await shot(name);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.reload();
  await hydrated();
}

/**
 * Screenshot, hydration and toast helpers bound to a test file's page. `current` returns the
 * page (it is created in `before`, after this runs); screenshots go to `shotsDir`.
 */
export function pageTools(current, shotsDir) {
  const shot = (name) => current().screenshot({ path: `${shotsDir}${name}.png`, fullPage: true });
  const hydrated = () => current().waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  // Toast text with whitespace (no-break spaces of big numbers too) collapsed to one space.
  const toast = (pattern) => current().waitForFunction((src) => [...document.querySelectorAll('[role=status], .toast')]
    .some((t) => new RegExp(src).test(t.textContent.replace(/\s+/g, ' '))), pattern.source, { timeout: 20_000 });
  return { shot, hydrated, toast, shotDark: (name) => shotDark(current(), shot, hydrated, name) };
}
