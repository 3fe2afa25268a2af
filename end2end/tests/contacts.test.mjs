// The audience pages in a real browser: a list, a CSV import through the upload → mapping →
// progress screens (bad rows reported with their line numbers, good rows kept), the
// contacts table with search and a bulk action on a whole segment, the segment builder's
// live count, the suppression list and the invalid-domain scan against a real DNS server
// (dnsmasq on E2E_DNS_PORT, which .ci/test gives the server as its resolver), one contact's
// page and its GDPR erasure. Screenshots go to end2end/screenshots/40-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, signIn } from '../lib/browser.mjs';
import { pageTools } from '../lib/screens.mjs';
import { Dnsmasq, dnsmasqBinary } from '../lib/dnsmasq.mjs';

const BASE = process.env.BASE_URL;
const DNS_PORT = Number(process.env.E2E_DNS_PORT);
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const USER = 'audience-admin';
const PASSWORD = 'Segment-Harbor-Lamp-52';
const work = mkdtempSync(path.join(tmpdir(), 'bm-e2e-contacts-'));
const dnsmasq = new Dnsmasq(DNS_PORT, work);
let browser;
let page;

// The import file: 300 data rows after the header. Every third contact is on the "pro"
// plan; 4 use a domain that does not exist; three lines are bad (file lines 6, 11, 21).
const ROWS = 300;
const BAD_LINES = new Map([[6, 'not-an-address,Nobody,free,30,'], [11, 'ten@shop.e2e.test,Ten,pro,abc,'],
  [21, ',No Email,free,22,']]);
function importFile() {
  const lines = ['email,name,plan,age,tags'];
  for (let i = 1; i <= ROWS; i++) {
    const line = i + 1;
    if (BAD_LINES.has(line)) { lines.push(BAD_LINES.get(line)); continue; }
    const domain = i <= 4 ? 'gone.e2e.test' : 'shop.e2e.test';
    const plan = i % 3 === 0 ? 'pro' : 'free';
    lines.push(`person${i}@${domain},Person ${i},${plan},${20 + (i % 50)},"early, beta"`);
  }
  const file = path.join(work, 'customers.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
const VALID = ROWS - BAD_LINES.size;
// Pro rows are i % 3 == 0; line 11 (i = 10) is not, so every pro row is valid.
const PRO = Math.floor(ROWS / 3);

const { shot, hydrated, toast, shotDark } = pageTools(() => page, SHOTS);

async function goto(route) {
  await page.goto(`${BASE}${route}`);
  await hydrated();
}

/** The text of `selector` with whitespace (incl. no-break spaces) collapsed. */
async function text(selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

before(async () => {
  assert.ok(BASE, 'BASE_URL must point at a running billionmail');
  assert.ok(DNS_PORT > 0, 'E2E_DNS_PORT is set by .ci/test');
  assert.ok(dnsmasqBinary(), 'dnsmasq is installed by .ci/setup --tests');
  const env = { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL };
  const made = spawnSync(process.env.BM_BIN, ['admin', 'create', USER, '--password-stdin'], { env, input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.ok(made.status === 0 || /already exists/.test(made.stderr), made.stderr);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(page, BASE, USER, PASSWORD, '/contacts');
});

after(async () => {
  await browser?.close();
  await dnsmasq.stop();
  rmSync(work, { recursive: true, force: true });
});

test('contacts and lists start empty and say what to do', async () => {
  await page.waitForSelector('#contacts-empty');
  assert.match(await text('#contacts-empty'), /import/i);
  await shot('40-contacts-empty');
  await goto('/lists');
  await page.waitForSelector('#lists-empty');
  await page.click('#add-list');
  await page.fill('#list_name', 'Weekly news');
  await page.fill('#list_description', 'The Friday newsletter');
  await page.click('#list-opt-in-double');
  await page.click('#list-dialog button[type=submit]');
  await toast(/Weekly news/);
  await page.waitForSelector('#lists-table tr[data-list-id]');
  assert.match(await text('#lists-table'), /Weekly news.*double/i);
});

test('import: upload, map, run with a progress bar, keep good rows and report bad lines', async () => {
  await goto('/contacts/import');
  await page.setInputFiles('#import-file', importFile());
  await page.waitForSelector('#start-import');
  // The suggested mapping: email, name, then plan/age as attributes, tags as tags.
  assert.equal(await page.inputValue('#mapping-target-0'), 'email');
  assert.equal(await page.inputValue('#mapping-target-1'), 'name');
  assert.equal(await page.inputValue('#mapping-target-2'), 'attribute');
  assert.equal(await page.inputValue('#mapping-key-2'), 'plan');
  // "abc" on line 11 is in the preview, so age is guessed as text; the admin makes it a number.
  assert.equal(await page.inputValue('#mapping-kind-3'), 'text');
  await page.selectOption('#mapping-kind-3', 'number');
  assert.equal(await page.inputValue('#mapping-target-4'), 'tags');
  await page.check('input.import-list');
  await page.fill('#import-tags', 'imported');
  await shot('41-import-mapping');
  await page.click('#start-import');
  await page.waitForURL(/\/contacts\/import\/\d+$/);
  await page.waitForSelector('#import-job[data-state=finished]', { timeout: 60_000 });
  assert.equal(await text('[data-testid=import-rows-invalid]'), String(BAD_LINES.size));
  assert.equal(await text('[data-testid=import-contacts-new]'), String(VALID));
  assert.equal(await page.getAttribute('#import-progress', 'aria-valuenow'), '100');
  const errors = await page.$$eval('#import-error-list tbody tr',
    (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent.trim())));
  assert.deepEqual(errors.map(([line]) => Number(line)), [...BAD_LINES.keys()]);
  assert.match(errors[0][1], /not-an-address/);
  assert.match(errors[1][1], /"abc" is not a number/);
  const report = await page.evaluate(async (href) => (await fetch(href)).text(),
    await page.getAttribute('#import-error-report', 'href'));
  assert.equal(report.trim().split('\n').length, BAD_LINES.size + 1, report);
  await shot('42-import-finished');
});

test('contacts table: totals, search, the contact page and its timeline', async () => {
  await goto('/contacts');
  await page.waitForSelector('[data-testid=contact-link]');
  assert.match(await text('main'), new RegExp(`${VALID}`));
  await shot('43-contacts');
  await page.fill('input[name=q]', 'person12@');
  await page.press('input[name=q]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-link]').length === 1);
  await page.click('[data-testid=contact-link]');
  await page.waitForURL(/\/contacts\/\d+$/);
  await hydrated();
  assert.equal(await page.inputValue('#email'), 'person12@shop.e2e.test');
  assert.match(await text('#timeline'), /Imported/);
  assert.match(await text('main'), /Weekly news/);
  assert.match(await text('main'), /early/);
  await shot('44-contact');
});

test('segment builder: live count while editing, then save', async () => {
  await goto('/segments/new');
  await page.fill('#segment-name', 'Pro plan');
  await page.click('[data-testid=add-condition]');
  await page.selectOption('[data-testid=condition-kind]', 'attribute');
  await page.selectOption('[data-testid=condition-attribute]', 'plan');
  await page.selectOption('[data-testid=condition-operator]', 'eq');
  await page.fill('[data-testid=condition-value]', 'pro');
  await page.waitForSelector(`#segment-count[data-matching="${PRO}"]`, { timeout: 15_000 });
  const line = await text('#segment-count');
  const ms = Number(line.match(/(\d+) ms/)?.[1]);
  console.log(`FIGURE e2e_segment_live_count_ms ${ms}`);
  await shot('45-segment-builder');
  await page.click('#save-segment');
  await toast(/Pro plan/);
  await page.waitForURL(/\/segments\/\d+$/);
  await goto('/segments');
  await page.waitForSelector('#segments-table tr[data-segment]');
  assert.match(await text('#segments-table'), /Pro plan/);
  await shot('46-segments');
});

test('bulk action on every contact of a segment: tag them all', async () => {
  await goto('/segments');
  await page.click('#segments-table a[data-action=contacts]');
  await page.waitForURL(/\/contacts\?segment=\d+/);
  await hydrated();
  await page.waitForSelector('#segment-banner');
  await page.click('#select-page');
  await page.click('#select-all-matching');
  await page.waitForSelector('#bulk-bar');
  assert.match(await text('[data-testid=bulk-count]'), new RegExp(`${PRO}`));
  await page.click('#bulk-add-tag');
  await page.fill('#bulk-tag', 'pro-users');
  await page.click('#bulk-apply');
  await toast(new RegExp(`${PRO} contacts? tagged`));
  await goto('/contacts?tag=pro-users');
  await page.waitForFunction((n) => document.querySelector('main').textContent.replace(/\s+/g, '').includes(String(n)), PRO);
});

test('suppression list and the invalid-domain scan', async () => {
  await dnsmasq.serve('local=/e2e.test/\nmx-host=shop.e2e.test,mx.shop.e2e.test,10\nhost-record=mx.shop.e2e.test,192.0.2.20\n');
  await goto('/suppression');
  await page.click('#add-suppressions');
  await page.fill('#suppress-addresses', 'person5@shop.e2e.test\nperson6@shop.e2e.test, not an address');
  await page.click('#suppress-submit');
  await toast(/2 added/);
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('person6@shop.e2e.test'));
  await page.click('#scan-domains');
  await page.waitForSelector('#invalid-domain-list tr[data-domain="gone.e2e.test"]', { timeout: 20_000 });
  assert.match(await text('#invalid-domain-list'), /gone\.e2e\.test.*does not exist.*4/i);
  assert.doesNotMatch(await text('#invalid-domain-list'), /shop\.e2e\.test/);
  await shot('47-suppression');
  await page.check('#invalid-choose-all');
  await page.click('#invalid-suppress');
  await page.click('#confirm-button');
  await toast(/4/);
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('person1@gone.e2e.test'));
  await shotDark('48-suppression-dark');
});

test('export of a segment streams a CSV with the attributes', async () => {
  const csv = await page.evaluate(async () => {
    const r = await fetch(`/api/contacts/export.csv?selection=${encodeURIComponent(JSON.stringify({ query: { search: '', filter: null } }))}`);
    return `${r.status}\n${await r.text()}`;
  });
  const [status, header, ...rows] = csv.trim().split('\n');
  assert.equal(status, '200');
  assert.match(header, /^email,name,tags,created_at,last_activity_at,age,plan/);
  assert.equal(rows.length, VALID);
});

test('privacy: download a contact\'s data, then erase it', async () => {
  await goto('/contacts?q=person12%40');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=contact-link]').length === 1);
  await page.click('[data-testid=contact-link]');
  await page.waitForURL(/\/contacts\/\d+$/);
  await hydrated();
  const data = await page.evaluate(async (href) => (await fetch(href)).json(),
    await page.getAttribute('#download-contact-data', 'href'));
  assert.equal(data.contact.email, 'person12@shop.e2e.test');
  await shotDark('49-contact-dark');
  await page.click('#erase-contact');
  await page.fill('#erase-confirm-email', 'someone@else.test');
  assert.equal(await page.isDisabled('#erase-confirm'), true);
  await page.fill('#erase-confirm-email', 'person12@shop.e2e.test');
  await page.click('#erase-confirm');
  await page.waitForURL(`${BASE}/contacts`);
  await toast(/erased/i);
  await goto('/contacts?q=person12%40');
  await page.waitForSelector('#contacts-no-match');
});
