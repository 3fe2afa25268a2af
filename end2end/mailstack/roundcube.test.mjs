// RoundCube on its own: a throwaway Dovecot (passwd-file, ARGON2ID) on loopback, RoundCube from
// Debian's package behind PHP's built-in server, and the login over HTTP, directly and behind a
// /roundcube/ prefix proxy like BillionMail's; plus the login page and mailbox in headless
// Chromium (skipped when /usr/bin/chromium is missing). Leaves no processes behind.
//
//   cd /work/main && node --test end2end/mailstack/roundcube.test.mjs
//
// Screenshots: $BM_SCREENSHOT_DIR (default /tmp/roundcube-screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort, killOnExit, roundcubeLogin, startPrefixProxy, startRoundcube, stopProcessGroup,
} from './roundcube.mjs';

const USER = 'alice@example.test';
const PASSWORD = 'Tidewater-Lantern-2026';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.BM_SCREENSHOT_DIR || '/tmp/roundcube-screenshots';

let work;
let dovecot;
let rc; // plain IMAP
let rcTls; // implicit-TLS IMAP
let rcStartTls; // IMAP with STARTTLS
const proxies = [];

/** Waits for an IMAP greeting on 127.0.0.1:port (plain TCP). */
async function waitForImap(port, child, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode})`);
    const greeting = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = '';
      s.setTimeout(1000, () => { s.destroy(); resolve(''); });
      s.on('data', (d) => { buf += d; if (buf.includes('\n')) { s.destroy(); resolve(buf); } });
      s.on('error', () => resolve(''));
    });
    if (greeting.startsWith('* OK')) return;
    await sleep(100);
  }
  throw new Error(`no IMAP greeting on port ${port}`);
}

/**
 * A throwaway Dovecot on 127.0.0.1: IMAP on `port`, implicit-TLS IMAP on `tlsPort` (self-signed
 * certificate), one passwd-file user with an ARGON2ID hash, maildirs under `dir`.
 * Runs as the current user (root or not) in its own process group.
 */
async function startTestDovecot({ dir, users }) {
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  mkdirSync(join(dir, 'run'), { recursive: true });
  mkdirSync(join(dir, 'state'), { recursive: true });
  mkdirSync(join(dir, 'mail'), { recursive: true });
  const port = await freePort();
  const tlsPort = await freePort();
  const lines = [];
  for (const [user, password] of Object.entries(users)) {
    const pw = spawnSync('doveadm', ['pw', '-s', 'ARGON2ID', '-p', password], { encoding: 'utf8' });
    assert.equal(pw.status, 0, `doveadm pw: ${pw.stderr}`);
    lines.push(`${user}:${pw.stdout.trim()}`);
  }
  // Dovecot's auth process runs as the unprivileged "dovecot" user when started as root: it
  // must reach the passwd-file (throwaway hashes of a throwaway user).
  writeFileSync(join(dir, 'users'), `${lines.join('\n')}\n`, { mode: 0o644 });
  const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
  assert.equal(ssl.status, 0, `openssl: ${ssl.stderr}`);

  // Mail is owned by the current user, or by "nobody" when that is root (Dovecot refuses uid 0).
  const me = userInfo();
  const asRoot = me.uid === 0;
  const username = me.username;
  const group = asRoot ? '' : spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
  const uid = asRoot ? 65534 : me.uid;
  const gid = asRoot ? 65534 : me.gid;
  chownSync(join(dir, 'mail'), uid, gid);
  const conf = `# throwaway Dovecot for roundcube.test.mjs
instance_name = bm-rc-test-${process.pid}
base_dir = ${dir}/run
state_dir = ${dir}/state
listen = 127.0.0.1
protocols = imap
log_path = ${dir}/dovecot.log
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = ${uid}
first_valid_gid = ${gid}
${asRoot ? '' : `default_login_user = ${username}\ndefault_internal_user = ${username}\ndefault_internal_group = ${group}\n`}
passdb {
  driver = passwd-file
  args = scheme=ARGON2ID ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
${asRoot ? '' : '  chroot =\n  user = $default_login_user\n'}}
${asRoot ? '' : 'service anvil {\n  chroot =\n}\nservice auth {\n  user = $default_internal_user\n}\n'}
service imap {
  process_limit = 20
}
`;
  const confFile = join(dir, 'dovecot.conf');
  writeFileSync(confFile, conf);
  const child = spawn('dovecot', ['-c', confFile, '-F'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  killOnExit(child);
  const stop = () => stopProcessGroup(child);
  try {
    await waitForImap(port, child);
  } catch (err) {
    await stop();
    const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '';
    throw new Error(`${err.message}\n${output}\n${log.slice(-2000)}`);
  }
  return { port, tlsPort, pid: child.pid, stop, log: join(dir, 'dovecot.log') };
}

/** The processes of a group that are still there (ps, no /proc walking of others). */
function groupMembers(pgid) {
  const ps = spawnSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' });
  return ps.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'bm-roundcube-'));
  chmodSync(work, 0o711);
  dovecot = await startTestDovecot({ dir: join(work, 'dovecot'), users: { [USER]: PASSWORD } });
  rc = await startRoundcube({ dir: join(work, 'rc'), imapHost: '127.0.0.1', imapPort: dovecot.port });
  rcTls = await startRoundcube({
    dir: join(work, 'rc-tls'), imapHost: '127.0.0.1', imapPort: dovecot.tlsPort, imapTls: 'ssl', tlsVerify: false,
  });
  rcStartTls = await startRoundcube({
    dir: join(work, 'rc-starttls'), imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: true,
  });
});

after(async () => {
  const groups = [];
  for (const p of proxies) await p.stop();
  for (const r of [rc, rcTls, rcStartTls]) if (r) await r.stop();
  if (dovecot) { groups.push(dovecot.pid); await dovecot.stop(); }
  for (const g of groups) assert.deepEqual(groupMembers(g), [], `process group ${g} is gone`);
  if (work && !process.env.BM_KEEP_TMP) rmSync(work, { recursive: true, force: true });
});

test('the login page is BillionMail Webmail with the elastic skin, assets under relative URLs', async () => {
  const res = await fetch(rc.url);
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.match(html, /<title>BillionMail Webmail/);
  assert.match(html, /name="_token" value="[A-Za-z0-9]+"/);
  assert.match(html, /href="skins\/elastic\/styles\/styles\.min\.css\?s=\d+"/);
  assert.match(html, /action="\.\/\?_task=login"/);
  const css = await fetch(new URL('skins/elastic/styles/styles.min.css', rc.url));
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /text\/css/);
  // nothing but assets and index.php is served
  for (const p of ['SQL/sqlite.initial.sql', 'program/include/iniset.php', 'plugins/jqueryui/jqueryui.php', 'config/config.inc.php']) {
    assert.equal((await fetch(new URL(p, rc.url))).status, 404, p);
  }
});

test('login with the right password lands in the mailbox', async () => {
  const r = await roundcubeLogin(rc.url, USER, PASSWORD);
  assert.equal(r.ok, true, `status ${r.status} at ${r.url}`);
  assert.match(r.location, /^\.\/\?_task=mail/);
  assert.ok(r.cookies.some((c) => c.name === 'roundcube_sessauth' && c.path === '/'));
});

test('login with a wrong password is refused', async () => {
  const r = await roundcubeLogin(rc.url, USER, 'not-the-password');
  assert.equal(r.ok, false);
  assert.equal(r.status, 401);
  assert.match(r.page, /Login failed/);
  assert.ok(!r.cookies.some((c) => c.name === 'roundcube_sessauth'));
});

test('login over implicit-TLS IMAP (self-signed, verification off)', async () => {
  const r = await roundcubeLogin(rcTls.url, USER, PASSWORD);
  assert.equal(r.ok, true, `status ${r.status} at ${r.url}`);
});

test('login over IMAP with STARTTLS (imapTls: true on a port other than 993)', async () => {
  const conf = readFileSync(join(rcStartTls.configDir, 'config.inc.php'), 'utf8');
  assert.match(conf, /\$bm_scheme\('starttls'\)/);
  const r = await roundcubeLogin(rcStartTls.url, USER, PASSWORD);
  assert.equal(r.ok, true, `status ${r.status} at ${r.url}`);
});

test('behind a /roundcube/ prefix proxy that sends X-Forwarded-Prefix: URLs and cookies stay under the prefix', async () => {
  const proxy = await startPrefixProxy({ target: rc.url, prefix: '/roundcube' });
  proxies.push(proxy);
  const page = await (await fetch(proxy.url)).text();
  assert.match(page, /action="\/roundcube\/\?_task=login"/);
  const r = await roundcubeLogin(proxy.url, USER, PASSWORD);
  assert.equal(r.ok, true, `status ${r.status} at ${r.url}`);
  assert.match(r.location, /^\/roundcube\/\?_task=mail/);
  assert.ok(r.url.startsWith(proxy.url));
  const names = r.cookies.map((c) => `${c.name}@${c.path}`);
  assert.ok(r.cookies.length > 0 && r.cookies.every((c) => c.path === '/roundcube/'), names.join(' '));
  const bad = await roundcubeLogin(proxy.url, USER, 'wrong');
  assert.equal(bad.ok, false);
});

test('behind a /roundcube/ prefix proxy without X-Forwarded-Prefix: relative URLs still work', async () => {
  const proxy = await startPrefixProxy({ target: rc.url, prefix: '/roundcube', forwardedPrefix: false });
  proxies.push(proxy);
  const r = await roundcubeLogin(proxy.url, USER, PASSWORD);
  assert.equal(r.ok, true, `status ${r.status} at ${r.url}`);
  assert.ok(r.url.startsWith(proxy.url), r.url);
});

test('in headless Chromium: the skinned login page, then the mailbox behind the prefix', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM}` }, async () => {
  const { chromium } = await import('playwright-core');
  mkdirSync(SHOTS, { recursive: true });
  const proxy = await startPrefixProxy({ target: rc.url, prefix: '/roundcube' });
  proxies.push(proxy);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const failed = [];
    page.on('response', (res) => { if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`); });
    await page.goto(proxy.url, { waitUntil: 'networkidle' });
    assert.equal(await page.title(), 'BillionMail Webmail :: Welcome to BillionMail Webmail');
    // elastic's stylesheet is applied: Roboto body font, the login form laid out in its box
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.match(font, /Roboto/);
    assert.ok(await page.isVisible('#login-form #rcmloginuser'));
    assert.ok(await page.isVisible('#layout'));
    await page.screenshot({ path: join(SHOTS, 'roundcube-login.png') });

    await page.fill('#rcmloginuser', USER);
    await page.fill('#rcmloginpwd', PASSWORD);
    await Promise.all([page.waitForURL(/\/roundcube\/\?_task=mail/), page.click('#rcmloginsubmit')]);
    await page.waitForSelector('#messagelist', { state: 'attached' });
    await page.waitForSelector('#mailboxlist li.inbox');
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('#messagestack .error').count(), 0, await page.textContent('#messagestack'));
    assert.match(await page.textContent('.header-title.username, .username'), new RegExp(USER.replace('.', '\\.')));
    await page.screenshot({ path: join(SHOTS, 'roundcube-mailbox.png') });
    assert.deepEqual(failed, []);
  } finally {
    await browser.close();
  }
});
