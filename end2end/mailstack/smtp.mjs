// A minimal SMTP client for the tests: plain, STARTTLS or implicit TLS, AUTH PLAIN, and
// every reply (code + text) exposed so tests can assert on rejections.
import net from 'node:net';
import tls from 'node:tls';

class LineReader {
  constructor() {
    this.buf = '';
    this.waiters = [];
    this.lines = [];
    this.error = null;
  }

  attach(stream) {
    this.stream = stream;
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      this.buf += chunk;
      let i;
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
      }
      this.wake();
    });
    const fail = (e) => { this.error = e || new Error('connection closed'); this.wake(); };
    stream.on('error', fail);
    stream.on('close', () => fail(null));
  }

  detach() {
    this.stream.removeAllListeners('data');
    this.stream.removeAllListeners('error');
    this.stream.removeAllListeners('close');
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async line(timeoutMs) {
    const end = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.error) throw this.error;
      const left = end - Date.now();
      if (left <= 0) throw new Error('SMTP read timeout');
      await new Promise((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => { clearTimeout(t); res(); });
      });
    }
    return this.lines.shift();
  }
}

export class SmtpClient {
  constructor(socket, opts) {
    this.socket = socket;
    this.opts = opts;
    this.reader = new LineReader();
    this.reader.attach(socket);
    this.transcript = [];
  }

  /** Opens a connection and reads the greeting. tls: false | 'starttls' (caller issues it) | 'implicit'. */
  static async connect({ host = '127.0.0.1', port, tls: mode = false, localAddress, timeoutMs = 30000 }) {
    const socket = await new Promise((resolve, reject) => {
      const s = mode === 'implicit'
        ? tls.connect({ host, port, localAddress, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s))
        : net.connect({ host, port, localAddress }, () => resolve(s));
      s.once('error', reject);
    });
    const c = new SmtpClient(socket, { host, timeoutMs });
    c.greeting = await c.reply();
    return c;
  }

  async reply() {
    const lines = [];
    for (;;) {
      const l = await this.reader.line(this.opts.timeoutMs);
      this.transcript.push(`S: ${l}`);
      lines.push(l);
      if (/^\d{3}(?: |$)/.test(l)) break;
      if (!/^\d{3}-/.test(l)) throw new Error(`bad SMTP reply line: ${l}`);
    }
    const code = Number(lines[0].slice(0, 3));
    return { code, text: lines.map((l) => l.slice(4)).join('\n'), lines };
  }

  async cmd(line, logAs = line) {
    this.transcript.push(`C: ${logAs}`);
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async ehlo(name = 'client.example.net') {
    const r = await this.cmd(`EHLO ${name}`);
    this.extensions = r.lines.slice(1).map((l) => l.slice(4).toUpperCase());
    return r;
  }

  async starttls() {
    const r = await this.cmd('STARTTLS');
    if (r.code !== 220) return r;
    this.reader.detach();
    const plain = this.socket;
    this.socket = await new Promise((resolve, reject) => {
      const s = tls.connect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
      s.once('error', reject);
    });
    this.reader = new LineReader();
    this.reader.attach(this.socket);
    return r;
  }

  async authPlain(user, pass) {
    const token = Buffer.from(`\0${user}\0${pass}`).toString('base64');
    return this.cmd(`AUTH PLAIN ${token}`, 'AUTH PLAIN <credentials>');
  }

  async mailFrom(addr, { size } = {}) {
    return this.cmd(`MAIL FROM:<${addr}>${size ? ` SIZE=${size}` : ''}`);
  }

  async rcptTo(addr) {
    return this.cmd(`RCPT TO:<${addr}>`);
  }

  /** DATA + dot-stuffed message; returns the final reply. */
  async data(message) {
    const r = await this.cmd('DATA');
    if (r.code !== 354) return r;
    let body = message.replace(/\r?\n/g, '\r\n');
    if (!body.endsWith('\r\n')) body += '\r\n';
    body = body.replace(/^\./gm, '..');
    this.socket.write(`${body}.\r\n`);
    this.transcript.push(`C: <${body.length} bytes>.`);
    return this.reply();
  }

  async quit() {
    try { await this.cmd('QUIT'); } catch { /* already closed */ }
    this.socket.destroy();
  }
}

/**
 * One whole transaction. Returns { ok, stage, reply, transcript }: stage is where it stopped
 * ('greeting', 'ehlo', 'starttls', 'auth', 'mail', 'rcpt', 'data', 'done').
 * opts: port, tls (false|'starttls'|'implicit'), auth {user, pass}, from, to (string|array),
 * message (string), size (MAIL FROM SIZE=), localAddress.
 */
export async function sendMail(opts) {
  const c = await SmtpClient.connect({ port: opts.port, tls: opts.tls === 'implicit' ? 'implicit' : false, localAddress: opts.localAddress });
  const result = (stage, reply) => ({ ok: stage === 'done', stage, reply, transcript: c.transcript.join('\n') });
  try {
    if (c.greeting.code !== 220) return result('greeting', c.greeting);
    let r = await c.ehlo();
    if (r.code !== 250) return result('ehlo', r);
    if (opts.tls === 'starttls') {
      r = await c.starttls();
      if (r.code !== 220) return result('starttls', r);
      r = await c.ehlo();
      if (r.code !== 250) return result('ehlo', r);
    }
    if (opts.auth) {
      r = await c.authPlain(opts.auth.user, opts.auth.pass);
      if (r.code !== 235) return result('auth', r);
    }
    r = await c.mailFrom(opts.from, { size: opts.size });
    if (r.code !== 250) return result('mail', r);
    const rcpts = Array.isArray(opts.to) ? opts.to : [opts.to];
    for (const to of rcpts) {
      r = await c.rcptTo(to);
      if (r.code !== 250) return result('rcpt', r);
    }
    r = await c.data(opts.message);
    if (r.code !== 250) return result('data', r);
    return result('done', r);
  } finally {
    await c.quit();
  }
}

/** A small RFC 5322 message. */
export function buildMessage({ from, to, subject, body = 'Hello.\n', headers = {} }) {
  const id = `<${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@client.example.net>`;
  const h = {
    From: from,
    To: Array.isArray(to) ? to.join(', ') : to,
    Subject: subject,
    Date: new Date().toUTCString().replace('GMT', '+0000'),
    'Message-ID': id,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  };
  return `${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`;
}
