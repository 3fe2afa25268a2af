// compose.yaml cannot run here (no Docker engine); this checks what it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ROUNDCUBE_VARIABLES } from '../mailstack/roundcube.mjs';

const root = new URL('../../', import.meta.url);
const ROOT = fileURLToPath(root);
// merge: the mail services share settings through a YAML anchor (<<: *mail-env), as Compose does
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true });
const MAIL_DAEMONS = ['postfix', 'dovecot', 'rspamd'];

/** Compose's own interpolation, with every variable unset: ${X:-default} → default. */
function interpolate(value) {
  return String(value)
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}/g, (_, name, dflt) => dflt ?? '')
    .replace(/\$\$/g, '$');
}

/** Every ${BM_*} placeholder in the files under dir. */
function placeholders(dir) {
  const names = new Set();
  const walk = (d) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (!ent.name.endsWith('.md')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\$\{(BM_[A-Z0-9_]+)\}/g)) names.add(m[1]);
      }
    }
  };
  walk(dir);
  return names;
}

/** The defaults an entrypoint sets itself: `: "${NAME:=value}"`. */
function entrypointDefaults(daemon) {
  const text = readFileSync(join(ROOT, 'mail/docker', daemon, 'entrypoint.sh'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^: "\$\{(BM_[A-Z0-9_]+):=([^}]*)\}"$/gm)].map((m) => [m[1], m[2]]));
}

function serviceEnv(name) {
  return compose.services[name].environment ?? {};
}

/** A volume entry "name:/path[:ro]" → { source, target, ro }. */
function mounts(name) {
  return (compose.services[name].volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':');
    return { source, target, ro: mode === 'ro' };
  });
}

/** One-shot services: not restarted, and something waits for them to complete. */
function isOneShot(name) {
  return compose.services[name].restart === 'no' && Object.values(compose.services)
    .some((s) => s.depends_on?.[name]?.condition === 'service_completed_successfully');
}

test('compose has the app, its database and cache, and the mail services', () => {
  assert.deepEqual(Object.keys(compose.services).sort(),
    ['app', 'app-volumes', 'dovecot', 'postfix', 'postgres', 'redis', 'roundcube', 'rspamd']);
});

test('images are pinned to major versions and the app is built from the repo', () => {
  assert.match(compose.services.postgres.image, /^postgres:\d+/);
  assert.match(compose.services.redis.image, /^redis:\d+/);
  assert.equal(compose.services.app.build.dockerfile, 'server/Dockerfile');
  // a specific RoundCube 1.6 release, not a moving tag
  assert.match(compose.services.roundcube.image, /^roundcube\/roundcubemail:1\.6\.\d+-apache$/);
});

test('every service has a healthcheck and state lives in named volumes', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    if (isOneShot(name)) continue;
    assert.ok(svc.healthcheck?.test, `${name} has a healthcheck`);
  }
  assert.ok(compose.volumes.pgdata !== undefined && compose.volumes.appdata !== undefined);
  assert.ok(compose.services.postgres.volumes.some((v) => v.startsWith('pgdata:')));
  assert.ok(compose.services.app.volumes.some((v) => v.startsWith('appdata:')));
  for (const [name] of Object.entries(compose.services)) {
    for (const m of mounts(name)) {
      if (m.source.startsWith('.') || m.source.startsWith('/')) continue;
      assert.ok(m.source in compose.volumes, `${name}: volume ${m.source} is declared`);
    }
  }
});

test('the mail services have meaningful healthchecks', () => {
  const hc = (name) => [].concat(compose.services[name].healthcheck.test).join(' ');
  assert.match(hc('postfix'), /postfix status/);
  assert.match(hc('dovecot'), /doveadm service status|\/dev\/tcp\/127\.0\.0\.1\/143/);
  assert.match(hc('rspamd'), /rspamadm control stat|11334\/ping/);
  assert.match(hc('roundcube'), /curl/);
});

test('the app waits for a healthy database and is configured through the environment', () => {
  assert.equal(compose.services.app.depends_on.postgres.condition, 'service_healthy');
  assert.match(compose.services.app.environment.DATABASE_URL, /^postgres:\/\/.*@postgres:5432\//);
  assert.match(compose.services.app.healthcheck.test.join(' '), /healthz/);
  assert.equal(serviceEnv('app').BM_ROUNDCUBE_URL, 'http://roundcube:80');
  assert.equal(serviceEnv('app').BM_DKIM_DIR, '/var/lib/billionmail/dkim');
});

test('the Dockerfile is multi-stage and uses the ordinary rustup route', () => {
  const dockerfile = readFileSync(new URL('server/Dockerfile', root), 'utf8');
  assert.ok((dockerfile.match(/^FROM /gm) || []).length >= 2, 'multi-stage');
  assert.match(dockerfile, /rustup target add wasm32-unknown-unknown/);
  assert.doesNotMatch(dockerfile, /build-std/);
});

test('build contexts and Dockerfiles exist; the mail images are Debian bookworm with our templates', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    if (!svc.build) {
      assert.ok(svc.image, `${name} has an image or a build`);
      continue;
    }
    const context = join(ROOT, svc.build.context);
    assert.ok(existsSync(context) && statSync(context).isDirectory(), `${name}: context ${svc.build.context}`);
    const dockerfile = join(context, svc.build.dockerfile ?? 'Dockerfile');
    assert.ok(existsSync(dockerfile), `${name}: ${dockerfile}`);
    // every COPY source (outside multi-stage --from copies) is inside the context
    for (const m of readFileSync(dockerfile, 'utf8').matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
      const parts = m[1].trim().split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        assert.ok(existsSync(join(context, src)), `${name}: COPY source ${src} exists in ${svc.build.context}`);
      }
    }
  }
  for (const daemon of MAIL_DAEMONS) {
    const svc = compose.services[daemon];
    assert.equal(svc.build.dockerfile, `docker/${daemon}/Dockerfile`);
    const text = readFileSync(join(ROOT, svc.build.context, svc.build.dockerfile), 'utf8');
    assert.match(text, /^FROM debian:bookworm-slim$/m);
    assert.match(text, new RegExp(`^COPY ${daemon}/ /usr/local/share/billionmail/${daemon}/$`, 'm'));
    assert.match(text, /gettext-base/, 'envsubst is installed');
    const entry = readFileSync(join(ROOT, 'mail/docker', daemon, 'entrypoint.sh'), 'utf8');
    assert.match(entry, new RegExp(`bm_render /usr/local/share/billionmail/${daemon} `));
  }
});

test('every ${BM_*} of mail/<daemon>/ is provided to the container that renders it', () => {
  for (const daemon of MAIL_DAEMONS) {
    const provided = new Set([...Object.keys(serviceEnv(daemon)), ...Object.keys(entrypointDefaults(daemon))]);
    const used = placeholders(join(ROOT, 'mail', daemon));
    assert.ok(used.size > 0, `mail/${daemon} has templates`);
    const missing = [...used].filter((n) => !provided.has(n));
    assert.deepEqual(missing, [], `${daemon} lacks ${missing.join(', ')}`);
  }
});

test('the entrypoints render every template with the compose values (lib.sh + envsubst)', { skip: !existsSync('/usr/bin/envsubst') && 'no envsubst' }, () => {
  const out = mkdtempSync(join(tmpdir(), 'bm-compose-render-'));
  try {
    for (const daemon of MAIL_DAEMONS) {
      const env = { PATH: process.env.PATH };
      for (const [k, v] of Object.entries({ ...entrypointDefaults(daemon), ...serviceEnv(daemon) })) env[k] = interpolate(v);
      const dest = join(out, daemon);
      const r = spawnSync('sh', ['-c', '. "$1"; bm_render "$2" "$3"', 'sh',
        join(ROOT, 'mail/docker/lib.sh'), join(ROOT, 'mail', daemon), dest], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, `${daemon}: ${r.stderr}`);
      const left = placeholders(dest);
      assert.deepEqual([...left], [], `${daemon}: unrendered ${[...left].join(', ')}`);
    }
    // the values the daemons talk to each other with
    const main = readFileSync(join(out, 'postfix/main.cf'), 'utf8');
    assert.match(main, /^virtual_transport = lmtp:inet:dovecot:24$/m);
    assert.match(main, /^smtpd_milters = inet:rspamd:11332$/m);
    assert.match(main, /^mynetworks = 127\.0\.0\.0\/8 \[::1\]\/128 172\.30\.77\.10\/32$/m);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('mail ports are published by postfix and dovecot', () => {
  const published = (name) => (compose.services[name].ports ?? []).map((p) => String(p).split(':').pop());
  assert.deepEqual(published('postfix').sort(), ['25', '465', '587']);
  assert.deepEqual(published('dovecot').sort(), ['110', '143', '993', '995']);
  assert.deepEqual(published('rspamd'), []);
  assert.deepEqual(published('roundcube'), [], 'webmail only through the app');
});

test('shared volumes: the app writes DKIM keys and certificates, the daemons read them', () => {
  const mount = (svc, vol) => mounts(svc).find((m) => m.source === vol);
  assert.equal(mount('app', 'dkim').ro, false);
  assert.equal(mount('app', 'tls').ro, false);
  assert.equal(mount('rspamd', 'dkim').ro, true);
  assert.equal(mount('rspamd', 'dkim').target, serviceEnv('rspamd').BM_DKIM_DIR);
  assert.equal(mount('app', 'dkim').target, serviceEnv('app').BM_DKIM_DIR);
  for (const d of ['postfix', 'dovecot']) {
    const m = mount(d, 'tls');
    assert.equal(m.ro, true, `${d} reads tls`);
    assert.ok(serviceEnv(d).BM_TLS_CERT.startsWith(`${m.target}/`), `${d}: BM_TLS_CERT is on the volume`);
    // The files the app writes there for the mail host (engine/src/tls): <host>/fullchain.pem
    // and <host>/privkey.pem, with BM_TLS_DIR (default BM_DATA_DIR/tls) at the same place.
    const host = interpolate(serviceEnv(d).BM_HOSTNAME);
    assert.equal(interpolate(serviceEnv(d).BM_TLS_CERT), `${m.target}/${host}/fullchain.pem`);
    assert.equal(interpolate(serviceEnv(d).BM_TLS_KEY), `${m.target}/${host}/privkey.pem`);
    assert.equal(mount('app', 'tls').target, `${serviceEnv('app').BM_DATA_DIR}/tls`);
  }
  assert.ok(mount('dovecot', 'vmail'));
  assert.ok(mount('rspamd', 'rspamddata'));
});

test('roundcube: upstream image configured by environment plus our shared include', () => {
  const env = serviceEnv('roundcube');
  assert.match(env.ROUNDCUBEMAIL_DEFAULT_HOST, /^(tls|ssl):\/\/dovecot$/);
  assert.match(env.ROUNDCUBEMAIL_SMTP_SERVER, /^(tls|ssl):\/\/postfix$/);
  const include = mounts('roundcube').find((m) => m.target.startsWith('/var/roundcube/config/'));
  assert.ok(include, 'billionmail.inc.php is mounted into /var/roundcube/config/');
  const file = join(ROOT, include.source);
  assert.ok(existsSync(file), include.source);
  assert.deepEqual([...readFileSync(file, 'utf8').matchAll(/\$\{BM_[A-Z0-9_]+\}/g)], [], 'the include has no placeholders');
  // the template's variables are exactly the ones the test renderer fills
  assert.deepEqual([...placeholders(join(ROOT, 'mail/roundcube'))].sort(), [...ROUNDCUBE_VARIABLES].sort());
});
