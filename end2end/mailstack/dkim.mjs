// DKIM (RFC 6376) signature verification for the tests, against a known public key (no DNS).
// Supports rsa-sha256 and ed25519-sha256 with simple/relaxed canonicalization.
//
// The product's own verifier is `billionmail mail verify-dkim` (mail-auth, keys from the
// database); the test runs both, so two independent implementations must agree.
import crypto from 'node:crypto';

function splitMessage(raw) {
  const text = raw.replace(/\r?\n/g, '\r\n');
  const i = text.indexOf('\r\n\r\n');
  const head = i < 0 ? text : text.slice(0, i + 2);
  const body = i < 0 ? '' : text.slice(i + 4);
  // Header fields: a line not starting with WSP begins a field; folded lines continue it.
  const fields = [];
  for (const line of head.split('\r\n')) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1].raw += `\r\n${line}`;
    else fields.push({ name: line.slice(0, line.indexOf(':')).trim(), raw: line });
  }
  return { fields, body };
}

export function parseTags(value) {
  const tags = {};
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).replace(/\r\n/g, '').trim();
    if (k === 'b' || k === 'bh' || k === 'h') v = v.replace(/[ \t]+/g, '');
    tags[k] = v;
  }
  return tags;
}

function canonBody(body, mode, limit) {
  let out;
  if (mode === 'relaxed') {
    const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ +$/, ''));
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    out = lines.length ? `${lines.join('\r\n')}\r\n` : '';
  } else {
    out = body.replace(/(\r\n)*$/, '');
    out = `${out}\r\n`;
  }
  return limit === undefined ? out : out.slice(0, limit);
}

function canonHeader(raw, mode) {
  if (mode !== 'relaxed') return raw;
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = raw.slice(colon + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim();
  return `${name}:${value}`;
}

/**
 * Verifies the DKIM-Signature of a raw message (optionally the one with d=/s= as given)
 * with the given public key. Returns { ok, reason, tags }.
 */
export function verifyDkimSignature(raw, publicKeyPem, { domain, selector } = {}) {
  const { fields, body } = splitMessage(raw);
  const sigs = fields.filter((f) => f.name.toLowerCase() === 'dkim-signature')
    .map((f) => ({ field: f, tags: parseTags(f.raw.slice(f.raw.indexOf(':') + 1)) }))
    .filter(({ tags }) => (!domain || tags.d === domain) && (!selector || tags.s === selector));
  if (sigs.length === 0) return { ok: false, reason: 'no matching DKIM-Signature header' };
  const { field, tags } = sigs[0];
  const [hMode, bMode = 'simple'] = (tags.c || 'simple/simple').split('/');
  const algo = tags.a;
  if (algo !== 'rsa-sha256' && algo !== 'ed25519-sha256') return { ok: false, reason: `unsupported a=${algo}`, tags };

  const bodyHash = crypto.createHash('sha256')
    .update(canonBody(body, bMode, tags.l === undefined ? undefined : Number(tags.l))).digest('base64');
  if (bodyHash !== tags.bh) return { ok: false, reason: `body hash mismatch (computed ${bodyHash}, bh=${tags.bh})`, tags };

  // Signed header fields, each instance taken from the bottom up; missing ones add nothing.
  const used = new Set();
  const parts = [];
  for (const name of tags.h.split(':').map((n) => n.trim().toLowerCase()).filter(Boolean)) {
    for (let i = fields.length - 1; i >= 0; i -= 1) {
      if (!used.has(i) && fields[i].name.toLowerCase() === name) {
        used.add(i);
        parts.push(`${canonHeader(fields[i].raw, hMode)}\r\n`);
        break;
      }
    }
  }
  const unsigned = field.raw.replace(/((?:^|[;:])[ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1');
  parts.push(canonHeader(unsigned, hMode));
  const data = Buffer.from(parts.join(''), 'utf8');
  const key = crypto.createPublicKey(publicKeyPem);
  const sig = Buffer.from(tags.b, 'base64');
  const ok = algo === 'rsa-sha256'
    ? crypto.verify('sha256', data, key, sig)
    : crypto.verify(null, crypto.createHash('sha256').update(data).digest(), key, sig);
  return { ok, reason: ok ? 'signature verified' : 'signature does not verify', tags };
}
