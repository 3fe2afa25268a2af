// The admin's first day, in a real browser: set-up → Overview → sign-out → wrong password
// → sign-in → Admins (add, delete) → dark mode; plus the server-side guards a browser meets.
// Screenshots of every page go to end2end/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { shotDark as darkShot } from '../lib/screens.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const USER = 'admin';
const PASSWORD = 'Harbor-Lights-2026';
let browser;
let context;
let page;

async function shot(name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** A dark-mode screenshot of the current page (see end2end/lib/screens.mjs). */
const shotDark = (name) => darkShot(page, shot, hydrated, name);

async function hydrated(p = page) {
  await p.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
}

before(async () => {
  assert.ok(BASE, 'BASE_URL must point at a running billionmail');
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.error('console error:', m.text().slice(0, 2000)); });
});

after(async () => {
  await browser?.close();
});

test('a fresh install sends every page to the set-up page', async () => {
  await page.goto(`${BASE}/admins`);
  assert.equal(new URL(page.url()).pathname, '/setup');
  await hydrated();
  await shot('01-setup');
  await shotDark('01-setup-dark');
});

test('set-up refuses a weak password inline, then creates the first admin', async () => {
  await page.fill('#username', USER);
  await page.fill('#password', 'short');
  await page.fill('#confirm', 'short');
  await page.click('#setup-form button[type=submit]');
  await page.waitForSelector('#password-error:not(.hidden)');
  assert.match(await page.textContent('#password-error'), /stronger password/);
  await shot('02-setup-weak-password');
  await page.fill('#password', PASSWORD);
  await page.fill('#confirm', PASSWORD);
  await page.click('#setup-form button[type=submit]');
  await page.waitForURL(`${BASE}/`);
  await hydrated();
  await page.waitForSelector('.stat-card');
  assert.match(await page.textContent('main'), /Overview/);
  await shot('03-overview');
});

test('the set-up page is gone once an admin exists', async () => {
  const res = await page.request.get(`${BASE}/setup`, { maxRedirects: 0 });
  assert.equal(res.status(), 303);
  assert.equal(res.headers().location, '/sign-in');
});

test('sign-out ends the session and lands on sign-in', async () => {
  await page.click('#user-menu');
  await page.click('#sign-out');
  await page.waitForURL(`${BASE}/sign-in`);
  await hydrated();
  await shot('04-sign-in');
  await shotDark('04-sign-in-dark');
  const res = await page.request.get(`${BASE}/admins`, { maxRedirects: 0 });
  assert.equal(res.status(), 303);
  assert.equal(res.headers().location, '/sign-in?next=/admins');
});

test('a wrong password shows a clear message', async () => {
  await page.fill('#username', USER);
  await page.fill('#password', 'Not-The-Password-1');
  await page.click('#sign-in-form button[type=submit]');
  const alert = await page.waitForSelector('.form-alert');
  assert.match(await alert.textContent(), /Wrong username or password/);
  await shot('05-sign-in-wrong-password');
});

test('the right password signs in and the refused attempt is in the log', async () => {
  await page.fill('#username', USER);
  await page.fill('#password', PASSWORD);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForURL(`${BASE}/`);
  await hydrated();
  await page.waitForSelector('text=Refused: wrong password');
  const cookie = (await context.cookies()).find((c) => c.name === 'bm_session');
  assert.ok(cookie, 'session cookie set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
});

test('admins can be added and deleted with a confirmation', async () => {
  await page.click('nav >> text=Admins');
  await page.waitForURL(`${BASE}/admins`);
  await page.fill('#add-admin-form #username', 'ops.team');
  await page.fill('#add-admin-form #password', 'weak');
  await page.click('#add-admin-form button[type=submit]');
  await page.waitForSelector('#add-admin-form #password-error:not(.hidden)');
  await page.fill('#add-admin-form #password', 'Second-Admin-Pass-9');
  await page.click('#add-admin-form button[type=submit]');
  await page.waitForSelector('.toast[data-kind=success]');
  await page.waitForSelector('td >> text=ops.team');
  await shot('06-admins');
  await page.click('button.delete-admin[data-username="ops.team"]');
  await page.waitForSelector('[role=dialog]');
  await shot('07-admins-confirm-delete');
  await page.click('#confirm-button');
  await page.waitForSelector('text=Admin deleted.');
  await page.waitForSelector('td >> text=ops.team', { state: 'detached' });
});

test('the data table sorts through the URL', async () => {
  await page.click('a[data-sort=created_at]');
  await page.waitForURL(/sort=created_at&dir=asc/);
  await page.click('a[data-sort=created_at]');
  await page.waitForURL(/sort=created_at&dir=desc/);
  assert.equal(await page.getAttribute('th[aria-sort=descending] a', 'data-sort'), 'created_at');
});

test('dark mode toggles and survives a reload', async () => {
  await page.goto(`${BASE}/`);
  await hydrated();
  await page.click('#theme-toggle');
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
  await page.reload();
  await hydrated();
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
  await page.waitForSelector('.stat-card');
  await shot('08-overview-dark');
  await page.click('nav >> text=Admins');
  await page.waitForSelector('td >> text=admin');
  await shot('09-admins-dark');
  await page.goto(`${BASE}/account`);
  await hydrated();
  await shot('09-account-dark');
  await page.click('#theme-toggle');
});

test('on a phone the sidebar folds into a menu', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/`);
  await hydrated();
  await page.waitForSelector('.stat-card');
  await shot('10-overview-phone');
  assert.equal(await page.isVisible('aside nav >> text=Admins'), true, 'sidebar rendered');
  const box = await page.locator('aside').boundingBox();
  assert.ok(box.x + box.width <= 1, 'sidebar is off screen until the menu opens');
  await page.click('button[aria-label="Open menu"]');
  await page.waitForFunction(() => document.querySelector('aside').getBoundingClientRect().x >= 0);
  await shot('11-menu-phone');
  await page.click('aside nav >> text=Admins');
  await page.waitForURL(`${BASE}/admins`);
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('an admin changes their own password from the user menu', async () => {
  const NEW_PASSWORD = 'Brand-New-Harbor-77';
  await page.goto(`${BASE}/`);
  await hydrated();
  await page.click('#user-menu');
  await page.click('#account-link');
  await page.waitForURL(`${BASE}/account`);
  await page.fill('#current_password', 'not-my-password');
  await page.fill('#new_password', NEW_PASSWORD);
  await page.fill('#repeat_password', NEW_PASSWORD);
  await page.click('#change-password-form button[type=submit]');
  await page.waitForSelector('#current_password-error:not(.hidden)');
  assert.match(await page.textContent('#current_password-error'), /current password is not right/);
  await page.fill('#current_password', PASSWORD);
  await page.click('#change-password-form button[type=submit]');
  await page.waitForSelector('text=Password changed.');
  await shot('12-account');
  await page.click('#user-menu');
  await page.click('#sign-out');
  await page.waitForURL(`${BASE}/sign-in`);
  await hydrated();
  await page.fill('#username', USER);
  await page.fill('#password', NEW_PASSWORD);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForURL(`${BASE}/`);
});

test('a request from a foreign origin is refused', async () => {
  const res = await page.request.post(`${BASE}/api/admins/create`, {
    headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
    data: 'username=mallory&password=Mallory-Pass-123',
  });
  assert.equal(res.status(), 403);
  assert.equal(await res.json(), 'ForeignOrigin');
});

test('sign-in page timing: first byte and hydrated', async () => {
  const fresh = await browser.newContext();
  const p = await fresh.newPage();
  const runs = [];
  for (let i = 0; i < 5; i += 1) {
    await p.goto(`${BASE}/sign-in`, { waitUntil: 'commit' });
    await hydrated(p);
    runs.push(await p.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { ttfb: nav.responseStart - nav.startTime, hydrated: performance.now() };
    }));
  }
  await fresh.close();
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ttfb = median(runs.map((r) => r.ttfb));
  const hyd = median(runs.map((r) => r.hydrated));
  console.log(`FIGURE sign-in page: time to first byte ${ttfb.toFixed(1)} ms, hydrated ${hyd.toFixed(0)} ms (median of 5)`);
  assert.ok(hyd < 10_000, 'hydration within 10 s');
});
