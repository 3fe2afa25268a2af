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
