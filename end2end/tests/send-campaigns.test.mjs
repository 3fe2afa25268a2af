// Campaigns in a real browser, end to end: the empty list, a new campaign written as HTML
// with sender, subject, preheader and a list as audience (live count), the review step
// (preflight with every check, personalised preview, a test send), "Send now", and the live
// report until every recipient is submitted to the relay — Postfix's smtp-sink, which this
// test starts on the port .ci/test gave the server as BM_SMTP_RELAY. The sender domain's
// SPF, DKIM and DMARC are published in a dnsmasq on E2E_DNS_PORT (stopped again at the end:
// nothing else may rely on it). It runs after mail-admin and mail-deliverability (file order:
// those expect no other mail domain and an idle resolver port). Screenshots: end2end/screenshots/60-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, signIn } from '../lib/browser.mjs';
import { pageTools } from '../lib/screens.mjs';
import { Dnsmasq, dnsmasqBinary, txt } from '../lib/dnsmasq.mjs';

const BASE = process.env.BASE_URL;
const DNS_PORT = Number(process.env.E2E_DNS_PORT);
const SMTP_PORT = Number(process.env.E2E_SMTP_PORT);
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const USER = 'campaign-admin';
const PASSWORD = 'Harbor-Signal-Lantern-57';
const DOMAIN = 'news.bm-e2e.test';
const RECIPIENTS = 25;
let browser;
let page;
let sink;
const work = mkdtempSync(path.join(tmpdir(), 'bm-e2e-campaigns-'));
chmodSync(work, 0o777);
const dump = path.join(work, 'sink.dump');
const dnsmasq = new Dnsmasq(DNS_PORT, work);

const { shot, hydrated, toast, shotDark } = pageTools(() => page, SHOTS);

function psql(sql) {
  const r = spawnSync('psql', ['-qtA', process.env.E2E_DATABASE_URL, '-c', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** Calls a server function from the signed-in page (same origin, session cookie). */
async function api(endpoint, body) {
  return page.evaluate(async ([e, b]) => {
    const r = await fetch(`/api/${e}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    if (!r.ok) throw new Error(`${e}: ${r.status} ${await r.text()}`);
    return r.json();
  }, [endpoint, body]);
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Recipients the sink received, in order (`X-Rcpt-Args: <addr> …` of each dumped message). */
function received() {
  let text = '';
  try { text = readFileSync(dump, 'utf8'); } catch { return []; }
  return [...text.matchAll(/X-Rcpt-Args: <([^>]+)>/g)].map((m) => m[1]);
}

before(async () => {
  assert.ok(BASE, 'BASE_URL must point at a running billionmail');
  assert.ok(DNS_PORT > 0 && SMTP_PORT > 0, 'E2E_DNS_PORT and E2E_SMTP_PORT are set by .ci/test');
  assert.ok(dnsmasqBinary(), 'dnsmasq is installed by .ci/setup --tests');
  const env = { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL };
  const made = spawnSync(process.env.BM_BIN, ['admin', 'create', USER, '--password-stdin'], { env, input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.ok(made.status === 0 || /already exists/.test(made.stderr), made.stderr);
  const domain = spawnSync(process.env.BM_BIN, ['mail', 'add-domain', DOMAIN], { env, encoding: 'utf8' });
  assert.equal(domain.status, 0, domain.stderr);
  psql("INSERT INTO contact_list (name, description) VALUES ('Campaign readers', 'People who asked for the newsletter')");
  psql(`INSERT INTO contact (email, name, attributes)
        SELECT 'reader' || g || '@example.org', 'Reader ' || g, jsonb_build_object('plan', 'pro')
        FROM generate_series(1, ${RECIPIENTS}) g`);
  psql(`INSERT INTO list_membership (list_id, contact_id, status, consent_source)
        SELECT l.id, c.id, 'subscribed', 'e2e' FROM contact_list l, contact c
        WHERE l.name = 'Campaign readers' AND c.email LIKE 'reader%@example.org'`);
  const args = ['-c', '-D', dump];
  if (process.getuid?.() === 0) args.push('-u', 'nobody');
  sink = spawn('/usr/sbin/smtp-sink', [...args, `127.0.0.1:${SMTP_PORT}`, '100'], { stdio: 'ignore' });
  await waitForPort(SMTP_PORT);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(page, BASE, USER, PASSWORD, '/campaigns');
  // Publish the domain's records and check them, so SPF/DKIM/DMARC pass the preflight.
  const report = await api('deliverability/dns/report', { domain: DOMAIN });
  let conf = 'local=/test/\nlocal=/2.0.192.in-addr.arpa/\nhost-record=mail.bm-e2e.test,192.0.2.10\n';
  for (const [r] of report.records) {
    if (r.rtype === 'MX') {
      const [pref, host] = r.value.split(' ');
      conf += `mx-host=${r.host},${host},${pref}\n`;
    } else if (r.rtype === 'TXT') conf += txt(r.host, r.value);
    else if (r.rtype === 'CNAME') conf += `cname=${r.host},${r.value}\n`;
  }
  await dnsmasq.serve(conf);
  await api('deliverability/dns/verify', { domain: DOMAIN });
});

after(async () => {
  await browser?.close();
  sink?.kill();
  await dnsmasq.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the empty campaign list says what a campaign is and how to start one', async () => {
  await page.waitForSelector('[data-testid=campaigns-empty]');
  assert.match(await page.textContent('[data-testid=campaigns-empty]'), /No campaigns yet/);
  await shot('60-campaigns-empty');
});

test('compose a campaign: sender, subject, HTML content, a list with a live count, save', async () => {
  await page.click('[data-testid=new-campaign]');
  await page.waitForURL(`${BASE}/campaigns/new`);
  await hydrated();
  await page.fill('[data-testid=campaign-name]', 'November news');
  await page.fill('[data-testid=from-name]', 'Example News');
  await page.fill('[data-testid=from-local]', 'hello');
  await page.selectOption('[data-testid=from-domain]', DOMAIN);
  await page.fill('[data-testid=subject]', '{{ first_name | default: "Friend" }}, five things from November');
  await page.fill('[data-testid=preheader]', 'The short version, in two minutes');
  await page.click('[data-testid=start-html]');
  await page.fill('[data-testid=html-source]', `<!doctype html><html><body>
    <h1>Hello {{ first_name | default: "there" }},</h1>
    <p>Your {{ plan | default: "free" }} plan got faster this month.</p>
    <p><a href="https://www.example.com/blog/november">Read the November notes</a></p>
    <p style="font-size:12px">Example Ltd, 1 Market Street <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
    </body></html>`);
  const listId = psql("SELECT id FROM contact_list WHERE name = 'Campaign readers'");
  await page.check(`[data-testid=audience-list-${listId}]`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=recipient-count]')?.dataset.sendable === String(n), RECIPIENTS, { timeout: 10_000 });
  // The editor's preview renders the HTML in the browser with a sample recipient.
  await page.frameLocator('[data-testid=content-preview]').locator('body', { hasText: 'Hello Alex,' }).waitFor({ timeout: 10_000 });
  await shot('61-campaign-editor');
  await page.click('[data-testid=save-draft]');
  await toast(/Draft saved/);
  await page.waitForURL(/\/campaigns\/\d+$/);
  await hydrated();
  assert.equal(await page.inputValue('[data-testid=campaign-name]'), 'November news');
});

test('review: preflight passes, the preview is personalised, a test send reaches the relay', async () => {
  await page.click('[data-testid=review-send]');
  await page.waitForSelector('[data-testid=preflight-check-unsubscribe]', { timeout: 20_000 });
  const statuses = Object.fromEntries(await page.$$eval('[data-testid^=preflight-check-]', (rows) =>
    rows.map((r) => [r.dataset.testid.replace('preflight-check-', ''), r.dataset.status])));
  for (const key of ['sender_domain', 'subject', 'spf', 'dkim', 'unsubscribe', 'list_unsubscribe', 'size', 'links', 'merge_fields', 'audience']) {
    assert.equal(statuses[key], 'pass', `${key}: ${JSON.stringify(statuses)}`);
  }
  // The default DMARC policy has no report address: published and aligned, flagged as weaker.
  assert.ok(['pass', 'warn'].includes(statuses.dmarc), statuses.dmarc);
  assert.ok(['pass', 'warn', 'skipped'].includes(statuses.spam_score), statuses.spam_score);
  await page.frameLocator('[data-testid=review-preview-frame]').locator('body', { hasText: 'Hello Reader,' }).waitFor({ timeout: 10_000 });
  await page.fill('[data-testid=test-addresses]', 'me@example.org');
  await page.click('[data-testid=send-test]');
  await page.waitForSelector('[data-testid="test-result-me@example.org"]', { timeout: 20_000 });
  assert.match(await page.textContent('[data-testid="test-result-me@example.org"]'), /250/);
  for (let i = 0; i < 50 && !received().includes('me@example.org'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(received(), ['me@example.org']);
  // The review is a dialog over the editor: a viewport shot shows it as the admin sees it.
  await page.screenshot({ path: `${SHOTS}62-campaign-review.png` });
});

test('send now: the report shows live progress until every recipient is submitted', async () => {
  await page.click('[data-testid=send-now]');
  await page.click('#confirm-button');
  await page.waitForURL(/\/campaigns\/\d+$/);
  await hydrated();
  await page.waitForSelector('[data-testid=count-sent]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=count-sent]')?.textContent.replace(/\D/g, '') === String(n), RECIPIENTS, { timeout: 30_000 });
  const mailed = received().filter((r) => r.startsWith('reader'));
  assert.equal(mailed.length, RECIPIENTS, 'each reader exactly once');
  assert.equal(new Set(mailed).size, RECIPIENTS);
  await page.waitForSelector('text=Finished', { timeout: 10_000 });
  await page.waitForTimeout(700); // the bar's width transition
  await shot('63-campaign-report');
  await shotDark('63b-campaign-report-dark');
});

/** The dumped messages as text, quoted-printable decoded and headers unfolded. */
function dumpedText() {
  const raw = readFileSync(dump, 'latin1').replace(/\r?\n[ \t]+/g, ' ');
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

test('a recipient\'s pixel, tracked link and unsubscribe page work; tampered tokens get 404', async () => {
  const text = dumpedText();
  const reader = text.slice(text.indexOf('X-Rcpt-Args: <reader1@example.org>'));
  const pixel = reader.match(/https?:\/\/[^"'\s>]+\/t\/o\/[A-Za-z0-9_-]+/)?.[0];
  const click = reader.match(/https?:\/\/[^"'\s>]+\/t\/c\/[A-Za-z0-9_-]+/)?.[0];
  const unsubscribe = reader.match(/List-Unsubscribe:[^\n]*<(https?:\/\/[^>]+\/u\/[A-Za-z0-9_-]+)>/)?.[1];
  assert.ok(pixel && click && unsubscribe, 'the message carries the pixel, a tracked link and the unsubscribe URL');
  const ua = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' };
  const open = await page.request.get(pixel, { headers: ua });
  assert.equal(open.status(), 200);
  assert.equal(open.headers()['content-type'], 'image/gif');
  const go = await page.request.get(click, { headers: ua, maxRedirects: 0 });
  assert.equal(go.status(), 302);
  assert.equal(go.headers().location, 'https://www.example.com/blog/november');
  // One changed character: unknown token, 404, and never a redirect.
  const tamper = (u) => u.slice(0, -2) + (u.at(-2) === 'A' ? 'B' : 'A') + u.at(-1);
  const bad = await page.request.get(tamper(click), { headers: ua, maxRedirects: 0 });
  assert.equal(bad.status(), 404);
  assert.equal(bad.headers().location, undefined);
  assert.equal((await page.request.get(tamper(pixel))).status(), 404);
  // The events reach the database through the batch writer.
  for (let i = 0; i < 50 && psql("SELECT count(*) FROM campaign_event WHERE kind IN ('open', 'click')") !== '2'; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(psql("SELECT string_agg(kind, ',' ORDER BY kind) FROM campaign_event WHERE kind IN ('open', 'click')"), 'click,open');
  // Unsubscribe: the link shows a choice (a scanner following it changes nothing) …
  await page.goto(unsubscribe);
  await page.waitForSelector('[data-testid=unsubscribe-form]');
  const status = () => psql(`SELECT m.status FROM list_membership m JOIN contact c ON c.id = m.contact_id
                             WHERE c.email = 'reader1@example.org'`);
  assert.equal(status(), 'subscribed');
  await shot('66-unsubscribe-page');
  // … and the button unsubscribes from the campaign's list, recorded on the contact.
  await page.click('[data-testid=unsubscribe-submit]');
  await page.waitForSelector('[data-testid=unsubscribe-done]');
  assert.equal(status(), 'unsubscribed');
  assert.equal(psql("SELECT count(*) FROM contact_event e JOIN contact c ON c.id = e.contact_id WHERE c.email = 'reader1@example.org' AND e.kind = 'unsubscribed'"), '1');
  await shot('67-unsubscribed');
  // RFC 8058 one-click from a mail provider: a POST, no session, no Origin.
  const reader2 = text.slice(text.indexOf('X-Rcpt-Args: <reader2@example.org>'));
  const oneClick = reader2.match(/List-Unsubscribe:[^\n]*<(https?:\/\/[^>]+\/u\/[A-Za-z0-9_-]+)>/)?.[1];
  const posted = await fetch(oneClick, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(posted.status, 200);
  assert.equal(psql(`SELECT m.status FROM list_membership m JOIN contact c ON c.id = m.contact_id WHERE c.email = 'reader2@example.org'`), 'unsubscribed');
  await page.goto(`${BASE}/campaigns`);
  await hydrated();
});

test('the list shows the finished campaign with its progress', async () => {
  await page.goto(`${BASE}/campaigns`);
  await hydrated();
  const id = psql("SELECT id FROM campaign WHERE name = 'November news'");
  assert.match(await page.textContent(`[data-testid=campaign-status-${id}]`), /Finished/);
  await shot('64-campaigns-list');
});

test('sending settings: the domain uses the bundled Postfix until a relay is set; a warm-up plan shows its cap', async () => {
  await page.goto(`${BASE}/sending`);
  await hydrated();
  await page.waitForSelector(`[data-testid="relay-${DOMAIN}"]`);
  assert.match(await page.textContent('body'), /Bundled Postfix/);
  await page.click(`[data-testid="warmup-${DOMAIN}"]`);
  await page.check('[data-testid=warmup-on]');
  await page.click('[data-testid=warmup-standard]');
  await page.click('[data-testid=warmup-save]');
  await toast(/saved/i);
  await page.waitForFunction(() => /cap today/.test(document.body.textContent));
  await shot('65-sending-settings');

  // Bounce handling: the soft-bounce rule is stored in bounce_policy, which the report intake
  // reads for every report.
  await page.fill('[data-testid=policy-soft-limit]', '5');
  await page.fill('[data-testid=policy-soft-days]', '30');
  await page.click('[data-testid=policy-save]');
  await toast(/Bounce handling saved/);
  assert.equal(psql('SELECT soft_bounce_limit FROM bounce_policy'), '5');
  assert.equal(psql('SELECT soft_bounce_days FROM bounce_policy'), '30');
  await shot('68-bounce-handling');
});
