// Postfix lookup latency through the mail_* views at scale (10,000 domains, 100,000
// mailboxes, 10,000 aliases), with Postfix's own pgsql client (`postmap -q`).
//
//   BM_BIN=~/.cache/billionmail/target/debug/billionmail node end2end/mailstack/bench-lookups.mjs
//
// Prints FIGURE lines: per-lookup latency when one postmap process answers many keys (the
// steady state of a running Postfix: one connection, many queries), and the whole-process
// time of a single `postmap -q` (connection set-up included), for each map Postfix queries
// on an incoming RCPT.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary } from './app.mjs';
import { createScratchDatabase, parseDatabaseUrl, postfixPgUri, psql } from './database.mjs';
import { renderTemplate } from './stack.mjs';

const DOMAINS = Number(process.env.BENCH_DOMAINS || 10000);
const PER_DOMAIN = Number(process.env.BENCH_MAILBOXES_PER_DOMAIN || 10);
const KEYS = 2000;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const db = createScratchDatabase(process.env.MAIL_SERVER_URL || undefined);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bm-lookup-bench-'));
try {
  const migrate = spawnSync(findBinary(), ['migrate'], { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(migrate.stderr);
  const t0 = Date.now();
  // Bulk data straight into the tables (the API would hash 100,000 passwords first).
  psql(db.url, `
    INSERT INTO mail_domain (name) SELECT 'd' || g || '.example' FROM generate_series(1, ${DOMAINS}) g;
    INSERT INTO mailbox (domain_id, local_part, address, password_hash)
      SELECT d.id, 'user' || u, 'user' || u || '@' || d.name, '{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA'
      FROM mail_domain d, generate_series(1, ${PER_DOMAIN}) u;
    INSERT INTO mail_alias (domain_id, address) SELECT d.id, 'team@' || d.name FROM mail_domain d;
    INSERT INTO mail_alias_target (alias_id, target) SELECT a.id, 'user1@' || d.name FROM mail_alias a JOIN mail_domain d ON d.id = a.domain_id;
    ANALYZE;`);
  const counts = psql(db.url, 'SELECT (SELECT count(*) FROM mail_domain) || \'|\' || (SELECT count(*) FROM mailbox)')[0];
  console.log(`# data: ${counts} (domains|mailboxes) loaded in ${Date.now() - t0} ms`);
  // postmap reads a main.cf: give it a minimal one of its own.
  fs.writeFileSync(path.join(work, 'main.cf'), 'compatibility_level = 3.6\n');
  const vars = { BM_PG_URI: postfixPgUri(db.url), BM_PG_DBNAME: parseDatabaseUrl(db.url).dbname };
  const keys = [];
  for (let i = 0; i < KEYS; i += 1) {
    const d = 1 + Math.floor(Math.random() * DOMAINS);
    const u = 1 + Math.floor(Math.random() * PER_DOMAIN * 1.2); // ~1 in 6 misses
    keys.push(`user${u}@d${d}.example`);
  }
  for (const map of ['virtual_mailbox_domains', 'virtual_mailbox_maps', 'virtual_alias_maps', 'sender_login_maps']) {
    const cf = path.join(work, `${map}.cf`);
    fs.writeFileSync(cf, renderTemplate(fs.readFileSync(path.join(root, 'mail/postfix/pgsql', `${map}.cf`), 'utf8'), vars, map));
    const input = (map === 'virtual_mailbox_domains' ? keys.map((k) => k.split('@')[1]) : keys).join('\n');
    const t = process.hrtime.bigint();
    const r = spawnSync('postmap', ['-c', work, '-q', '-', `pgsql:${cf}`], { input, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.stderr.trim()) throw new Error(`postmap ${map}: ${r.stderr}`);
    const found = r.stdout.split('\n').filter(Boolean).length;
    // Ceiling: the same queries through one psql connection (no Postfix in the loop).
    const query = fs.readFileSync(cf, 'utf8').split('\n').filter((l) => !l.startsWith('#'))
      .join('\n').match(/query = ([\s\S]*)$/)[1].trim();
    const sql = (map === 'virtual_mailbox_domains' ? keys.map((k) => k.split('@')[1]) : keys)
      .map((k) => `${query.replaceAll("'%s'", `'${k}'`).replaceAll("'%d'", `'${k.split('@')[1]}'`).replaceAll("'%u'", `'${k.split('@')[0]}'`)};`).join('\n');
    const tp = process.hrtime.bigint();
    const pr = spawnSync('psql', ['-X', '-q', '-A', '-t', '-d', db.url], { input: sql, encoding: 'utf8' });
    const psqlMs = Number(process.hrtime.bigint() - tp) / 1e6;
    if (pr.status !== 0) throw new Error(`psql ceiling ${map}: ${pr.stderr}`);
    console.log(`FIGURE lookup_${map}_per_key_us=${Math.round((ms * 1000) / KEYS)} (${KEYS} keys, ${found} found, one connection; `
      + `psql ceiling ${Math.round((psqlMs * 1000) / KEYS)} us, ratio ${(ms / psqlMs).toFixed(1)}x)`);
    const singles = [];
    for (const k of keys.slice(0, 50)) {
      const ts = process.hrtime.bigint();
      spawnSync('postmap', ['-c', work, '-q', map === 'virtual_mailbox_domains' ? k.split('@')[1] : k, `pgsql:${cf}`]);
      singles.push(Number(process.hrtime.bigint() - ts) / 1e6);
    }
    singles.sort((a, b) => a - b);
    console.log(`FIGURE lookup_${map}_postmap_q_median_ms=${singles[25].toFixed(1)} (p95 ${singles[47].toFixed(1)}; process + connect + query)`);
  }
} finally {
  db.drop();
  fs.rmSync(work, { recursive: true, force: true });
}
