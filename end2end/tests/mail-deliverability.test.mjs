// The deliverability pages in a real browser, against a real DNS server: a domain's records
// are checked (DNS down → timeouts, never "OK"), then published in dnsmasq from what the
// page asks for and checked again (all OK); a DKIM rotation is started and cancelled; a
// blocklist scan finds a listing with its delist link; a custom certificate is uploaded;
// the MTA-STS policy is served at mta-sts.<domain>. .ci/test starts the server with
// BM_DNS_RESOLVER=127.0.0.1:$E2E_DNS_PORT; this test starts dnsmasq on that port itself. It runs
// after mail-admin (file order), whose first test expects no domain yet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { launchChromium, signIn } from '../lib/browser.mjs';
import { pageTools } from '../lib/screens.mjs';
import { Dnsmasq, dnsmasqBinary, txt } from '../lib/dnsmasq.mjs';

const BASE = process.env.BASE_URL;
const DNS_PORT = Number(process.env.E2E_DNS_PORT);
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const USER = 'deliverability-admin';
const PASSWORD = 'Record-Beacon-Shore-31';
const DOMAIN = 'deliver.test';
let browser;
let page;
const work = mkdtempSync(path.join(tmpdir(), 'bm-e2e-dns-'));
const dnsmasq = new Dnsmasq(DNS_PORT, work);
const serveZone = (conf) => dnsmasq.serve(conf);

const { shot, hydrated, toast, shotDark } = pageTools(() => page, SHOTS);

/** Calls a server function from the signed-in page (same origin, session cookie). */
async function api(endpoint, body) {
  return page.evaluate(async ([e, b]) => {
    const r = await fetch(`/api/${e}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    if (!r.ok) throw new Error(`${e}: ${r.status} ${await r.text()}`);
    return r.json();
  }, [endpoint, body]);
}

/** The zone that publishes every record the report asks for. */
function zoneFor(report, extra = '') {
  let conf = 'local=/test/\nlocal=/2.0.192.in-addr.arpa/\nhost-record=mail.bm-e2e.test,192.0.2.10\n';
  for (const [r] of report.records) {
    if (r.rtype === 'MX') {
      const [pref, host] = r.value.split(' ');
      conf += `mx-host=${r.host},${host},${pref}\n`;
    } else if (r.rtype === 'TXT') conf += txt(r.host, r.value);
    else if (r.rtype === 'CNAME') conf += `cname=${r.host},${r.value}\n`;
  }
  return conf + extra;
}

before(async () => {
  assert.ok(BASE, 'BASE_URL must point at a running billionmail');
  assert.ok(DNS_PORT > 0, 'E2E_DNS_PORT is set by .ci/test');
  assert.ok(dnsmasqBinary(), 'dnsmasq is installed by .ci/setup --tests');
  const env = { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL };
  const made = spawnSync(process.env.BM_BIN, ['admin', 'create', USER, '--password-stdin'], { env, input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.ok(made.status === 0 || /already exists/.test(made.stderr), made.stderr);
  const domain = spawnSync(process.env.BM_BIN, ['mail', 'add-domain', DOMAIN], { env, encoding: 'utf8' });
  assert.equal(domain.status, 0, domain.stderr);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(page, BASE, USER, PASSWORD, '/domains');
});

after(async () => {
  await browser?.close();
  await dnsmasq.stop();
  rmSync(work, { recursive: true, force: true });
});

test('DNS page: records to publish, DNS down is reported as timeouts, never OK', async () => {
  await page.click(`a[data-action=dns][href="/domains/${DOMAIN}/dns"]`);
  await page.waitForURL(`${BASE}/domains/${DOMAIN}/dns`);
  await hydrated();
  await page.waitForSelector('tr[data-record="spf"]');
  const unchecked = await page.$$eval('tr[data-record] [data-status]', (b) => b.map((x) => x.dataset.status));
  assert.ok(unchecked.length >= 8 && unchecked.every((s) => s === 'unchecked'), unchecked.join());
  // Nothing answers on the resolver port yet.
  await page.click('#check-now');
  await page.waitForFunction(() => document.querySelector('tr[data-record="mx"] [data-status]')?.dataset.status !== 'unchecked', null, { timeout: 30_000 });
  const statuses = await page.$$eval('tr[data-record] [data-status]', (b) => b.map((x) => x.dataset.status));
  assert.ok(!statuses.includes('ok'), statuses.join());
  assert.ok(statuses.includes('timeout'), statuses.join());
  assert.equal(await page.getAttribute('#dns-summary', 'data-ready'), 'false');
  await shot('30-dns-records-unreachable');
});

test('DNS page: choose the DMARC policy (bad address refused inline), publish, all OK', async () => {
  await page.selectOption('#dmarc_policy', 'reject');
  await page.fill('#dmarc_rua', 'not an address');
  await page.click('#save-policy');
  await page.waitForSelector('#dmarc_rua-error:not(.hidden)', { timeout: 15_000 });
  await page.fill('#dmarc_rua', `dmarc@${DOMAIN}`);
  await page.click('#save-policy');
  await toast(/DNS policy saved/);
  const report = await api('deliverability/dns/report', { domain: DOMAIN });
  assert.equal(report.records.find(([r]) => r.key === 'dmarc')[0].value, `v=DMARC1; p=reject; rua=mailto:dmarc@${DOMAIN}`);
  await serveZone(zoneFor(report));
  const started = Date.now();
  await page.click('#check-now');
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('tr[data-record] [data-status]')].map((b) => b.dataset.status);
    return s.length > 0 && s.every((x) => x === 'ok');
  }, null, { timeout: 30_000 });
  console.log(`FIGURE e2e_check_now_to_all_ok_ms=${Date.now() - started}`);
  await page.waitForSelector('#dns-summary[data-ready="true"]');
  await shot('31-dns-records-ok');
  await shotDark('31b-dns-records-dark');
  await page.waitForSelector('#dns-summary[data-ready="true"]');
  // The value column copies the exact record.
  const spf = report.records.find(([r]) => r.key === 'spf')[0].value;
  assert.equal(spf, 'v=spf1 mx ip4:192.0.2.10 -all');
});

test('DNS page: a wrong DKIM key and p=none are explained with the fix', async () => {
  const report = await api('deliverability/dns/report', { domain: DOMAIN });
  const dkim = report.records.find(([r]) => r.key.startsWith('dkim:'))[0];
  const broken = zoneFor(report)
    .split('\n')
    .filter((l) => !l.startsWith(`txt-record=${dkim.host},`) && !l.startsWith(`txt-record=_dmarc.${DOMAIN},`))
    .join('\n') + '\n' + txt(dkim.host, 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAstale')
    + txt(`_dmarc.${DOMAIN}`, `v=DMARC1; p=none; rua=mailto:dmarc@${DOMAIN}`);
  await serveZone(broken);
  await page.click('#check-now');
  await page.waitForSelector(`tr[data-record="${dkim.key}"] [data-status="mismatch"]`, { timeout: 30_000 });
  await page.waitForSelector('tr[data-record="dmarc"] [data-status="warning"]');
  const problems = await page.$$eval('.record-problem', (p) => p.map((x) => x.textContent).join('\n'));
  assert.match(problems, /DKIM key does not match/);
  assert.match(problems, /DMARC p=none/);
  await shot('32-dns-records-problems');
});

test('DKIM: a rotation publishes a second selector and can be cancelled', async () => {
  await page.click('#rotate-key');
  await page.waitForSelector('#dkim-pending', { timeout: 20_000 });
  const dkimRows = await page.$$eval('tr[data-record^="dkim:"]', (r) => r.length);
  assert.equal(dkimRows, 2);
  await shot('33-dkim-rotation-pending');
  await page.click('#cancel-rotation');
  await page.waitForSelector('#dkim-pending', { state: 'detached', timeout: 20_000 });
});

test('blocklists: a scan shows the listing, the list and where to delist', async () => {
  const overview = await api('deliverability/dnsbl/overview', {});
  assert.equal(overview.lists.length, 40);
  const report = await api('deliverability/dns/report', { domain: DOMAIN });
  const zones = overview.lists.map((l) => `local=/${l.zone}/\n`).join('');
  await serveZone(zoneFor(report, `${zones}address=/10.2.0.192.zen.spamhaus.org/127.0.0.2\n`
    + txt('10.2.0.192.zen.spamhaus.org', 'Listed in the test zone')));
  await page.goto(`${BASE}/blocklists`);
  await hydrated();
  const started = Date.now();
  await page.click('#scan-now');
  await page.waitForSelector('.listing', { timeout: 60_000 });
  console.log(`FIGURE e2e_dnsbl_scan_click_to_result_ms=${Date.now() - started}`);
  const listing = await page.textContent('.listing');
  assert.match(listing, /192\.0\.2\.10/);
  assert.match(listing, /Spamhaus ZEN/);
  const href = await page.getAttribute('.listing .delist-link', 'href');
  assert.match(href, /^https:\/\//);
  await shot('34-blocklists-listed');
  await shotDark('34b-blocklists-dark');
});

test('certificates: an uploaded certificate is checked and shown with its expiry', async () => {
  const key = path.join(work, 'key.pem');
  const cert = path.join(work, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '90', '-subj', '/CN=mail.bm-e2e.test',
    '-addext', 'subjectAltName=DNS:mail.bm-e2e.test'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  await page.goto(`${BASE}/certificates`);
  await hydrated();
  await page.waitForSelector('#upload-form');
  await page.fill('#upload-form input[name=host]', 'mail.bm-e2e.test');
  await page.fill('#upload-form textarea[name=chain_pem]', readFileSync(cert, 'utf8'));
  await page.fill('#upload-form textarea[name=key_pem]', 'not a key');
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#upload-form .field-error:not(.hidden), #upload-form [role=alert]', { timeout: 15_000 });
  await page.fill('#upload-form textarea[name=key_pem]', readFileSync(key, 'utf8'));
  await page.click('#upload-form button[type=submit]');
  await toast(/mail\.bm-e2e\.test/);
  await page.waitForFunction(() => [...document.querySelectorAll('tbody tr')].some((r) => /mail\.bm-e2e\.test/.test(r.textContent) && /Custom/i.test(r.textContent)));
  await shot('35-certificates');
});

test('MTA-STS policy is served at mta-sts.<domain> and nowhere else', async () => {
  const get = (host) => new Promise((resolve, reject) => {
    const u = new URL(`${BASE}/.well-known/mta-sts.txt`);
    http.get({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
  const policy = await get(`mta-sts.${DOMAIN}`);
  assert.equal(policy.status, 200);
  assert.equal(policy.body, 'version: STSv1\r\nmode: testing\r\nmx: mail.bm-e2e.test\r\nmax_age: 604800\r\n');
  assert.equal((await get('mta-sts.unknown.example')).status, 404);
  assert.equal((await get('127.0.0.1')).status, 404);
});
