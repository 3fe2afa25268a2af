// PostgreSQL helpers for the mail-stack harness: parse MAIL_DATABASE_URL into what Postfix
// and Dovecot want, run SQL through psql, create/drop an empty scratch database (the app migrates it).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Splits a postgres:// (or postgresql://) URL into its parts. A unix-socket URL keeps the
 * socket directory in `host` (`postgres://user@/db?host=/run/postgresql`).
 */
export function parseDatabaseUrl(url) {
  // Not WHATWG URL: it rejects libpq's empty-host form `postgres://user@/db?host=/dir`.
  const m = /^(postgres(?:ql)?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]*\]|[^/?:]*)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/.exec(url);
  if (!m) throw new Error(`not a PostgreSQL URL: ${url}`);
  const [, , user = '', password = '', rawHost = '', rawPort, rawDb = '', query = ''] = m;
  const params = Object.fromEntries(new URLSearchParams(query));
  const host = params.host ?? decodeURIComponent(rawHost).replace(/^\[(.*)\]$/, '$1');
  delete params.host;
  const port = params.port ?? rawPort ?? '5432';
  delete params.port;
  return {
    host,
    port,
    dbname: decodeURIComponent(rawDb) || decodeURIComponent(user) || 'postgres',
    user: decodeURIComponent(user),
    password: decodeURIComponent(password),
    params,
  };
}

/** The same database as a `postgresql://` URI (the only scheme Postfix's pgsql: accepts). */
export function postfixPgUri(url) {
  const p = parseDatabaseUrl(url);
  const auth = p.user ? `${encodeURIComponent(p.user)}${p.password ? `:${encodeURIComponent(p.password)}` : ''}@` : '';
  const q = Object.entries(p.params);
  let hostPart = '';
  if (p.host.startsWith('/')) {
    q.unshift(['host', p.host], ['port', p.port]);
  } else if (p.host) {
    hostPart = `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
  }
  const enc = (v) => encodeURIComponent(v).replace(/%2F/gi, '/');
  const qs = q.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  return `postgresql://${auth}${hostPart}/${encodeURIComponent(p.dbname)}${qs ? `?${qs}` : ''}`;
}

/** A libpq key=value connect string (Dovecot's pgsql `connect =`). */
export function dovecotConnectString(url) {
  const p = parseDatabaseUrl(url);
  const quote = (v) => (/^[A-Za-z0-9_./:@-]+$/.test(v) ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  const kv = [];
  if (p.host) kv.push(['host', p.host]);
  if (p.port) kv.push(['port', p.port]);
  kv.push(['dbname', p.dbname]);
  if (p.user) kv.push(['user', p.user]);
  if (p.password) kv.push(['password', p.password]);
  for (const [k, v] of Object.entries(p.params)) kv.push([k, v]);
  return kv.map(([k, v]) => `${k}=${quote(v)}`).join(' ');
}

/** The same server with another database name. */
export function withDatabase(url, dbname) {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`not a PostgreSQL URL: ${url}`);
  return `${m[1]}/${encodeURIComponent(dbname)}${m[3] || ''}`;
}

/**
 * Runs SQL through psql (stdin, so `:'name'` variables from `vars` are interpolated and
 * quoted by psql). Returns stdout rows (unaligned, tuples only, `|`-separated).
 */
export function psql(url, sql, vars = {}) {
  const args = ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', url];
  for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
  args.push('-f', '-');
  const r = spawnSync('psql', args, { input: sql, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`psql failed (${r.status}): ${r.stderr || r.error}\n--- SQL ---\n${sql}`);
  }
  return r.stdout.split('\n').filter((l) => l !== '');
}

const SCRATCH_RE = /^bm_mailstack_([0-9a-z]+)_(\d+)_([0-9a-f]+)$/;

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Drops scratch databases whose creating process is gone (a crashed earlier run). */
export function sweepScratchDatabases(serverUrl = DEFAULT_SERVER_URL) {
  const admin = withDatabase(serverUrl, 'postgres');
  const dropped = [];
  for (const name of psql(admin, "SELECT datname FROM pg_database WHERE datname LIKE 'bm\\_mailstack\\_%'")) {
    const m = SCRATCH_RE.exec(name);
    if (!m || Number(m[2]) === process.pid || processAlive(Number(m[2]))) continue;
    dropDatabase(serverUrl, name);
    dropped.push(name);
  }
  return dropped;
}

/**
 * Creates a fresh, empty database (named bm_mailstack_<time>_<pid>_<random>); the app's own
 * migrations create the schema when it starts. Returns { url, name, drop() }.
 */
export function createScratchDatabase(serverUrl = DEFAULT_SERVER_URL) {
  sweepScratchDatabases(serverUrl);
  const name = `bm_mailstack_${Date.now().toString(36)}_${process.pid}_${randomBytes(3).toString('hex')}`;
  psql(withDatabase(serverUrl, 'postgres'), 'CREATE DATABASE :"name"', { name });
  const url = withDatabase(serverUrl, name);
  return { url, name, drop: () => dropDatabase(serverUrl, name) };
}

export function dropDatabase(serverUrl, name) {
  psql(withDatabase(serverUrl, 'postgres'), 'DROP DATABASE IF EXISTS :"name" WITH (FORCE)', { name });
}
