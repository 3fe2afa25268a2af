// End-to-end: the mail/ templates rendered for loopback ports, real Postfix + Dovecot +
// Rspamd (Debian packages) against a PostgreSQL database with the 0002 schema.
//
//   cd /work/main && node --test end2end/mailstack/
//
// Env: MAIL_DATABASE_URL (default: a fresh database on postgres://postgres@127.0.0.1:5432,
// dropped at the end), MAIL_REDIS (127.0.0.1:6379), MAIL_REDIS_DB (0), MAIL_ARTIFACT_DIR
// (where the DKIM-signed message and public key are saved; default
// $TMPDIR/bm-mailstack-artifacts). Prints `FIGURE name=value` timing lines.
//
// Clients from 127.0.0.1 are the trusted network (Postfix mynetworks, Rspamd local_addrs);
// 127.0.0.2+ play outside clients. Failed logins come from their own addresses so Dovecot's
// per-IP auth penalty does not slow down the other steps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createScratchDatabase, psql } from './database.mjs';
import { verifyDkimSignature } from './dkim.mjs';
import { ImapClient, tryLogin } from './imap.mjs';
import { startApp } from './app.mjs';
import { freePort, roundcubeLogin, startRoundcube } from './roundcube.mjs';
import { createProvisioner, publicKeyPem } from './provision.mjs';
import { buildMessage, sendMail } from './smtp.mjs';
import { startStack } from './stack.mjs';

const DOMAIN = 'example.test';
const A = { user: `a@${DOMAIN}`, pass: 'Alpha-pass-123' };
const B = { user: `b@${DOMAIN}`, pass: 'Bravo-pass-456' };
const Q = { user: `q@${DOMAIN}`, pass: 'Quota-pass-789', quota: 20000 };
const TEAM = `team@${DOMAIN}`;
const BOUNCE_DOMAIN = `bounces.${DOMAIN}`;
const OUTSIDE = '127.0.0.2'; // an untrusted client
const GTUBE_REJECT = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const GTUBE_ADD_HEADER = 'YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const ARTIFACTS = process.env.MAIL_ARTIFACT_DIR || path.join(os.tmpdir(), 'billionmail-mailstack-artifacts');
export const DKIM_MESSAGE_FILE = path.join(ARTIFACTS, 'dkim-signed-message.eml');
export const DKIM_PUBLIC_KEY_FILE = path.join(ARTIFACTS, `${DOMAIN}.mail.pub.pem`);
export const FIGURES_FILE = path.join(ARTIFACTS, 'figures.txt');

const tStart = Date.now();
const figures = [];
const figure = (name, value) => figures.push(`FIGURE ${name}=${value}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const runId = Date.now().toString(36);

let db;
let stack;
let prov;
let app;
let webmail;
let dkimKey;
let lmtpPort;
let failed = false;
const shared = {};

/** A test step: timed (FIGURE mailstack_step_<name>_ms), failures flagged for the log dump. */
function step(name, fn) {
  test(name.replace(/_/g, ' '), async () => {
    const t = Date.now();
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      figure(`mailstack_step_${name}_ms`, Date.now() - t);
    }
  });
}

async function eventually(what, fn, timeoutMs = 15000, intervalMs = 200) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(intervalMs);
  }
}

async function withImap(user, fn, opts = {}) {
  const c = await ImapClient.connect({ port: stack.ports.imaps, ...opts });
  try {
    const r = await c.login(user.user, user.pass);
    assert.equal(r.status, 'OK', `IMAP login ${user.user}: ${r.text}`);
    return await fn(c);
  } finally {
    await c.logout();
  }
}

/** Waits until a message with this Subject is in the mailbox; returns its raw text. */
function waitForMessage(user, mailbox, subject, timeoutMs = 15000) {
  return eventually(`"${subject}" in ${user.user}/${mailbox}`, () => withImap(user, async (c) => {
    const sel = await c.select(mailbox);
    assert.equal(sel.status, 'OK', sel.text);
    const uids = await c.search(`HEADER Subject ${ImapClient.quote(subject)}`);
    if (uids.length === 0) return null;
    return { uid: uids[0], raw: await c.fetchRaw(uids[0]) };
  }), timeoutMs, 300);
}

const submit = (opts) => sendMail({ port: stack.ports.submission, tls: 'starttls', ...opts });
const header = (raw, name) => {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  return head.split(/\r?\n/).filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)).map((l) => l.slice(name.length + 1).trim());
};

/**
 * Verifies the DKIM signature of a saved raw message against the public key the engine
 * published. For now done in Node (dkim.mjs); to be replaced by the Rust verifier CLI.
 */
function verifyDkim(messageFile, publicKeyFile, expect) {
  return verifyDkimSignature(fs.readFileSync(messageFile, 'utf8'), fs.readFileSync(publicKeyFile, 'utf8'), expect);
}

/** `billionmail mail verify-dkim FILE` (mail-auth, keys from the database). */
function verifyDkimWithEngine(file) {
  return spawnSync(app.bin, ['mail', 'verify-dkim', file], { env: app.env, encoding: 'utf8' });
}

/** Whether Rspamd's log records learning this Message-ID as 'spam' or 'ham'. */
function rspamdLearned(messageId, kind) {
  const id = messageId.replace(/^<|>$/g, '');
  const log = fs.readFileSync(stack.logFiles.rspamd, 'utf8');
  return log.includes(`learned message as ${kind}: ${id}`);
}

before(async () => {
  let t = Date.now();
  db = process.env.MAIL_DATABASE_URL
    ? { url: process.env.MAIL_DATABASE_URL, drop: () => {}, external: true }
    : createScratchDatabase(process.env.MAIL_SERVER_URL || undefined);
  figure('mailstack_database_ms', Date.now() - t);

  t = Date.now();
  // Postfix hands reports for the bounce domain to the app's LMTP listener on this port.
  lmtpPort = await freePort();
  stack = await startStack({
    databaseUrl: db.url,
    bounceDomain: BOUNCE_DOMAIN,
    engineLmtp: `127.0.0.1:${lmtpPort}`,
    redis: process.env.MAIL_REDIS || '127.0.0.1:6379',
    redisDb: Number(process.env.MAIL_REDIS_DB || 0),
    rspamdTestPatterns: true,
    log: (l) => console.error(l),
  });
  figure('mailstack_start_ms', Date.now() - t);
  for (const [k, v] of Object.entries(stack.timings)) figure(`mailstack_start_${k}`, v);

  // RoundCube (Debian's roundcube-core under PHP's built-in server) on this stack's Dovecot
  // and Postfix; users reach it only through the app's /roundcube/ proxy.
  t = Date.now();
  webmail = await startRoundcube({
    dir: path.join(stack.dir, 'roundcube'), imapHost: '127.0.0.1', imapPort: stack.ports.imaps, imapTls: 'ssl',
    smtpPort: stack.ports.submission, smtpTls: 'starttls', tlsVerify: false,
  });
  figure('mailstack_roundcube_start_ms', Date.now() - t);

  t = Date.now();
  app = await startApp({
    databaseUrl: db.url, dkimDir: stack.dkim.dir, dkimGid: stack.dkim.gid, roundcubeUrl: webmail.url.replace(/\/$/, ''),
    logFile: path.join(stack.dir, 'log', 'billionmail.log'),
    // Campaigns go out through this stack's Postfix (trusted network, no login) and the
    // preflight asks this stack's Rspamd for a spam score.
    env: {
      BM_SMTP_RELAY: `127.0.0.1:${stack.ports.smtp}`,
      BM_RSPAMD: `127.0.0.1:${stack.ports.rspamdNormal}`,
      BM_BOUNCE_DOMAIN: BOUNCE_DOMAIN,
      BM_LMTP_LISTEN: `127.0.0.1:${lmtpPort}`,
    },
  });
  figure('mailstack_app_start_ms', Date.now() - t);

  // Provisioning goes through the product's own server functions (what the admin pages call).
  t = Date.now();
  prov = await createProvisioner({ baseUrl: app.url, admin: app.admin });
  if (db.external) await prov.removeDomain(DOMAIN);
  const domain = await prov.addDomain(DOMAIN);
  await prov.addMailbox(A.user, A.pass, 0);
  await prov.addMailbox(B.user, B.pass, 0);
  await prov.addMailbox(Q.user, Q.pass, Q.quota);
  await prov.addAlias(TEAM, [B.user]);
  // The engine generated the domain's DKIM key and wrote it where Rspamd reads it.
  const [p] = psql(db.url, `SELECT k.public_b64 FROM dkim_key k JOIN mail_domain d ON d.id = k.domain_id
                            WHERE d.name = :'d' AND k.selector = :'s'`, { d: DOMAIN, s: domain.dkim_selector });
  assert.ok(p, 'the domain has a stored DKIM key');
  dkimKey = { selector: domain.dkim_selector, publicKeyPem: publicKeyPem(p) };
  assert.ok(fs.existsSync(path.join(stack.dkim.dir, `${DOMAIN}.${dkimKey.selector}.key`)), 'key file for Rspamd');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(DKIM_PUBLIC_KEY_FILE, dkimKey.publicKeyPem);
  figure('mailstack_provision_ms', Date.now() - t);
});

after(async () => {
  if (app) await app.stop();
  if (webmail) await webmail.stop();
  if (stack) {
    if (failed) {
      console.error(`\n===== daemon logs (temp dir kept: ${stack.dir}) =====\n${stack.logTails(80)}`);
      const appLog = path.join(stack.dir, 'log', 'billionmail.log');
      if (fs.existsSync(appLog)) console.error(`===== billionmail =====\n${fs.readFileSync(appLog, 'utf8').slice(-4000)}`);
    }
    const { stop_ms } = await stack.stop({ keepDir: failed });
    figure('mailstack_stop_ms', stop_ms);
    // Nothing of this run may survive: no process refers to its temp dir.
    const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
    const left = ps.split('\n').filter((l) => l.includes(stack.dir));
    assert.deepEqual(left, [], 'daemons left running');
  }
  if (db) {
    if (db.external && prov) await prov.removeDomain(DOMAIN);
    db.drop();
  }
  figure('mailstack_total_ms', Date.now() - tStart);
  console.log(figures.join('\n'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(FIGURES_FILE, `${figures.join('\n')}\n`);
});

// ---------------------------------------------------------------------------------------

step('submission_auth_and_delivery_to_mailbox_and_alias', async () => {
  const t = Date.now();
  for (const [to, tag] of [[B.user, 'direct'], [TEAM, 'alias']]) {
    const subject = `hello ${tag} ${runId}`;
    const r = await submit({
      auth: A, from: A.user, to,
      message: buildMessage({ from: `Alice <${A.user}>`, to, subject, body: `Hi there, this is a ${tag} message.\n` }),
    });
    assert.ok(r.ok, `${tag}: ${r.stage} ${r.reply.code} ${r.reply.text}\n${r.transcript}`);
    shared[tag] = subject;
  }
  const direct = await waitForMessage(B, 'INBOX', shared.direct);
  const alias = await waitForMessage(B, 'INBOX', shared.alias);
  figure('mailstack_submit_to_imap_ms', Date.now() - t);
  assert.match(header(alias.raw, 'To')[0], /team@example\.test/);
  assert.deepEqual(header(direct.raw, 'Return-Path'), [`<${A.user}>`]);
  fs.writeFileSync(DKIM_MESSAGE_FILE, direct.raw);
  console.log(`ARTIFACT dkim_message=${DKIM_MESSAGE_FILE} public_key=${DKIM_PUBLIC_KEY_FILE}`);
});

step('dkim_signature_added_by_rspamd_verifies', async () => {
  assert.ok(fs.existsSync(DKIM_MESSAGE_FILE), 'no message saved by the delivery step');
  const raw = fs.readFileSync(DKIM_MESSAGE_FILE, 'utf8');
  const sig = header(raw, 'DKIM-Signature');
  assert.equal(sig.length, 1, 'one DKIM-Signature header');
  assert.match(sig[0], /\bd=example\.test;/);
  assert.match(sig[0], new RegExp(`\\bs=${dkimKey.selector};`));
  // mail-auth (the engine's verifier, `billionmail mail verify-dkim`) against the stored key.
  const cli = verifyDkimWithEngine(DKIM_MESSAGE_FILE);
  assert.equal(cli.status, 0, `verify-dkim: ${cli.stdout} ${cli.stderr}`);
  assert.match(cli.stdout, /"pass":true/);
  const tampered = path.join(ARTIFACTS, 'tampered.eml');
  fs.writeFileSync(tampered, raw.replace(/Hi there/, 'Hi then'));
  const bad = verifyDkimWithEngine(tampered);
  assert.notEqual(bad.status, 0, 'a changed body must fail mail-auth verification');
  assert.match(bad.stdout, /"pass":false/);
  // And an independent verifier (Node's crypto) agrees.
  const v = verifyDkim(DKIM_MESSAGE_FILE, DKIM_PUBLIC_KEY_FILE, { domain: DOMAIN, selector: dkimKey.selector });
  assert.ok(v.ok, v.reason);
  // The verifier is not a rubber stamp: a changed Subject or body fails.
  const key = fs.readFileSync(DKIM_PUBLIC_KEY_FILE, 'utf8');
  assert.equal(verifyDkimSignature(raw.replace(/^Subject: hello/m, 'Subject: HELLO'), key).ok, false);
  assert.equal(verifyDkimSignature(raw.replace(/Hi there/, 'Hi then'), key).ok, false);
});

step('quota_usage_reported_to_mail_quota_usage', async () => {
  const row = await eventually('mail_quota_usage row for b@', () => {
    const rows = psql(db.url, 'SELECT bytes, messages FROM mail_quota_usage WHERE username = :\'u\'', { u: B.user });
    if (rows.length !== 1) return null;
    const [bytes, messages] = rows[0].split('|').map(Number);
    return messages >= 2 ? { bytes, messages } : null;
  });
  assert.ok(row.bytes > 500, `bytes ${row.bytes}`);
});

step('trusted_network_sends_without_auth_and_is_dkim_signed', async () => {
  const subject = `campaign ${runId}`;
  const r = await sendMail({
    port: stack.ports.smtp, from: `news@${DOMAIN}`, to: B.user,
    message: buildMessage({ from: `News <news@${DOMAIN}>`, to: B.user, subject, body: 'Our newsletter.\n' }),
  });
  assert.ok(r.ok, `${r.stage} ${r.reply.code} ${r.reply.text}`);
  const { raw } = await waitForMessage(B, 'INBOX', subject);
  const v = verifyDkimSignature(raw, dkimKey.publicKeyPem, { domain: DOMAIN, selector: dkimKey.selector });
  assert.ok(v.ok, v.reason);
});

// A campaign sent by the engine through this stack's Postfix lands in the Dovecot mailbox
// with the engine's own DKIM signature (verified), the VERP bounce address, the RFC 8058
// unsubscribe headers and Feedback-ID; the unknown recipient's real 5.1.1 refusal from
// Postfix is stored on its ledger row. Preflight got a real score from this stack's Rspamd.
step('campaign_sent_through_postfix_lands_in_dovecot_dkim_verified', async () => {
  const t = Date.now();
  const api = prov.api;
  const stranger = `nobody-${runId}@${DOMAIN}`;
  // An alias whose target has no mailbox (the API refuses to make one, so it is written
  // directly, as a mailbox deleted behind an old alias would leave it): Postfix accepts the
  // alias, then bounces the rewritten address with a real DSN (5.1.1) to the campaign's VERP
  // address, which it hands to the app's LMTP listener.
  const ghost = `ghost-list-${runId}@${DOMAIN}`;
  psql(db.url, `WITH a AS (INSERT INTO mail_alias (domain_id, address, description)
                  SELECT id, :'a', 'dangling alias (mail-stack test)' FROM mail_domain WHERE name = :'d' RETURNING id)
                INSERT INTO mail_alias_target (alias_id, target) SELECT id, :'t' FROM a`,
  { a: ghost, d: DOMAIN, t: `ghost-${runId}@${DOMAIN}` });
  const [listId] = psql(db.url, `INSERT INTO contact_list (name, description) VALUES (:'n', 'mail-stack readers') RETURNING id`,
    { n: `Stack readers ${runId}` });
  for (const [email, name] of [[A.user, 'Alice'], [B.user, 'Bruno'], [stranger, 'Nobody'], [ghost, 'Ghost']]) {
    psql(db.url, `WITH c AS (INSERT INTO contact (email, name) VALUES (:'e', :'n')
                    ON CONFLICT DO NOTHING RETURNING id)
                  INSERT INTO list_membership (list_id, contact_id, status, consent_source)
                  SELECT :'l'::bigint, id, 'subscribed', 'mailstack' FROM c`, { e: email, n: name, l: listId });
  }
  const subject = `Stack news ${runId} for {{ name | default: "you" }}`;
  const campaign = await api.call('campaigns/create', {
    input: {
      name: `Stack campaign ${runId}`, from_name: 'Example News', from_email: `news@${DOMAIN}`, reply_to: '',
      subject, preheader: 'Sent by the engine through Postfix', template_id: null, document: null,
      html: `<!doctype html><html><body><h1>Hello {{ name | default: "there" }}</h1>
        <p>Campaign body ${runId}. <a href="https://www.example.com/notes">Read the notes</a></p>
        <p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>`,
      audience: { list_ids: [Number(listId)], segment_ids: [], exclude_list_ids: [], exclude_segment_ids: [] },
      track_opens: true, track_clicks: true, rate_per_minute: 0,
    },
  });
  const preflight = await api.call('campaigns/preflight', { id: campaign.id });
  const spam = preflight.checks.find((c) => c.key === 'spam_score');
  assert.ok(spam, 'preflight has a spam check');
  assert.notEqual(spam.status, 'skipped', `Rspamd was not asked: ${spam.detail}`);
  assert.match(spam.detail, /Rspamd scores the message/);
  assert.deepEqual(preflight.checks.filter((c) => c.status === 'fail').map((c) => `${c.key}: ${c.detail}`), []);
  await api.call('campaigns/start', { id: campaign.id });

  const progress = await eventually('campaign finished', async () => {
    const p = await api.call('campaigns/progress', { id: campaign.id });
    return p.status === 'finished' ? p : null;
  }, 30000, 250);
  const c = progress.counts;
  assert.equal(c.submitted + c.delivered + c.bounced, 3, JSON.stringify(c));
  assert.equal(c.failed, 1, JSON.stringify(c));
  const rows = psql(db.url, `SELECT email, state, smtp_code, smtp_status FROM delivery WHERE campaign_id = :'c' ORDER BY email`,
    { c: campaign.id });
  const byEmail = Object.fromEntries(rows.map((r) => { const [e, ...rest] = r.split('|'); return [e, rest]; }));
  assert.deepEqual(byEmail[stranger], ['failed', '550', '5.1.1'], 'Postfix refuses the unknown mailbox; its reply is kept');
  assert.ok(['submitted', 'delivered'].includes(byEmail[B.user][0]), byEmail[B.user].join('|'));
  assert.equal(byEmail[B.user][1], '250');

  const { raw } = await waitForMessage(B, 'INBOX', `Stack news ${runId} for Bruno`, 20000);
  figure('mailstack_campaign_start_to_imap_ms', Date.now() - t);
  assert.match(raw, new RegExp(`Campaign body ${runId}`));
  assert.match(header(raw, 'Return-Path')[0], new RegExp(`^<bounce\\+[a-z0-9]+@bounces\\.${DOMAIN.replace('.', '\\.')}>$`));
  assert.match(header(raw, 'List-Unsubscribe')[0], /<mailto:[^>]+>.*<https?:\/\/[^>]+>|<https?:\/\/[^>]+>.*<mailto:[^>]+>/);
  assert.deepEqual(header(raw, 'List-Unsubscribe-Post'), ['List-Unsubscribe=One-Click']);
  assert.equal(header(raw, 'Feedback-ID').length, 1);
  // The engine's signature (it covers List-Unsubscribe; Rspamd may add its own as well).
  const ours = header(raw, 'DKIM-Signature').filter((s) => /\bh=[^;]*list-unsubscribe/i.test(s));
  assert.equal(ours.length, 1, `one engine DKIM-Signature: ${header(raw, 'DKIM-Signature').join(' | ')}`);
  assert.match(ours[0], /\bd=example\.test;/);
  const file = path.join(ARTIFACTS, 'campaign-message.eml');
  fs.writeFileSync(file, raw);
  const cli = verifyDkimWithEngine(file);
  assert.equal(cli.status, 0, `verify-dkim: ${cli.stdout} ${cli.stderr}`);
  assert.ok(cli.stdout.trim().split('\n').every((l) => JSON.parse(l).pass === true), cli.stdout);
  const tampered = path.join(ARTIFACTS, 'campaign-tampered.eml');
  fs.writeFileSync(tampered, raw.replace(`Campaign body ${runId}`, `Campaign b0dy ${runId}`));
  assert.notEqual(verifyDkimWithEngine(tampered).status, 0, 'a changed body must fail verification');
  // Alice got her own personalised copy.
  await waitForMessage(A, 'INBOX', `Stack news ${runId} for Alice`, 20000);

  // Postfix's delivery status notifications came back through LMTP: success for the two
  // mailboxes (NOTIFY=SUCCESS), a hard bounce for the ghost alias, which is now suppressed.
  const ledger = () => Object.fromEntries(psql(db.url,
    `SELECT email, state, coalesce(dsn_status, ''), coalesce(bounce_class, ''), coalesce(bounce_reason, '')
       FROM delivery WHERE campaign_id = :'c'`, { c: campaign.id }).map((r) => { const [e, ...rest] = r.split('|'); return [e, rest]; }));
  const t2 = Date.now();
  const settled = await eventually('DSNs applied to the ledger', () => {
    const l = ledger();
    return l[A.user]?.[0] === 'delivered' && l[B.user]?.[0] === 'delivered' && l[ghost]?.[0] === 'bounced' ? l : null;
  }, 30000, 250);
  figure('mailstack_dsn_to_ledger_ms', Date.now() - t2);
  assert.match(settled[B.user][1], /^2\.\d\.\d$/, `success DSN status: ${settled[B.user].join('|')}`);
  assert.deepEqual(settled[ghost].slice(1), ['5.1.1', 'hard', 'userunknown'], settled[ghost].join('|'));
  assert.deepEqual(psql(db.url, `SELECT reason FROM suppression WHERE email = :'e' AND list_id IS NULL`, { e: ghost }), ['hard_bounce']);
  const reports = psql(db.url, `SELECT kind || ':' || outcome FROM inbound_report WHERE campaign_id = :'c' ORDER BY id`, { c: campaign.id });
  assert.ok(reports.some((r) => /^dsn:hard bounce: 5\.1\.1 userunknown/.test(r)), reports.join('\n'));
  // The report counters the dashboards read were kept by the same transactions.
  const [stats] = psql(db.url, `SELECT sum(submitted), sum(delivered), sum(bounced_hard), sum(failed)
                                  FROM campaign_stats_hourly WHERE campaign_id = :'c'`, { c: campaign.id });
  assert.equal(stats, '3|2|1|1');
  // The CLI reads the same stored report the same way.
  const [rawHex] = psql(db.url, `SELECT encode(raw, 'hex') FROM inbound_report WHERE campaign_id = :'c' AND kind = 'dsn'
                                 AND outcome LIKE 'hard%' LIMIT 1`, { c: campaign.id });
  const dsnFile = path.join(ARTIFACTS, 'ghost-dsn.eml');
  fs.writeFileSync(dsnFile, Buffer.from(rawHex, 'hex'));
  const parsed = spawnSync(app.bin, ['bounce', 'parse', dsnFile], { env: app.env, encoding: 'utf8' });
  assert.equal(parsed.status, 0, parsed.stderr);
  const row = JSON.parse(parsed.stdout.trim().split('\n')[0]);
  assert.equal(row.status, '5.1.1');
  assert.equal(row.class, 'hard');
  assert.match(row.recipient, /ghost/);
});

/** A POP3 session over implicit TLS: USER/PASS/STAT; returns the replies. */
async function pop3s(port, user, pass) {
  const sock = await new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(s));
    s.once('error', reject);
  });
  let buf = '';
  const waiters = [];
  sock.setEncoding('utf8');
  sock.on('data', (d) => { buf += d; while (waiters.length && buf.includes('\r\n')) waiters.shift()(); });
  const line = () => new Promise((resolve, reject) => {
    const take = () => { const i = buf.indexOf('\r\n'); const l = buf.slice(0, i); buf = buf.slice(i + 2); resolve(l); };
    if (buf.includes('\r\n')) take(); else waiters.push(take);
    setTimeout(() => reject(new Error('POP3 timeout')), 10000).unref();
  });
  const cmd = (c) => { sock.write(`${c}\r\n`); return line(); };
  try {
    return { greeting: await line(), user: await cmd(`USER ${user}`), pass: await cmd(`PASS ${pass}`), stat: await cmd('STAT') };
  } finally {
    sock.destroy();
  }
}

step('imap_starttls_pop3s_and_no_plaintext_login', async () => {
  // Plain IMAP port: no LOGIN before STARTTLS; with STARTTLS it works. (From another
  // address: Dovecot counts a connection from its own IP as secured.)
  const plain = await ImapClient.connect({ port: stack.ports.imap, tls: false, localAddress: OUTSIDE });
  try {
    assert.match(plain.greeting.text, /LOGINDISABLED/);
    const r = await plain.login(B.user, B.pass);
    assert.notEqual(r.status, 'OK', 'plaintext LOGIN without TLS must be refused');
  } finally {
    await plain.logout();
  }
  const starttls = await tryLogin({ port: stack.ports.imap, tls: 'starttls', localAddress: OUTSIDE, user: B.user, pass: B.pass });
  assert.ok(starttls.ok, starttls.text);
  const pop = await pop3s(stack.ports.pop3s, B.user, B.pass);
  assert.match(pop.greeting, /^\+OK/);
  assert.match(pop.pass, /^\+OK/, pop.pass);
  assert.match(pop.stat, /^\+OK [1-9]\d* \d+/, pop.stat);
});

step('wrong_password_refused_535', async () => {
  const r = await submit({ localAddress: '127.0.0.3', auth: { user: A.user, pass: 'wrong-password' }, from: A.user, to: B.user, message: buildMessage({ from: A.user, to: B.user, subject: 'x' }) });
  assert.equal(r.stage, 'auth');
  assert.equal(r.reply.code, 535, r.reply.text);
  assert.match(r.reply.text, /^5\.7\.8 /);
  const imap = await tryLogin({ port: stack.ports.imaps, localAddress: '127.0.0.5', user: A.user, pass: 'wrong-password' });
  assert.equal(imap.ok, false);
  assert.match(imap.text, /AUTHENTICATIONFAILED/);
});

step('submission_requires_tls_and_auth', async () => {
  const msg = buildMessage({ from: A.user, to: B.user, subject: 'x' });
  const noTls = await sendMail({ port: stack.ports.submission, localAddress: OUTSIDE, auth: A, from: A.user, to: B.user, message: msg });
  assert.equal(noTls.stage, 'auth');
  assert.equal(noTls.reply.code, 530, noTls.reply.text);
  const noAuth = await submit({ localAddress: OUTSIDE, from: 'someone@other.test', to: B.user, message: msg });
  assert.equal(noAuth.stage, 'rcpt');
  assert.equal(noAuth.reply.code, 554, noAuth.reply.text);
  // Implicit TLS (465-style) works with AUTH.
  const smtps = await sendMail({ port: stack.ports.smtps, tls: 'implicit', localAddress: OUTSIDE, auth: A, from: A.user, to: B.user, message: buildMessage({ from: A.user, to: B.user, subject: `smtps ${runId}` }) });
  assert.ok(smtps.ok, `${smtps.stage} ${smtps.reply.code} ${smtps.reply.text}`);
});

step('sender_login_mismatch_refused_553', async () => {
  for (const from of [B.user, 'ceo@other.test']) {
    for (const localAddress of [undefined, OUTSIDE]) {
      const r = await submit({ localAddress, auth: A, from, to: B.user, message: buildMessage({ from, to: B.user, subject: 'spoof' }) });
      assert.equal(r.stage, 'rcpt', `${from} from ${localAddress || '127.0.0.1'}: ${r.stage} ${r.reply.code}`);
      assert.equal(r.reply.code, 553, r.reply.text);
      assert.match(r.reply.text, /^5\.7\.1 .*not owned by user a@example\.test/);
    }
  }
  // B may send as team@ (an alias whose targets include B).
  const ok = await submit({ localAddress: OUTSIDE, auth: B, from: TEAM, to: A.user, message: buildMessage({ from: TEAM, to: A.user, subject: `from team ${runId}` }) });
  assert.ok(ok.ok, `${ok.stage} ${ok.reply.code} ${ok.reply.text}`);
});

step('inbound_smtp_rejects_relay_and_unknown_recipients', async () => {
  const msg = buildMessage({ from: 'x@other.test', to: 'y@elsewhere.test', subject: 'relay' });
  const relay = await sendMail({ port: stack.ports.smtp, localAddress: OUTSIDE, from: 'x@other.test', to: 'y@elsewhere.test', message: msg });
  assert.equal(relay.stage, 'rcpt');
  assert.equal(relay.reply.code, 554, relay.reply.text);
  assert.match(relay.reply.text, /Relay access denied/);
  const unknown = await sendMail({ port: stack.ports.smtp, localAddress: OUTSIDE, from: 'x@other.test', to: `nobody@${DOMAIN}`, message: msg });
  assert.equal(unknown.stage, 'rcpt');
  assert.equal(unknown.reply.code, 550, unknown.reply.text);
  const subject = `inbound ${runId}`;
  const inbound = await sendMail({ port: stack.ports.smtp, localAddress: OUTSIDE, from: 'x@other.test', to: TEAM, message: buildMessage({ from: 'x@other.test', to: TEAM, subject }) });
  assert.ok(inbound.ok, `${inbound.stage} ${inbound.reply.code} ${inbound.reply.text}`);
  await waitForMessage(B, 'INBOX', subject);
});

step('gtube_rejected_554', async () => {
  const r = await sendMail({
    port: stack.ports.smtp, localAddress: OUTSIDE, from: 'spammer@other.test', to: B.user,
    message: buildMessage({ from: 'spammer@other.test', to: B.user, subject: 'GTUBE', body: `Spam.\n${GTUBE_REJECT}\n` }),
  });
  assert.equal(r.stage, 'data');
  assert.equal(r.reply.code, 554, r.reply.text);
  assert.match(r.reply.text, /^5\.7\.1 /);
});

step('add_header_spam_filed_into_junk', async () => {
  const subject = `probably spam ${runId}`;
  const body = `Cheap watches and amazing offers for your business today, run ${runId}. Buy now, limited offer, click below to claim the prize money waiting for you.\n${GTUBE_ADD_HEADER}\n`;
  const r = await sendMail({
    port: stack.ports.smtp, localAddress: OUTSIDE, from: 'spammer@other.test', to: B.user,
    message: buildMessage({ from: 'spammer@other.test', to: B.user, subject, body }),
  });
  assert.ok(r.ok, `${r.stage} ${r.reply.code} ${r.reply.text}`);
  const { raw } = await waitForMessage(B, 'Junk', subject);
  assert.deepEqual(header(raw, 'X-Spam'), ['Yes']);
  shared.junkSubject = subject;
  [shared.junkMessageId] = header(raw, 'Message-ID');
});

step('moving_into_and_out_of_junk_trains_rspamd_bayes', async () => {
  assert.ok(shared.junkSubject, 'needs the message filed into Junk');
  const move = (from, to) => withImap(B, async (c) => {
    await c.select(from);
    const [uid] = await c.search(`HEADER Subject ${ImapClient.quote(shared.junkSubject)}`);
    assert.ok(uid, `message in ${from}`);
    const r = await c.move(uid, to);
    assert.equal(r.status, 'OK', r.text);
  });
  // Out of Junk: imapsieve runs `rspamc learn_ham` against the controller (with password).
  await move('Junk', 'INBOX');
  await eventually('rspamd learning ham', () => rspamdLearned(shared.junkMessageId, 'ham'), 10000);
  // Back into Junk: `rspamc learn_spam`.
  await move('INBOX', 'Junk');
  await eventually('rspamd learning spam', () => rspamdLearned(shared.junkMessageId, 'spam'), 10000);
});

step('over_quota_recipient_refused_552_at_rcpt', async () => {
  const small = await sendMail({ port: stack.ports.smtp, localAddress: OUTSIDE, from: 'x@other.test', to: Q.user, message: buildMessage({ from: 'x@other.test', to: Q.user, subject: 'small' }) });
  assert.ok(small.ok, `under quota: ${small.stage} ${small.reply.code} ${small.reply.text}`);
  const message = buildMessage({ from: 'x@other.test', to: Q.user, subject: 'big', body: `${'z'.repeat(76)}\n`.repeat(Math.ceil((Q.quota * 2) / 77)) });
  const big = await sendMail({ port: stack.ports.smtp, localAddress: OUTSIDE, from: 'x@other.test', to: Q.user, size: Buffer.byteLength(message), message });
  assert.equal(big.stage, 'rcpt', `${big.stage} ${big.reply.code} ${big.reply.text}`);
  assert.equal(big.reply.code, 552, big.reply.text);
  assert.match(big.reply.text, /^5\.2\.2 /);
});

step('new_mailbox_logs_in_over_imap_at_once', async () => {
  const user = { user: `new-${runId}@${DOMAIN}`, pass: 'Fresh-Mailbox-77' };
  const t = Date.now();
  await prov.addMailbox(user.user, user.pass, 0);
  let attempts = 0;
  await eventually('first IMAP login', async () => {
    attempts += 1;
    return (await tryLogin({ port: stack.ports.imaps, user: user.user, pass: user.pass })).ok;
  }, 10000, 50);
  figure('mailstack_create_to_first_imap_login_ms', Date.now() - t);
  figure('mailstack_create_to_first_imap_login_attempts', attempts);
});

step('bad_input_is_refused_by_the_api_with_a_clear_error', async () => {
  const refused = async (endpoint, body, pattern) => {
    await assert.rejects(prov.api.call(endpoint, body), (e) => e.status === 422 && pattern.test(e.body), `${endpoint} ${JSON.stringify(body)}`);
  };
  await refused('mail/domains/create', { input: { name: 'not a domain', description: '', active: true, max_mailboxes: 0, default_quota_bytes: 0, total_quota_bytes: 0, catch_all: null } }, /not a valid domain/);
  await refused('mail/mailboxes/create', { input: { address: A.user.toUpperCase(), display_name: '', quota_bytes: 0, active: true, password: 'Another-Pass-99' } }, /already used by a mailbox/);
  await prov.addAlias(`loop1@${DOMAIN}`, [TEAM]);
  await refused('mail/aliases/update', { address: TEAM, input: { address: TEAM, targets: [`loop1@${DOMAIN}`], description: '', active: true } }, /loop/);
  // Nothing half-written: team@ still delivers to b@ only.
  const rows = psql(db.url, 'SELECT goto FROM mail_aliases WHERE address = :\'a\'', { a: TEAM });
  assert.deepEqual(rows, [B.user]);
});

step('roundcube_login_through_the_app_proxy', async () => {
  const t = Date.now();
  const good = await roundcubeLogin(`${app.url}/roundcube/`, B.user, B.pass);
  figure('mailstack_roundcube_login_ms', Date.now() - t);
  assert.ok(good.ok, `RoundCube login as b@: status ${good.status} at ${good.url}`);
  const bad = await roundcubeLogin(`${app.url}/roundcube/`, B.user, 'not-the-password');
  assert.equal(bad.ok, false, 'a wrong password must not open webmail');
  // The admin's session cookie is not valid for RoundCube, nor does RoundCube set it.
  assert.ok(!(good.cookies || []).some((c) => String(c).startsWith('bm_session=')), 'no admin cookie from webmail');
});

step('disabled_mailbox_cannot_log_in_within_5s', async () => {
  const ok = await tryLogin({ port: stack.ports.imaps, user: A.user, pass: A.pass });
  assert.ok(ok.ok, `A logs in while enabled: ${ok.text}`);
  const t = Date.now();
  await prov.setMailboxActive(A.user, false);
  let attempts = 0;
  await eventually('login refused', async () => {
    attempts += 1;
    const r = await tryLogin({ port: stack.ports.imaps, localAddress: '127.0.0.4', user: A.user, pass: A.pass });
    return !r.ok;
  }, 10000, 100);
  const ms = Date.now() - t;
  figure('mailstack_disable_to_login_refused_ms', ms);
  figure('mailstack_disable_login_attempts', attempts);
  assert.ok(ms < 5000, `login still possible ${ms} ms after disabling`);
});
