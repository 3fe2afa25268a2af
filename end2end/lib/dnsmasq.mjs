// A real DNS server for the browser tests: Debian's dnsmasq on a loopback port, serving a
// zone written by the test. The server under test resolves through it (BM_DNS_RESOLVER).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Path of the dnsmasq binary, or undefined when it is not installed. */
export function dnsmasqBinary() {
  return ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => existsSync(p));
}

/** One `txt-record=` line, quoted so commas and semicolons stay in one string. */
export const txt = (name, value) => `txt-record=${name},"${value.replaceAll('"', '\\"')}"\n`;

/** dnsmasq on `port`, its config written under `dir`; `serve(conf)` (re)starts it. */
export class Dnsmasq {
  constructor(port, dir) {
    this.port = port;
    this.dir = dir;
    this.child = undefined;
  }

  /** (Re)starts dnsmasq serving `conf` and waits until it accepts connections. */
  async serve(conf) {
    await this.stop();
    const file = path.join(this.dir, 'zone.conf');
    writeFileSync(file, conf);
    const args = ['--keep-in-foreground', `--conf-file=${file}`, `--port=${this.port}`, '--listen-address=127.0.0.1',
      '--bind-interfaces', '--no-hosts', '--no-resolv', '--no-poll', '--pid-file', '--log-facility=-'];
    if (process.getuid?.() === 0) args.push('--user=root');
    this.child = spawn(dnsmasqBinary(), args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise((resolve) => {
        const s = net.connect(this.port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error('dnsmasq did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops it (and waits for the port to be free). */
  async stop() {
    if (!this.child) return;
    const child = this.child;
    this.child = undefined;
    if (child.exitCode === null) {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    }
  }
}
