// Campaign analytics in a real browser: a finished campaign is seeded straight into the
// database (40 recipients moved through the ledger by UPDATEs and opens, clicks and an
// unsubscribe inserted as events, so the real triggers fill the rollups), then the Overview's
// "Campaign performance" shows the right KPI figures, their definitions and a drawn chart,
// and the campaign report's delivery log explains a Spamhaus block, groups failures by reason
// and exports CSV. It runs after send-campaigns (file order: "sent-" sorts after "send-"),
// whose finished campaign is part of the all-campaigns totals. Screenshots: end2end/screenshots/70-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { launchChromium, signIn } from '../lib/browser.mjs';
import { pageTools } from '../lib/screens.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
const USER = 'analytics-admin';
const PASSWORD = 'Meadow-Copper-Violet-83';
let browser;
let page;
let campaignId;

const { shot, hydrated, shotDark } = pageTools(() => page, SHOTS);

function psql(sql) {
  const r = spawnSync('psql', ['-qtA', '-v', 'ON_ERROR_STOP=1', process.env.E2E_DATABASE_URL, '-c', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** Rendered text of an element (table cells apart, hidden tooltips left out) with whitespace,
 * no-break spaces of big numbers too, collapsed. */
async function text(selector) {
  return (await page.innerText(selector)).replace(/\s+/g, ' ').trim();
}

/** "78.9 %" as the KPI cards print a rate. */
const pct = (part, whole) => `${((part / whole) * 100).toFixed(1)} %`;

/** Seeds the campaign: 38 accepted (30 delivered, 3 bounced, 1 complaint), 2 refused. */
function seed() {
  campaignId = Number(psql(`INSERT INTO campaign (name, status, from_name, from_email, subject, sent_at, finished_at)
    VALUES ('Spring analytics', 'finished', 'Seed', 'news@seed.bm-e2e.test', 'Spring news', now() - interval '2 hours',
            now() - interval '1 hour') RETURNING id`));
  const id = campaignId;
  psql(`INSERT INTO campaign_link (campaign_id, idx, url) VALUES
    (${id}, 0, 'https://www.example.com/spring'), (${id}, 1, 'https://www.example.com/pricing')`);
  // contact_id holds the recipient number (no foreign key), so the UPDATEs below can pick rows.
  psql(`INSERT INTO delivery (campaign_id, contact_id, email, state, provider)
    SELECT ${id}, g, 'seed' || g || '@' || (ARRAY['gmail.com', 'outlook.com', 'yahoo.com', 'example.org'])[g % 4 + 1],
           'queued', (ARRAY['gmail', 'microsoft', 'yahoo', 'other'])[g % 4 + 1]
    FROM generate_series(1, 40) g`);
  // Each statement is one ledger change the delivery trigger counts.
  psql(`UPDATE delivery SET state = 'submitted', submitted_at = now() - interval '90 minutes', smtp_code = 250,
    smtp_status = '2.0.0', smtp_reply = '2.0.0 Ok: queued as ' || contact_id
    WHERE campaign_id = ${id} AND contact_id <= 38`);
  psql(`UPDATE delivery SET state = 'failed', smtp_code = 550, smtp_status = '5.7.1',
    smtp_reply = '5.7.1 Relay access denied', reason = 'relay refused'
    WHERE campaign_id = ${id} AND contact_id IN (39, 40)`);
  psql(`UPDATE delivery SET state = 'delivered', dsn_action = 'delivered', dsn_status = '2.0.0',
    remote_mta = 'mx.' || split_part(email, '@', 2), bounce_class = 'delivered', bounce_reason = 'delivered',
    reported_at = submitted_at + contact_id * interval '1 second'
    WHERE campaign_id = ${id} AND contact_id <= 30`);
  psql(`UPDATE delivery SET state = 'bounced', dsn_action = 'failed', reported_at = submitted_at + interval '4 minutes',
    remote_mta = CASE contact_id WHEN 32 THEN 'mx.example.org' ELSE 'mx.' || split_part(email, '@', 2) END,
    bounce_class = CASE contact_id WHEN 33 THEN 'soft' ELSE 'hard' END,
    bounce_reason = CASE contact_id WHEN 31 THEN 'userunknown' WHEN 32 THEN 'blocked' ELSE 'mailboxfull' END,
    dsn_status = CASE contact_id WHEN 31 THEN '5.1.1' WHEN 32 THEN '5.7.1' ELSE '4.2.2' END,
    diagnostic = CASE contact_id
      WHEN 31 THEN '550 5.1.1 <' || email || '>: Recipient address rejected: User unknown'
      WHEN 32 THEN '5.7.1 Service unavailable; client [192.0.2.10] blocked using zen.spamhaus.org'
      ELSE '452 4.2.2 Mailbox full' END
    WHERE campaign_id = ${id} AND contact_id IN (31, 32, 33)`);
  psql(`UPDATE delivery SET state = 'complained', bounce_class = 'complaint', bounce_reason = 'feedback',
    reported_at = submitted_at + interval '1 hour' WHERE campaign_id = ${id} AND contact_id = 34`);
  // Opens: 12 people (3 of them twice), 8 machine opens; clicks: 5 people on link 0, 2 repeat
  // clicks on link 1, one scanner click; one unsubscribe. One INSERT: one trigger run.
  psql(`SELECT ensure_campaign_event_partition(now())`);
  psql(`INSERT INTO campaign_event (occurred_at, campaign_id, delivery_id, kind, machine, first_any, first_human, link_index)
    SELECT now() - interval '30 minutes', d.campaign_id, d.id, e.kind, e.machine, e.first_any, e.first_human, e.link
    FROM delivery d JOIN (VALUES
      ('open', false, true, true, NULL::int, 1, 12), ('open', false, false, false, NULL, 1, 3),
      ('open', true, true, false, NULL, 13, 20),
      ('click', false, true, true, 0, 1, 5), ('click', false, false, false, 1, 1, 2),
      ('click', true, true, false, 0, 21, 21),
      ('unsubscribe', false, true, true, NULL, 6, 6)
    ) AS e(kind, machine, first_any, first_human, link, lo, hi) ON d.contact_id BETWEEN e.lo AND e.hi
    WHERE d.campaign_id = ${id}`);
}

before(async () => {
  assert.ok(BASE, 'BASE_URL must point at a running billionmail');
  const env = { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL };
  const made = spawnSync(process.env.BM_BIN, ['admin', 'create', USER, '--password-stdin'], { env, input: `${PASSWORD}\n`, encoding: 'utf8' });
  assert.ok(made.status === 0 || /already exists/.test(made.stderr), made.stderr);
  seed();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(page, BASE, USER, PASSWORD, '/');
});

after(async () => {
  await browser?.close();
});

test('the rollups hold what the triggers counted', () => {
  const row = psql(`SELECT sum(submitted), sum(failed), sum(delivered), sum(bounced_hard), sum(bounced_soft), sum(complained),
      sum(opens_human), sum(opens_machine), sum(unique_opens_human), sum(clicks_human), sum(unique_clicks_human), sum(unsubscribed)
    FROM campaign_stats_hourly WHERE campaign_id = ${campaignId}`);
  assert.equal(row, '38|2|30|2|1|1|15|8|12|7|5|1');
});

test('overview: KPI cards of one campaign show the right figures, with definitions', async () => {
  await page.goto(`${BASE}/?campaign=${campaignId}`);
  await hydrated();
  await page.waitForSelector('[data-testid=analytics-section] [data-testid=kpi-sent]');
  const kpi = (key) => text(`[data-testid=kpi-value-${key}]`);
  assert.equal(await kpi('sent'), '38');
  assert.equal(await kpi('delivered'), '30');
  assert.equal(await kpi('deliverability'), pct(30, 38));
  assert.equal(await kpi('bounce-rate'), pct(3, 38));
  assert.match(await text('[data-testid=kpi-bounce-rate]'), new RegExp(`hard ${pct(2, 38)} · soft ${pct(1, 38)}`));
  assert.equal(await kpi('open-rate'), pct(12, 30));
  assert.match(await text('[data-testid=kpi-open-rate]'), new RegExp(`machine ${pct(8, 23)} of opens`));
  assert.equal(await kpi('click-rate'), pct(5, 30));
  assert.equal(await kpi('click-to-open'), pct(5, 12));
  assert.equal(await kpi('unsubscribe-rate'), pct(1, 30));
  assert.equal(await kpi('complaint-rate'), pct(1, 30));
  // The ⓘ shows the formula on hover and on keyboard focus.
  await page.hover('[data-testid=kpi-info-open-rate]');
  await page.waitForSelector('#kpi-tip-open-rate', { state: 'visible' });
  assert.match(await text('#kpi-tip-open-rate'), /Unique human opens ÷ delivered messages.*Apple Mail Privacy Protection/);
  await page.mouse.move(0, 0);
  await page.focus('[data-testid=kpi-info-click-to-open]');
  await page.waitForSelector('#kpi-tip-click-to-open', { state: 'visible' });
  // Providers and the campaign's top links.
  const gmail = psql(`SELECT sum(submitted) FROM campaign_stats_hourly WHERE campaign_id = ${campaignId} AND provider = 'gmail'`);
  assert.match(await text('[data-testid=provider-table] tr[data-provider=gmail]'), new RegExp(`^Gmail ${gmail} `));
  assert.match(await text('[data-testid=top-links]'), /example\.com\/spring 5 5 1/);
});

test('overview: the activity chart is drawn and the range presets change the URL', async () => {
  const canvas = '[data-testid=analytics-series-chart] canvas';
  await page.waitForSelector(canvas, { timeout: 15_000 });
  const painted = await page.$eval(canvas, (c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return c.width > 0 && c.height > 0;
    return false;
  });
  assert.ok(painted, 'ECharts drew something on the canvas');
  await page.click('[data-testid=range-7d]');
  await page.waitForURL(/range=7d/);
  await page.waitForFunction(() => document.querySelector('[data-testid=range-7d]')?.getAttribute('aria-pressed') === 'true');
  assert.equal(await text('[data-testid=kpi-value-sent]'), '38');
  await page.waitForSelector(canvas);
  await page.waitForTimeout(800); // the chart's entry animation
  await shot('70-overview-analytics');
  await shotDark('70b-overview-analytics-dark');
});

test('overview: all campaigns add up, and an empty period says what to do', async () => {
  await page.goto(`${BASE}/`);
  await hydrated();
  await page.waitForSelector('[data-testid=kpi-value-sent]');
  const all = psql(`SELECT sum(submitted) FROM campaign_stats_hourly WHERE hour >= now() - interval '29 days'`);
  assert.equal((await text('[data-testid=kpi-value-sent]')).replace(/\D/g, ''), all);
  await page.goto(`${BASE}/?range=custom&from=2020-01-01&to=2020-01-02`);
  await hydrated();
  await page.waitForSelector('[data-testid=analytics-empty]');
  assert.match(await text('[data-testid=analytics-empty]'), /No campaign has been sent in this period.*Campaigns/);
});

test('campaign report: the delivery log explains a Spamhaus block in a tooltip', async () => {
  await page.goto(`${BASE}/campaigns/${campaignId}`);
  await hydrated();
  await page.waitForSelector('[data-testid=delivery-log] [data-testid=delivery-row]');
  assert.equal(await page.locator('[data-testid=delivery-row]').count(), 25);
  assert.match(await text('[data-testid=log-summary]'), /1–25 of 40/);
  await page.selectOption('[data-testid=log-state]', 'bounced');
  await page.waitForURL(/log_state=bounced/);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=delivery-row]').length === 3);
  const row = page.locator('[data-testid=delivery-row]', { hasText: 'seed32@' });
  await row.locator('[data-testid=failure-badge]').hover();
  const tip = row.locator('[data-testid=failure-tooltip]');
  await tip.waitFor({ state: 'visible' });
  const said = (await tip.textContent()).replace(/\s+/g, ' ');
  assert.match(said, /Spamhaus/);
  assert.match(said, /Blacklist/);
  assert.match(said, /zen\.spamhaus\.org/);
  assert.match(said, /Reported by mx\.example\.org after 4 min/);
  assert.equal(await tip.locator('a').getAttribute('href'), '/blocklists');
  // A viewport shot around the row: a full-page one would move the hover and the sidebar.
  await page.screenshot({ path: `${SHOTS}71-delivery-failure-tooltip.png` });
});

test('campaign report: failures grouped by reason and by domain; CSV export of the log', async () => {
  await page.click('[data-testid=tab-by-reason]');
  await page.waitForSelector('[data-testid=group-by-reason]');
  const reasons = await page.$$eval('[data-testid=group-by-reason] tr[data-reason]', (rows) => rows.map((r) => r.dataset.reason));
  assert.deepEqual([...reasons].sort(), ['blocked', 'feedback', 'mailboxfull', 'undetermined', 'userunknown']);
  assert.match(await text('[data-testid=group-by-reason] tr[data-reason=undetermined]'), /failed undetermined .* 2 /);
  await page.click('[data-testid=tab-by-domain]');
  await page.waitForSelector('[data-testid=group-by-domain] tr[data-domain="example.org"]');
  const exportHref = await page.getAttribute('[data-testid=delivery-export]', 'href');
  assert.equal(exportHref, `/api/campaigns/${campaignId}/deliveries.csv?state=bounced`);
  const csv = await page.evaluate(async (href) => {
    const all = await fetch(href.split('?')[0]);
    const bounced = await fetch(href);
    return { type: all.headers.get('content-type'), all: await all.text(), bounced: await bounced.text() };
  }, exportHref);
  assert.match(csv.type, /^text\/csv/);
  const lines = csv.all.trim().split('\n');
  assert.equal(lines.length, 41, 'header and 40 recipients');
  assert.match(lines[0], /^email,state,provider,smtp_code/);
  assert.equal(csv.bounced.trim().split('\n').length, 4);
  assert.match(csv.bounced, /Sending IP listed on Spamhaus/);
});
