// A minimal IMAP4rev1 client for the tests: LOGIN, SELECT, SEARCH, FETCH (literals), MOVE,
// LOGOUT; implicit TLS or STARTTLS (self-signed certificates accepted).
import net from 'node:net';
import tls from 'node:tls';

export class ImapClient {
  constructor(socket, timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.tag = 0;
    this.pending = null; // { tag, untagged: [], resolve, reject, timer }
    this.greetingWaiter = null;
    this.attach(socket);
  }

  attach(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.current = null; // response being assembled: { parts: [strings], literals: [Buffers] }
    this.literalLeft = 0;
    socket.on('data', (chunk) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      try { this.parse(); } catch (e) { this.fail(e); }
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('IMAP connection closed')));
  }

  detach() {
    for (const ev of ['data', 'error', 'close']) this.socket.removeAllListeners(ev);
  }

  fail(e) {
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.reject(e);
      this.pending = null;
    }
    if (this.greetingWaiter) this.greetingWaiter.reject(e);
    this.closed = e;
  }

  /** Splits the stream into responses: a line, possibly continued after {n} literals. */
  parse() {
    for (;;) {
      if (!this.current) this.current = { parts: [], literals: [] };
      if (this.literalLeft > 0) {
        if (this.buf.length < this.literalLeft) return;
        this.current.literals.push(this.buf.subarray(0, this.literalLeft));
        this.current.parts.push(`\u0000LITERAL${this.current.literals.length - 1}\u0000`);
        this.buf = this.buf.subarray(this.literalLeft);
        this.literalLeft = 0;
      }
      const i = this.buf.indexOf('\r\n');
      if (i < 0) return;
      const line = this.buf.subarray(0, i).toString('utf8');
      this.buf = this.buf.subarray(i + 2);
      const m = /\{(\d+)\}$/.exec(line);
      if (m) {
        this.current.parts.push(line.slice(0, m.index));
        this.literalLeft = Number(m[1]);
        if (this.literalLeft === 0) this.current.parts.push('""');
        continue;
      }
      this.current.parts.push(line);
      const resp = { text: this.current.parts.join(''), literals: this.current.literals };
      this.current = null;
      this.dispatch(resp);
    }
  }

  dispatch(resp) {
    if (this.greetingWaiter) {
      const w = this.greetingWaiter;
      this.greetingWaiter = null;
      w.resolve(resp);
      return;
    }
    const p = this.pending;
    if (!p) return;
    if (resp.text.startsWith('* ') || resp.text.startsWith('+')) {
      p.untagged.push(resp);
      if (resp.text.startsWith('+') && p.onContinue) p.onContinue(resp);
      return;
    }
    if (resp.text.startsWith(`${p.tag} `)) {
      clearTimeout(p.timer);
      this.pending = null;
      const rest = resp.text.slice(p.tag.length + 1);
      const [status] = rest.split(' ', 1);
      p.resolve({ status, text: rest.slice(status.length + 1), untagged: p.untagged });
    }
  }

  /** tls: 'implicit' (default) | 'starttls' | false. localAddress: source IP to connect from. */
  static async connect({ host = '127.0.0.1', port, tls: mode = 'implicit', localAddress, timeoutMs = 20000 }) {
    const socket = await new Promise((resolve, reject) => {
      const s = mode === 'implicit'
        ? tls.connect({ host, port, localAddress, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s))
        : net.connect({ host, port, localAddress }, () => resolve(s));
      s.once('error', reject);
    });
    const c = new ImapClient(socket, timeoutMs);
    c.greeting = await new Promise((resolve, reject) => {
      c.greetingWaiter = { resolve, reject };
      if (c.closed) reject(c.closed);
    });
    if (mode === 'starttls') {
      const r = await c.command('STARTTLS');
      if (r.status !== 'OK') throw new Error(`STARTTLS refused: ${r.text}`);
      c.detach();
      const secure = await new Promise((resolve, reject) => {
        const s = tls.connect({ socket, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
        s.once('error', reject);
      });
      c.attach(secure);
    }
    return c;
  }

  /** Sends a command; resolves { status: 'OK'|'NO'|'BAD', text, untagged }. */
  command(cmd, { logAs } = {}) {
    if (this.closed) return Promise.reject(this.closed);
    if (this.pending) return Promise.reject(new Error('IMAP command already in flight'));
    this.tag += 1;
    const tag = `A${this.tag}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new Error(`IMAP timeout: ${logAs || cmd}`));
      }, this.timeoutMs);
      this.pending = { tag, untagged: [], resolve, reject, timer };
      this.socket.write(`${tag} ${cmd}\r\n`);
    });
  }

  static quote(s) {
    return `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }

  login(user, pass) {
    return this.command(`LOGIN ${ImapClient.quote(user)} ${ImapClient.quote(pass)}`, { logAs: 'LOGIN' });
  }

  async select(mailbox) {
    const r = await this.command(`SELECT ${ImapClient.quote(mailbox)}`);
    const exists = r.untagged.map((u) => /^\* (\d+) EXISTS/.exec(u.text)).find(Boolean);
    return { ...r, exists: exists ? Number(exists[1]) : 0 };
  }

  /** UID SEARCH; returns the UIDs. */
  async search(criteria = 'ALL') {
    const r = await this.command(`UID SEARCH ${criteria}`);
    if (r.status !== 'OK') throw new Error(`SEARCH failed: ${r.text}`);
    const line = r.untagged.find((u) => u.text.startsWith('* SEARCH'));
    return line ? line.text.slice(8).trim().split(/\s+/).filter(Boolean).map(Number) : [];
  }

  /** The raw RFC 5322 message with this UID (without setting \Seen). */
  async fetchRaw(uid) {
    const r = await this.command(`UID FETCH ${uid} BODY.PEEK[]`);
    if (r.status !== 'OK') throw new Error(`FETCH failed: ${r.text}`);
    const resp = r.untagged.find((u) => /^\* \d+ FETCH/.test(u.text) && u.literals.length);
    if (!resp) throw new Error(`FETCH ${uid}: no message`);
    return resp.literals[0].toString('utf8');
  }

  move(uid, mailbox) {
    return this.command(`UID MOVE ${uid} ${ImapClient.quote(mailbox)}`);
  }

  async logout() {
    try { await this.command('LOGOUT'); } catch { /* server closes the connection */ }
    this.socket.destroy();
  }
}

/** Logs in, or returns the refusal: { ok, status, text }. */
export async function tryLogin({ port, tls: mode = 'implicit', localAddress, user, pass }) {
  const c = await ImapClient.connect({ port, tls: mode, localAddress });
  try {
    const r = await c.login(user, pass);
    return { ok: r.status === 'OK', status: r.status, text: r.text };
  } finally {
    await c.logout();
  }
}
