// Runs a private Postfix + Dovecot + Rspamd instance from the mail/ templates: rendered into
// a fresh temp dir, every listener on 127.0.0.1 at a free port, logs in the temp dir. The
// system instances (/etc/postfix, /etc/dovecot, well-known ports) are never touched.
//
//   const stack = await startStack({ databaseUrl });
//   stack.ports.submission … ; await stack.stop();
//
// Every daemon runs in its own session (spawned detached); stop() terminates the sessions
// and waits until none of their processes is left. A process-exit hook kills whatever is
// still running if the caller never reaches stop(), and the next start kills the daemons of
// a run that crashed (found through the pids.json of its temp dir).
//
// `node end2end/mailstack/stack.mjs` starts a stack against MAIL_DATABASE_URL and keeps it
// running until Ctrl-C (prints the ports and the temp dir).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dovecotConnectString, parseDatabaseUrl, postfixPgUri } from './database.mjs';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../mail/', import.meta.url));
const TMP_PREFIX = 'bm-mailstack-';
const HOST = '127.0.0.1';
const POSTFIX_MASTER = '/usr/lib/postfix/sbin/master';
// Executables whose processes stop() / the stale-run sweep may end.
const OUR_EXES = [/^\/usr\/lib\/postfix\/sbin\//, /^\/usr\/sbin\/dovecot$/, /^\/usr\/lib\/dovecot\//, /^\/usr\/bin\/rspamd$/, /^\/usr\/bin\/rspamc$/];

// ---------------------------------------------------------------------------------------
// Rendering

/** Replaces every `${BM_NAME}` with vars.BM_NAME; a placeholder without a value is an error. */
export function renderTemplate(text, vars, where = 'template') {
  return text.replace(/\$\{(BM_[A-Z0-9_]+)\}/g, (_, name) => {
    if (!(name in vars)) throw new Error(`${where}: no value for \${${name}}`);
    return String(vars[name]);
  });
}

// The mail/ subtrees this harness renders (mail/roundcube has its own harness).
export const TEMPLATE_SUBDIRS = ['postfix', 'dovecot', 'rspamd'];

/** Renders mail/{postfix,dovecot,rspamd} into outDir/…; returns the files written. */
export function renderTree(vars, outDir, srcDir = TEMPLATE_DIR, subdirs = TEMPLATE_SUBDIRS) {
  const written = [];
  const walk = (rel) => {
    for (const ent of fs.readdirSync(path.join(srcDir, rel), { withFileTypes: true })) {
      const r = path.join(rel, ent.name);
      if (ent.isDirectory()) {
        fs.mkdirSync(path.join(outDir, r), { recursive: true, mode: 0o755 });
        walk(r);
      } else if (ent.isFile() && !ent.name.endsWith('.md')) {
        const src = path.join(srcDir, r);
        const out = path.join(outDir, r);
        fs.writeFileSync(out, renderTemplate(fs.readFileSync(src, 'utf8'), vars, r));
        fs.chmodSync(out, fs.statSync(src).mode & 0o111 ? 0o755 : 0o644);
        written.push(out);
      }
    }
  };
  for (const sub of subdirs) {
    fs.mkdirSync(path.join(outDir, sub), { recursive: true, mode: 0o755 });
    walk(sub);
  }
  return written;
}

/** Every BM_* placeholder used by the postfix/dovecot/rspamd templates. */
export function templateVariables(srcDir = TEMPLATE_DIR, subdirs = TEMPLATE_SUBDIRS) {
  const names = new Set();
  const walk = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (!ent.name.endsWith('.md')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/\$\{(BM_[A-Z0-9_]+)\}/g)) names.add(m[1]);
      }
    }
  };
  for (const sub of subdirs) walk(path.join(srcDir, sub));
  return [...names].sort();
}

// ---------------------------------------------------------------------------------------
// Processes

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error}`);
  }
  return r.stdout;
}

function procInfo(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let exe = '';
    try { exe = fs.readlinkSync(`/proc/${pid}/exe`); } catch { /* exited or not ours */ }
    return { pid, state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]), sid: Number(rest[3]), exe };
  } catch {
    return null;
  }
}

/** Live processes of the given sessions that run one of the daemons' executables. */
function sessionProcesses(sids) {
  const set = new Set(sids);
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (info && info.state !== 'Z' && set.has(info.sid) && OUR_EXES.some((re) => re.test(info.exe))) out.push(info);
  }
  return out;
}

function killSessions(sids, signal) {
  for (const sid of sids) {
    try { process.kill(-sid, signal); } catch { /* group gone */ }
  }
  for (const p of sessionProcesses(sids)) {
    try { process.kill(p.pid, signal); } catch { /* gone */ }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitSessionsGone(sids, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (sessionProcesses(sids).length === 0) return true;
    await sleep(50);
  }
  return sessionProcesses(sids).length === 0;
}

/** Kills the daemons of earlier runs whose temp dir still has a pids.json (crashed runs). */
export function sweepStaleRuns() {
  const killed = [];
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const runDir = path.join(os.tmpdir(), name);
    const file = path.join(runDir, 'pids.json');
    let rec;
    try {
      rec = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // No daemons recorded: a kept or half-made dir; remove it once it is an hour old.
      try {
        if (Date.now() - fs.statSync(runDir).mtimeMs > 3600_000) fs.rmSync(runDir, { recursive: true, force: true });
      } catch { /* raced with its owner */ }
      continue;
    }
    if (rec.owner && rec.owner !== process.pid && procInfo(rec.owner)) continue; // still running elsewhere
    const procs = sessionProcesses(rec.sids || []);
    if (procs.length) {
      killSessions(rec.sids, 'SIGKILL');
      killed.push(...procs.map((p) => `${p.pid} ${p.exe}`));
    }
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  return killed;
}

async function freePorts(n) {
  const servers = [];
  const ports = new Set();
  while (ports.size < n) {
    const srv = net.createServer();
    await new Promise((res, rej) => srv.once('error', rej).listen(0, HOST, res));
    ports.add(srv.address().port);
    servers.push(srv);
  }
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return [...ports];
}

async function waitForPort(port, timeoutMs, isAlive) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((res) => {
      const s = net.connect({ host: HOST, port });
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (!isAlive()) throw new Error(`daemon exited before port ${port} opened`);
    if (Date.now() > end) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function tail(file, lines) {
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    return all.slice(-lines - 1).join('\n');
  } catch (e) {
    return `(${e.code || e.message})`;
  }
}

function userIds(name) {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The vmail system user that owns every Maildir (created once, idempotently). */
export function ensureVmailUser() {
  let ids = userIds('vmail');
  if (ids) return ids;
  const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
    '--shell', '/usr/sbin/nologin', 'vmail'], { encoding: 'utf8' });
  ids = userIds('vmail');
  if (!ids) throw new Error(`cannot create user vmail: ${r.stderr}`);
  return ids;
}

// ---------------------------------------------------------------------------------------
// The stack

const PORT_NAMES = ['smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s', 'managesieve', 'lmtp',
  'dovecotAuth', 'quotaStatus', 'rspamdMilter', 'rspamdController', 'rspamdNormal'];

/**
 * Starts the stack. Options: databaseUrl (required), hostname, trustedNetworks (Postfix
 * syntax; default 127.0.0.1/32), rspamdLocalAddrs (UCL list items), redis (host:port),
 * redisDb, rspamdHsCacheDir, rspamdTestPatterns (enable GTUBE variants YJS/ZJS/AJS),
 * keepDir (leave the temp dir after stop), log (function for progress lines).
 * Resolves { dir, ports, vars, timings, dkim, logTails(), stop({ keepDir }) }.
 */
export async function startStack(opts) {
  const t0 = Date.now();
  const timings = {};
  const mark = (k, since) => { timings[k] = Date.now() - since; };
  const { databaseUrl } = opts;
  if (!databaseUrl) throw new Error('startStack: databaseUrl is required');
  parseDatabaseUrl(databaseUrl); // fail early on a bad URL

  const stale = sweepStaleRuns();
  if (stale.length) (opts.log || console.error)(`killed daemons of a crashed earlier run: ${stale.join(', ')}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX));
  fs.chmodSync(dir, 0o755); // daemons' unprivileged users must traverse it
  const d = (...p) => path.join(dir, ...p);
  const children = []; // { name, child, sid, exited }
  const record = () => fs.writeFileSync(d('pids.json'), JSON.stringify({ owner: process.pid, sids: children.map((c) => c.sid) }));
  const logFiles = {
    postfix: d('log', 'postfix.log'),
    dovecot: d('log', 'dovecot.log'),
    rspamd: d('log', 'rspamd.log'),
    'rspamd (stdout)': d('log', 'rspamd.out'),
    'dovecot (stdout)': d('log', 'dovecot.out'),
    'postfix (stdout)': d('log', 'postfix.out'),
  };
  const logTails = (n = 40) => Object.entries(logFiles)
    .filter(([, f]) => fs.existsSync(f) && fs.statSync(f).size > 0)
    .map(([k, f]) => `----- ${k}: ${f} (last ${n} lines)\n${tail(f, n)}`).join('\n');

  const launch = (name, cmd, args) => {
    const out = fs.openSync(d('log', `${name}.out`), 'a');
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const entry = { name, child, sid: child.pid, exited: false };
    child.on('exit', (code, signal) => { entry.exited = true; entry.exitStatus = code ?? signal; });
    children.push(entry);
    record();
    return entry;
  };

  let stopped = false;
  const killAllSync = () => {
    if (stopped) return;
    killSessions(children.map((c) => c.sid), 'SIGKILL');
  };
  const onExit = () => killAllSync();
  const onSignal = (sig) => {
    killAllSync();
    process.exit(128 + (os.constants.signals[sig] || 1));
  };
  process.on('exit', onExit);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);

  const stop = async ({ keepDir = opts.keepDir } = {}) => {
    if (stopped) return { stop_ms: 0 };
    const ts = Date.now();
    const sids = children.map((c) => c.sid);
    killSessions(sids, 'SIGTERM');
    if (!(await waitSessionsGone(sids, 8000))) {
      killSessions(sids, 'SIGKILL');
      await waitSessionsGone(sids, 3000);
    }
    const left = sessionProcesses(sids);
    stopped = true;
    process.off('exit', onExit);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(sig, onSignal);
    fs.rmSync(d('pids.json'), { force: true });
    if (left.length) throw new Error(`processes survived stop(): ${left.map((p) => `${p.pid} ${p.exe}`).join(', ')}`);
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    return { stop_ms: Date.now() - ts };
  };

  let ports;
  let hostname;
  let password;
  let rspamdIds;
  let vars;
  try {
    const vmail = ensureVmailUser();
    const rspamdUser = userIds('_rspamd') ? '_rspamd' : null;
    rspamdIds = rspamdUser ? userIds(rspamdUser) : { uid: 0, gid: 0 };

    const portList = await freePorts(PORT_NAMES.length);
    ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, portList[i]]));
    hostname = opts.hostname || 'mail.example.test';
    password = randomBytes(12).toString('hex');

    for (const sub of ['log', 'tls', 'dkim', 'mail', 'postfix-queue', 'postfix-data', 'dovecot-state', 'rspamd-db', 'rspamd-run']) {
      fs.mkdirSync(d(sub), { recursive: true, mode: 0o755 });
    }
    fs.chownSync(d('mail'), vmail.uid, vmail.gid);
    fs.chmodSync(d('mail'), 0o770);
    fs.chownSync(d('postfix-data'), Number(userIds('postfix').uid), Number(userIds('postfix').gid));
    for (const sub of ['rspamd-db', 'rspamd-run', 'log']) fs.chownSync(d(sub), rspamdIds.uid, rspamdIds.gid);
    fs.chmodSync(d('log'), 0o755);
    fs.chownSync(d('dkim'), 0, rspamdIds.gid);
    fs.chmodSync(d('dkim'), 0o750);
    fs.writeFileSync(d('dkim', 'selectors.map'), '');
    // Rspamd's compiled Hyperscan databases outlive the run (the first start builds them).
    const hsCache = opts.rspamdHsCacheDir || process.env.MAIL_RSPAMD_HS_CACHE || '/var/tmp/billionmail-mailstack-rspamd-hs';
    fs.mkdirSync(hsCache, { recursive: true, mode: 0o755 });
    fs.chownSync(hsCache, rspamdIds.uid, rspamdIds.gid);
    fs.chmodSync(d('dkim', 'selectors.map'), 0o644);

    // Self-signed certificate for every TLS listener.
    let t = Date.now();
    run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname},IP:${HOST}`,
      '-keyout', d('tls', 'key.pem'), '-out', d('tls', 'cert.pem')]);
    fs.chmodSync(d('tls', 'key.pem'), 0o600);
    mark('tls_cert_ms', t);

    vars = {
      BM_HOSTNAME: hostname,
      BM_TRUSTED_NETWORKS: opts.trustedNetworks || `${HOST}/32`,
      BM_RSPAMD_LOCAL_ADDRS: opts.rspamdLocalAddrs || `"${HOST}/32"`,
      BM_POSTFIX_QUEUE_DIR: d('postfix-queue'),
      BM_POSTFIX_DATA_DIR: d('postfix-data'),
      BM_POSTFIX_LOG_FILE: d('log', 'postfix.log'),
      BM_POSTFIX_INET_INTERFACES: HOST,
      BM_RELAYHOST: '',
      // Reports for the bounce domain go to the app's LMTP listener (started later).
      BM_BOUNCE_DOMAIN: opts.bounceDomain || 'bounces.invalid',
      BM_ENGINE_LMTP: opts.engineLmtp || `${HOST}:2424`,
      BM_POSTFIX_SMTP_PORT: ports.smtp,
      BM_POSTFIX_SUBMISSION_PORT: ports.submission,
      BM_POSTFIX_SMTPS_PORT: ports.smtps,
      BM_PG_URI: postfixPgUri(databaseUrl),
      BM_PG_DBNAME: parseDatabaseUrl(databaseUrl).dbname,
      BM_DOVECOT_HOST: HOST,
      BM_DOVECOT_LMTP_PORT: ports.lmtp,
      BM_DOVECOT_AUTH_PORT: ports.dovecotAuth,
      BM_DOVECOT_QUOTA_STATUS_PORT: ports.quotaStatus,
      BM_RSPAMD_MILTER: `${HOST}:${ports.rspamdMilter}`,
      BM_RSPAMD_CONTROLLER: `${HOST}:${ports.rspamdController}`,
      BM_RSPAMD_NORMAL: `${HOST}:${ports.rspamdNormal}`,
      BM_RSPAMD_PASSWORD: password,
      BM_TLS_CERT: d('tls', 'cert.pem'),
      BM_TLS_KEY: d('tls', 'key.pem'),
      BM_DOVECOT_DIR: d('dovecot'),
      BM_DOVECOT_RUN_DIR: d('dovecot-run'),
      BM_DOVECOT_STATE_DIR: d('dovecot-state'),
      BM_DOVECOT_INSTANCE: path.basename(dir),
      BM_DOVECOT_LOG_FILE: d('log', 'dovecot.log'),
      BM_DOVECOT_LISTEN: HOST,
      BM_DOVECOT_PG_CONNECT: dovecotConnectString(databaseUrl),
      BM_MAIL_DIR: d('mail'),
      BM_DOVECOT_IMAP_PORT: ports.imap,
      BM_DOVECOT_IMAPS_PORT: ports.imaps,
      BM_DOVECOT_POP3_PORT: ports.pop3,
      BM_DOVECOT_POP3S_PORT: ports.pop3s,
      BM_DOVECOT_MANAGESIEVE_PORT: ports.managesieve,
      BM_REDIS: opts.redis || '127.0.0.1:6379',
      BM_REDIS_DB: String(opts.redisDb ?? 0),
      BM_DKIM_DIR: d('dkim'),
      BM_RSPAMD_HS_CACHE_DIR: hsCache,
    };
    t = Date.now();
    renderTree(vars, dir);
    if (opts.rspamdTestPatterns) {
      // Test only: Rspamd's GTUBE variants for the other actions (YJS… = add header).
      fs.writeFileSync(d('rspamd', 'local.d', 'options.inc'), '# written by end2end/mailstack/stack.mjs (tests only)\nenable_test_patterns = true;\n');
    }
    fs.writeFileSync(d('vars.json'), JSON.stringify(vars, null, 2));
    mark('render_ms', t);

    // Dovecot: precompile the global sieve scripts (the vmail user cannot write next to
    // them), check the configuration, run in the foreground.
    t = Date.now();
    const dovecotConf = d('dovecot', 'dovecot.conf');
    run('doveconf', ['-c', dovecotConf, '-n'], { stdio: ['ignore', 'ignore', 'pipe'] });
    for (const f of fs.readdirSync(d('dovecot', 'sieve')).filter((f) => f.endsWith('.sieve'))) {
      run('sievec', ['-c', dovecotConf, d('dovecot', 'sieve', f)]);
    }
    const dovecot = launch('dovecot', 'dovecot', ['-c', dovecotConf, '-F']);

    // Rspamd: stock /etc/rspamd with our local.d/override.d; state in the temp dir.
    const rspamdArgs = ['-f', '-c', '/etc/rspamd/rspamd.conf',
      '--var', `LOCAL_CONFDIR=${d('rspamd')}`, '--var', `DBDIR=${d('rspamd-db')}`,
      '--var', `RUNDIR=${d('rspamd-run')}`, '--var', `LOGDIR=${d('log')}`,
      '-p', d('rspamd-run', 'rspamd.pid')];
    if (rspamdUser) rspamdArgs.push('-u', rspamdUser, '-g', rspamdUser);
    else rspamdArgs.push('-i');
    const rspamd = launch('rspamd', 'rspamd', rspamdArgs);

    // Postfix: `postfix check` creates the queue directories; master stays in the
    // foreground (-d) so it is our child.
    const postfixDir = d('postfix');
    run('postfix', ['-c', postfixDir, 'check']);
    const postfix = launch('postfix', POSTFIX_MASTER, ['-c', postfixDir, '-d']);
    mark('spawn_ms', t);

    t = Date.now();
    const alive = (e) => () => !e.exited;
    await Promise.all([
      ...['imap', 'imaps', 'pop3', 'pop3s', 'lmtp', 'dovecotAuth', 'quotaStatus'].map((p) => waitForPort(ports[p], 30000, alive(dovecot))),
      ...['rspamdMilter', 'rspamdController', 'rspamdNormal'].map((p) => waitForPort(ports[p], 60000, alive(rspamd))),
      ...['smtp', 'submission', 'smtps'].map((p) => waitForPort(ports[p], 30000, alive(postfix))),
    ]);
    mark('ready_wait_ms', t);
  } catch (e) {
    const logs = logTails(60);
    await stop({ keepDir: true }).catch(() => {});
    e.message += `\n(temp dir kept: ${dir})\n${logs}`;
    throw e;
  }
  timings.total_ms = Date.now() - t0;

  return {
    dir,
    host: HOST,
    hostname,
    ports,
    vars,
    timings,
    rspamdPassword: password,
    dkim: { dir: d('dkim'), gid: rspamdIds.gid },
    mailDir: d('mail'),
    logFiles,
    logTails,
    stop,
  };
}

// ---------------------------------------------------------------------------------------
// CLI: keep a stack running for manual poking.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const url = process.env.MAIL_DATABASE_URL;
  if (!url) {
    console.error('set MAIL_DATABASE_URL (a database with migrations 0001 and 0002 applied)');
    process.exit(2);
  }
  const stack = await startStack({ databaseUrl: url, keepDir: true, log: console.error });
  console.log(JSON.stringify({ dir: stack.dir, ports: stack.ports, timings: stack.timings, rspamdPassword: stack.rspamdPassword }, null, 2));
  console.log('running; Ctrl-C stops every daemon');
  const shutdown = async () => { await stack.stop(); process.exit(0); };
  process.removeAllListeners('SIGINT');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30);
}
