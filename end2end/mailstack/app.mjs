// Starts the real `billionmail` server against the mail stack's database and key
// directory, and signs in an admin, so the test provisions through the product's own API.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The server binary: BM_BIN, else the release build cargo-leptos makes. */
export function findBinary() {
  const candidates = [
    process.env.BM_BIN,
    path.join(process.env.CARGO_TARGET_DIR || path.join(process.env.HOME || '/root', '.cache/billionmail/target'), 'release/billionmail'),
    path.join(ROOT, 'target/release/billionmail'),
  ].filter(Boolean);
  const bin = candidates.find((c) => fs.existsSync(c));
  if (!bin) throw new Error(`no billionmail binary (tried ${candidates.join(', ')}); build it or set BM_BIN`);
  return bin;
}

/**
 * @param {{ databaseUrl: string, dkimDir: string, dkimGid?: number, roundcubeUrl?: string, logFile: string,
 *   env?: Record<string, string> }} o  `env`: extra settings (e.g. the campaigns' relay and Rspamd)
 * @returns {Promise<{ url: string, stop(): Promise<void>, admin: { username: string, password: string } }>}
 */
export async function startApp(o) {
  const bin = findBinary();
  const env = {
    ...process.env,
    DATABASE_URL: o.databaseUrl,
    BM_LISTEN: '127.0.0.1:0',
    BM_DKIM_DIR: o.dkimDir,
    BM_MAIL_HOST: 'mail.example.test',
    BM_LOG: 'info,sqlx=warn',
    BM_SITE_ROOT: path.join(ROOT, 'target/site'),
    ...(o.env || {}),
  };
  if (o.dkimGid !== undefined) env.BM_DKIM_GID = String(o.dkimGid);
  if (o.roundcubeUrl) env.BM_ROUNDCUBE_URL = o.roundcubeUrl;
  else delete env.BM_ROUNDCUBE_URL;
  const admin = { username: 'mailstack', password: 'Stack-Admin-Pass-42' };
  const created = spawnSync(bin, ['admin', 'create', admin.username, '--password-stdin'], { env, input: `${admin.password}\n`, encoding: 'utf8' });
  if (created.status !== 0 && !/already exists/.test(created.stderr)) {
    throw new Error(`admin create failed: ${created.stderr}`);
  }
  const log = fs.openSync(o.logFile, 'a');
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', log, log] });
  const url = await new Promise((resolve, reject) => {
    const deadline = Date.now() + 30000;
    const poll = () => {
      const text = fs.readFileSync(o.logFile, 'utf8');
      const m = text.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) return resolve(m[0]);
      if (child.exitCode !== null) return reject(new Error(`billionmail exited: ${text.slice(-2000)}`));
      if (Date.now() > deadline) return reject(new Error(`billionmail did not start: ${text.slice(-2000)}`));
      setTimeout(poll, 100);
    };
    poll();
  });
  return {
    url,
    admin,
    bin,
    env,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.closeSync(log);
    },
  };
}

/** A signed-in API client: `call(endpoint, body)` POSTs JSON like the browser does. */
export async function signIn(baseUrl, { username, password }) {
  const res = await fetch(`${baseUrl}/api/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ username, password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.getSetCookie?.() || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('bm_session='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return {
    cookie,
    async call(endpoint, body = {}) {
      const r = await fetch(`${baseUrl}/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: baseUrl, cookie },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) {
        const err = new Error(`${endpoint}: HTTP ${r.status} ${text}`);
        err.status = r.status;
        err.body = text;
        throw err;
      }
      return text ? JSON.parse(text) : null;
    },
  };
}
