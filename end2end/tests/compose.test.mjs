// compose.yaml cannot run here (no Docker engine); this checks what it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'));

test('compose has the app, postgres and redis services', () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['app', 'postgres', 'redis']);
});

test('images are pinned to major versions and the app is built from the repo', () => {
  assert.match(compose.services.postgres.image, /^postgres:\d+/);
  assert.match(compose.services.redis.image, /^redis:\d+/);
  assert.equal(compose.services.app.build.dockerfile, 'server/Dockerfile');
});

test('every service has a healthcheck and state lives in named volumes', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.ok(svc.healthcheck?.test, `${name} has a healthcheck`);
  }
  assert.ok(compose.volumes.pgdata !== undefined && compose.volumes.appdata !== undefined);
  assert.ok(compose.services.postgres.volumes.some((v) => v.startsWith('pgdata:')));
  assert.ok(compose.services.app.volumes.some((v) => v.startsWith('appdata:')));
});

test('the app waits for a healthy database and is configured through the environment', () => {
  assert.equal(compose.services.app.depends_on.postgres.condition, 'service_healthy');
  assert.match(compose.services.app.environment.DATABASE_URL, /^postgres:\/\/.*@postgres:5432\//);
  assert.match(compose.services.app.healthcheck.test.join(' '), /healthz/);
});

test('the Dockerfile is multi-stage and uses the ordinary rustup route', () => {
  const dockerfile = readFileSync(new URL('server/Dockerfile', root), 'utf8');
  assert.ok((dockerfile.match(/^FROM /gm) || []).length >= 2, 'multi-stage');
  assert.match(dockerfile, /rustup target add wasm32-unknown-unknown/);
  assert.doesNotMatch(dockerfile, /build-std/);
});
