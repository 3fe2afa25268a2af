// RoundCube for the end-to-end tests, without Apache or Docker: Debian's roundcube-core served by
// PHP's built-in web server through mail/roundcube/router.php, configured from the template
// mail/roundcube/config.inc.php and the include billionmail.inc.php (which the roundcube
// container of compose.yaml uses too).
//
//   const rc = await startRoundcube({ dir, imapHost: '127.0.0.1', imapPort: 10143 });
//   const r = await roundcubeLogin(rc.url, 'alice@example.test', 'secret'); // r.ok === true
//   await rc.stop();
//
// startPrefixProxy() stands in for BillionMail's reverse proxy (/roundcube/ → RoundCube, prefix
// stripped), so the same login can be checked at http://127.0.0.1:Q/roundcube/.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, symlinkSync, rmSync, createWriteStream } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROUNDCUBE_DIR = fileURLToPath(new URL('../../mail/roundcube/', import.meta.url));
export const TEMPLATE = join(ROUNDCUBE_DIR, 'config.inc.php');
export const ROUTER = join(ROUNDCUBE_DIR, 'router.php');

/** The variables of mail/roundcube/config.inc.php (the explicit list for envsubst). */
export const ROUNDCUBE_VARIABLES = [
  'BM_IMAP_HOST', 'BM_IMAP_PORT', 'BM_IMAP_TLS',
  'BM_SMTP_HOST', 'BM_SMTP_PORT', 'BM_SMTP_TLS',
  'BM_ROUNDCUBE_TLS_VERIFY', 'BM_ROUNDCUBE_DES_KEY', 'BM_ROUNDCUBE_DB',
  'BM_ROUNDCUBE_TEMP_DIR', 'BM_ROUNDCUBE_LOG_DIR', 'BM_ROUNDCUBE_TRUSTED_PROXIES',
];

const TLS_MODES = ['none', 'starttls', 'ssl'];

/** 'none' | 'starttls' | 'ssl'; a boolean means TLS or not, implicit on the implicit-TLS port. */
function tlsMode(name, value, port, implicitPort) {
  if (value === true) return Number(port) === implicitPort ? 'ssl' : 'starttls';
  if (value === false || value === undefined || value === null) return 'none';
  if (!TLS_MODES.includes(value)) throw new Error(`${name} must be a boolean or one of ${TLS_MODES.join(', ')}`);
  return value;
}

/** Every process group started here, killed on exit even when a test forgets to stop it. */
const live = new Set();
process.on('exit', () => {
  for (const pid of live) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

/**
 * Plain ${...} substitution, as envsubst with an explicit list does. Throws when the template
 * uses a BM_ variable that is not given, or a value cannot sit inside a single-quoted PHP string.
 */
export function renderTemplate(text, vars) {
  const out = text.replace(/\$\{(BM_[A-Z0-9_]*)\}/g, (whole, name) => {
    if (!(name in vars)) throw new Error(`template variable ${name} has no value`);
    const value = String(vars[name]);
    if (/['\\\n\r]/.test(value)) throw new Error(`${name} must not contain quotes, backslashes or newlines`);
    return value;
  });
  return out;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Finds RoundCube's defaults.inc.php for an installation (Debian keeps it in /etc/roundcube). */
function defaultsFile(installPath) {
  for (const f of [join(installPath, 'config/defaults.inc.php'), '/etc/roundcube/defaults.inc.php']) {
    if (existsSync(f)) return f;
  }
  throw new Error(`no defaults.inc.php for the RoundCube in ${installPath}`);
}

/**
 * Writes a RoundCube config directory: config.inc.php rendered from the template,
 * billionmail.inc.php next to it, and a link to the installation's defaults.inc.php.
 */
export function renderRoundcubeConfig(configDir, vars, installPath = '/usr/share/roundcube') {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'config.inc.php'), renderTemplate(readFileSync(TEMPLATE, 'utf8'), vars), { mode: 0o640 });
  copyFileSync(join(ROUNDCUBE_DIR, 'billionmail.inc.php'), join(configDir, 'billionmail.inc.php'));
  const defaults = join(configDir, 'defaults.inc.php');
  rmSync(defaults, { force: true });
  symlinkSync(defaultsFile(installPath), defaults);
}

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

/**
 * Stops a process started with detached: true, with its whole process group (php -S workers
 * outlive a master that alone gets SIGTERM): SIGTERM to the group, SIGKILL after `ms`, then waits
 * until the group is gone (the workers' zombies are reaped once the master has exited).
 */
export async function stopProcessGroup(child, ms = 5000) {
  const pgid = child.pid;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
    const t = setTimeout(() => { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } }, ms);
    await exited;
    clearTimeout(t);
  }
  const deadline = Date.now() + ms;
  while (groupAlive(pgid) && Date.now() < deadline) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    await sleep(50);
  }
  live.delete(pgid);
}

/** Registers a detached child so that it is killed when this process exits. */
export function killOnExit(child) {
  live.add(child.pid);
}

/**
 * Renders the template into `dir`, creates the SQLite database, starts `php -S` on a free
 * 127.0.0.1 port and waits until the login page answers.
 * imapTls / smtpTls: 'none' | 'starttls' | 'ssl' (implicit TLS), or a boolean (true = implicit
 * TLS on 993 / 465, STARTTLS elsewhere). tlsVerify (default false) checks the certificates.
 * Returns { url, port, dir, configDir, logFile, stop() }.
 */
export async function startRoundcube({
  dir,
  imapHost,
  imapPort,
  imapTls = 'none',
  smtpHost = imapHost,
  smtpPort = 587,
  smtpTls = 'none',
  tlsVerify = false,
  trustedProxies = '127.0.0.1',
  installPath = '/usr/share/roundcube',
  php = 'php',
  workers = 4,
}) {
  if (!dir) throw new Error('startRoundcube needs a dir');
  if (!imapHost || !imapPort) throw new Error('startRoundcube needs imapHost and imapPort');
  imapTls = tlsMode('imapTls', imapTls, imapPort, 993);
  smtpTls = tlsMode('smtpTls', smtpTls, smtpPort, 465);
  const configDir = join(dir, 'config');
  const tempDir = join(dir, 'temp');
  const logDir = join(dir, 'logs');
  for (const d of [dir, tempDir, logDir]) mkdirSync(d, { recursive: true });
  const dbFile = join(dir, 'roundcube.db');

  renderRoundcubeConfig(configDir, {
    BM_IMAP_HOST: imapHost,
    BM_IMAP_PORT: imapPort,
    BM_IMAP_TLS: imapTls,
    BM_SMTP_HOST: smtpHost,
    BM_SMTP_PORT: smtpPort,
    BM_SMTP_TLS: smtpTls,
    BM_ROUNDCUBE_TLS_VERIFY: tlsVerify ? 'true' : 'false',
    BM_ROUNDCUBE_DES_KEY: randomBytes(18).toString('base64'), // 24 characters
    BM_ROUNDCUBE_DB: `sqlite:///${dbFile}?mode=0600`,
    BM_ROUNDCUBE_TEMP_DIR: tempDir,
    BM_ROUNDCUBE_LOG_DIR: logDir,
    BM_ROUNDCUBE_TRUSTED_PROXIES: trustedProxies,
  }, installPath);

  const init = spawnSync(php, [join(ROUNDCUBE_DIR, 'initdb.php'), configDir, installPath], { encoding: 'utf8' });
  if (init.status !== 0) {
    throw new Error(`RoundCube database init failed: ${init.error?.message ?? `${init.stdout}${init.stderr}`}`);
  }

  const logFile = join(dir, 'php-server.log');
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(php, [
      '-d', 'display_errors=stderr', '-d', 'log_errors=1', '-d', 'expose_php=0',
      '-d', 'upload_max_filesize=25M', '-d', 'post_max_size=26M', '-d', 'memory_limit=256M',
      '-S', `127.0.0.1:${port}`, '-t', installPath, ROUTER,
    ], {
      cwd: dir,
      detached: true, // its own process group: stop() takes the workers with it
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BM_ROUNDCUBE_CONFIG_DIR: configDir, PHP_CLI_SERVER_WORKERS: String(workers) },
    });
    live.add(child.pid);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const url = `http://127.0.0.1:${port}/`;
    const stop = () => stopProcessGroup(child);
    try {
      await waitForHttp(url, child, 20_000);
      return { url, port, dir, configDir, logFile, stop };
    } catch (err) {
      lastError = err;
      await stop();
      const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      if (!/Address already in use|Failed to listen/i.test(text)) break;
    }
  }
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  throw new Error(`RoundCube did not start: ${lastError?.message}\n${text.slice(-2000)}`);
}

async function waitForHttp(url, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`php exited (${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`no answer from ${url} within ${ms} ms`);
}

// ---- a small cookie jar that honours Path, as a browser does ------------------------------------

function parseSetCookie(line, requestPath) {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: null, expired: false };
  for (const a of attrs) {
    const [k, ...v] = a.split('=');
    const key = k.trim().toLowerCase();
    const val = v.join('=').trim();
    if (key === 'path') cookie.path = val;
    if (key === 'max-age' && Number(val) <= 0) cookie.expired = true;
    if (key === 'expires' && Date.parse(val) < Date.now()) cookie.expired = true;
  }
  if (!cookie.path || !cookie.path.startsWith('/')) {
    // default-path (RFC 6265 5.1.4)
    const i = requestPath.lastIndexOf('/');
    cookie.path = i > 0 ? requestPath.slice(0, i) : '/';
  }
  return cookie;
}

function pathMatches(cookiePath, requestPath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

class CookieJar {
  constructor() { this.cookies = []; }
  store(res, url) {
    const path = new URL(url).pathname;
    for (const line of res.headers.getSetCookie()) {
      const c = parseSetCookie(line, path);
      this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.path === c.path));
      if (!c.expired && c.value !== 'deleted') this.cookies.push({ name: c.name, value: c.value, path: c.path });
    }
  }
  header(url) {
    const path = new URL(url).pathname;
    return this.cookies
      .filter((c) => pathMatches(c.path, path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function decodeEntities(s) {
  return s.replace(/&quot;/g, '"').replace(/&#0?39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * RoundCube's login over plain HTTP, as the browser does it: GET the login page (session cookie
 * and the form's _token), POST the form, follow the redirect to the mailbox.
 * `baseUrl` is where RoundCube is seen: http://127.0.0.1:P/ or http://127.0.0.1:Q/roundcube/.
 * Returns { ok, status, location, cookies: [{ name, value, path }], url, page }:
 * ok when the final page is the mail task of the logged-in user.
 */
export async function roundcubeLogin(baseUrl, user, password) {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const jar = new CookieJar();
  const get = async (url) => {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(res, url);
    return { res, text: await res.text() };
  };

  const loginPage = await get(base.href);
  if (loginPage.res.status !== 200) {
    return { ok: false, status: loginPage.res.status, location: loginPage.res.headers.get('location'), cookies: jar.cookies, url: base.href, page: loginPage.text };
  }
  const token = loginPage.text.match(/name="_token" value="([^"]+)"/)?.[1];
  if (!token) throw new Error('no _token on the RoundCube login page');
  // The form posts to its own action (relative, "./?_task=login" or the forwarded prefix).
  const action = decodeEntities(loginPage.text.match(/<form[^>]*name="login-form"[^>]*action="([^"]*)"/)?.[1]
    ?? loginPage.text.match(/<form[^>]*action="([^"]*)"[^>]*name="login-form"/)?.[1] ?? './?_task=login');
  const postUrl = new URL(action, base).href;

  const body = new URLSearchParams({
    _token: token, _task: 'login', _action: 'login', _timezone: 'UTC', _url: '', _user: user, _pass: password,
  });
  const post = await fetch(postUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(postUrl) },
    body,
  });
  jar.store(post, postUrl);
  const location = post.headers.get('location');
  const postText = await post.text();
  if (post.status < 300 || post.status >= 400 || !location) {
    return { ok: false, status: post.status, location, cookies: jar.cookies, url: postUrl, page: postText };
  }

  let url = new URL(location, postUrl).href;
  let page = await get(url);
  for (let hops = 0; hops < 5 && page.res.status >= 300 && page.res.status < 400; hops++) {
    url = new URL(page.res.headers.get('location'), url).href;
    page = await get(url);
  }
  const inMail = /[?&]_task=mail\b/.test(url) && /"task":"mail"/.test(page.text);
  const loggedIn = page.text.includes(`"username":"${user}"`) || page.text.includes(`>${user}<`);
  const canLogout = /_task=logout/.test(page.text);
  // the IMAP session works beyond authentication: the folder list has the INBOX
  const hasInbox = /<a [^>]*rel="INBOX"/.test(page.text);
  return {
    ok: page.res.status === 200 && inMail && loggedIn && canLogout && hasInbox,
    status: page.res.status,
    location,
    cookies: jar.cookies,
    url,
    page: page.text,
  };
}

/**
 * A stand-in for BillionMail's reverse proxy: http://127.0.0.1:Q{prefix}/... is forwarded to
 * `target` with the prefix stripped, X-Forwarded-For/-Proto/-Host set and, unless
 * `forwardedPrefix` is false, X-Forwarded-Prefix: {prefix}. Responses pass through unchanged
 * (no Location or cookie rewriting), so whatever works here works without proxy help.
 */
export async function startPrefixProxy({ target, prefix = '/roundcube', forwardedPrefix = true }) {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    if (req.url === prefix) {
      res.writeHead(308, { location: `${prefix}/` }).end();
      return;
    }
    if (!req.url.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not under the prefix\n');
      return;
    }
    const headers = { ...req.headers };
    headers['x-forwarded-for'] = req.socket.remoteAddress;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = req.headers.host;
    if (forwardedPrefix) headers['x-forwarded-prefix'] = prefix;
    const up = http.request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url.slice(prefix.length),
      headers,
    }, (upRes) => {
      res.writeHead(upRes.statusCode, upRes.rawHeaders);
      upRes.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`upstream error: ${err.message}\n`);
    });
    req.pipe(up);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}/`,
    port,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
