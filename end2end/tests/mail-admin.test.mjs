// The mail server pages in a real browser: add a domain (IDN too), add mailboxes (bad input
// refused inline), batch create with passwords shown once, search and filter, CSV export,
// aliases (a loop refused), alias domain, BCC rule, disable and delete with confirmation.
// Runs after admin-flow (which made the first admin); signs in with its own admin account,
// created through the CLI. Screenshots go to end2end/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { launchChromium, signIn } from '../lib/browser.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const USER = 'postmaster-admin';
const PASSWORD = 'Mail-Desk-Orbit-77';
let browser;
let page;

async function shot(name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

async function hydrated() {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
}

async function toast(pattern) {
  await page.waitForFunction((src) => [...document.querySelectorAll('[role=status], .toast')]
    .some((t) => new RegExp(src).test(t.textContent)), pattern.source, { timeout: 15_000 });
}

/** Waits until the table lists a row containing `text`. */
async function row(text) {
  await page.waitForFunction((t) => [...document.querySelectorAll('tbody tr')].some((r) => r.textContent.includes(t)), text, { timeout: 15_000 });
}

before(async () => {
  assert.ok(BASE, 'BASE_URL must point at a running billionmail');
  assert.ok(process.env.BM_BIN && process.env.E2E_DATABASE_URL, 'BM_BIN and E2E_DATABASE_URL are set by .ci/test');
  const made = spawnSync(process.env.BM_BIN, ['admin', 'create', USER, '--password-stdin'], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL }, input: `${PASSWORD}\n`, encoding: 'utf8',
  });
  assert.ok(made.status === 0 || /already exists/.test(made.stderr), made.stderr);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(page, BASE, USER, PASSWORD, '/domains');
});

after(async () => {
  await browser?.close();
});

test('domains: empty state, then add example.com and an IDN domain', async () => {
  await page.waitForSelector('.empty-state');
  await shot('20-domains-empty');
  await page.click('#add-domain');
  await page.fill('#name', 'not a domain');
  await page.click('#domain-form button[type=submit]');
  await page.waitForSelector('#name-error:not(.hidden)');
  assert.match(await page.textContent('#name-error'), /not a valid domain/);
  await page.fill('#name', 'Example.com');
  await page.fill('#max_mailboxes', '50');
  await page.fill('#total_quota', '20 GB');
  await page.click('#domain-form button[type=submit]');
  await toast(/example\.com added/);
  await row('example.com');
  await page.click('#add-domain');
  await page.fill('#name', 'bücher.example');
  await page.click('#domain-form button[type=submit]');
  await toast(/bücher\.example added/);
  await row('xn--bcher-kva.example');
  await shot('21-domains');
  // The DKIM record to publish, for the selector the engine generated.
  await page.click('button.dkim-record[data-domain="example.com"]');
  await page.waitForSelector('#dkim-value');
  assert.match(await page.textContent('#dkim-name'), /^bm\d{6}\._domainkey\.example\.com$/);
  assert.match(await page.textContent('#dkim-value'), /^v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/=]+$/);
  await shot('21b-dkim-record');
  await page.keyboard.press('Escape');
  await page.click('#dkim-dialog button[aria-label=Close]').catch(() => {});
});

test('mailboxes: weak password refused inline, then created; batch shows passwords once', async () => {
  await page.goto(`${BASE}/mailboxes?domain=example.com`);
  await hydrated();
  await page.click('#add-mailbox');
  await page.fill('#local_part', 'anna');
  await page.selectOption('#domain', 'example.com');
  await page.fill('#mailbox_password', 'weak');
  await page.click('#mailbox-form button[type=submit]');
  await page.waitForSelector('#mailbox_password-error:not(.hidden)');
  await page.fill('#display_name', 'Anna Larsen');
  await page.fill('#mailbox_password', 'Fjord-Lantern-88');
  await page.fill('#quota', '2 GB');
  await page.click('#mailbox-form button[type=submit]');
  await toast(/anna@example\.com created/);
  await row('anna@example.com');

  await page.click('#batch-mailboxes');
  await page.selectOption('#batch_domain', 'example.com');
  await page.fill('#prefix', 'desk');
  await page.fill('#count', '5');
  await page.fill('#batch_quota', '1 GB');
  await page.click('#batch-form button[type=submit]');
  await page.waitForSelector('.created-list');
  const passwords = await page.$$eval('.created-list tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
  assert.equal(passwords.length, 5);
  assert.ok(passwords.every((p) => p.length === 20));
  await shot('22-mailboxes-batch-passwords');
  await page.keyboard.press('Escape');
  await page.click('#batch-dialog button[aria-label=Close]').catch(() => {});
  await row('desk5@example.com');
  await shot('23-mailboxes');
});

test('mailboxes: search is in the URL, export downloads CSV without hashes', async () => {
  await page.fill('input[name=q]', 'desk3');
  await page.press('input[name=q]', 'Enter');
  await page.waitForURL(/q=desk3/);
  await page.waitForFunction(() => [...document.querySelectorAll('tbody tr')].filter((r) => !r.closest('#connection-settings')).length === 1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-mailboxes')]);
  const path = await download.path();
  const csv = (await import('node:fs')).readFileSync(path, 'utf8');
  assert.match(csv, /^address,display_name,quota_bytes/);
  assert.match(csv, /desk3@example\.com/);
  assert.doesNotMatch(csv, /desk1@|ARGON2ID/);
  await page.waitForSelector('#connection-settings td');
  assert.match(await page.textContent('#connection-settings'), /993/);
});

test('aliases: create, loop refused, alias domain and BCC rule', async () => {
  await page.goto(`${BASE}/aliases`);
  await hydrated();
  await row('postmaster@example.com');
  await page.click('#add-alias');
  await page.fill('#address', 'team@example.com');
  await page.fill('#targets', 'anna@example.com\ndesk1@example.com');
  await page.click('#alias-form button[type=submit]');
  await toast(/team@example\.com created/);
  await page.waitForSelector('#alias-dialog', { state: 'detached' });
  await page.click('#add-alias');
  await page.fill('#address', 'all@example.com');
  await page.fill('#targets', 'team@example.com');
  await page.click('#alias-form button[type=submit]');
  await toast(/all@example\.com created/);
  await page.waitForSelector('#alias-dialog', { state: 'detached' });
  await row('all@example.com');
  await page.click('button[data-action=edit][data-address="team@example.com"]');
  await page.waitForFunction(() => /Edit alias/.test(document.querySelector('#alias-dialog')?.textContent || ''));
  await page.fill('#targets', 'all@example.com');
  await page.click('#alias-form button[type=submit]');
  await page.waitForFunction(() => /loop/.test(document.querySelector('#alias-form')?.textContent || ''));
  assert.match(await page.textContent('#alias-form'), /team@example\.com → all@example\.com → team@example\.com/);
  await shot('24-alias-loop-refused');
  await page.keyboard.press('Escape');
  await page.click('#alias-dialog button[aria-label=Close]').catch(() => {});

  await page.fill('#alias_domain_name', 'example.net');
  await page.selectOption('#alias_domain_target', 'example.com');
  await page.click('#alias-domain-form button[type=submit]');
  await toast(/example\.net now delivers to example\.com/);
  await page.fill('#bcc_match', '@example.com');
  await page.fill('#bcc_to', 'archive@backup.example.org');
  await page.click('#bcc-form button[type=submit]');
  await toast(/now go to archive@backup\.example\.org/);
  await shot('25-aliases');
});

test('domains: disable, then delete needs the name typed when mailboxes exist', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => localStorage.removeItem('bm-theme'));
  await page.goto(`${BASE}/mailboxes`);
  await hydrated();
  await row('desk5@example.com');
  await shot('26-mailboxes-dark');
  await page.goto(`${BASE}/domains`);
  await hydrated();
  await shot('27-domains-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${BASE}/domains`);
  await hydrated();
  await page.click('button[data-action=toggle][data-domain="example.com"]');
  await toast(/example\.com disabled/);
  await page.click('button[data-action=delete][data-domain="example.com"]');
  await page.waitForSelector('#confirm-button[disabled]');
  await page.fill('[role=dialog] input', 'example.com');
  await page.click('#confirm-button');
  await toast(/Domain deleted/);
  await page.waitForFunction(() => ![...document.querySelectorAll('tbody tr')].some((r) => r.textContent.includes('example.com') && !r.textContent.includes('bücher')));
});
