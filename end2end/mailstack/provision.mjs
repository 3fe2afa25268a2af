// Provisioning for the mail-stack test, through the app's own server functions (the same
// JSON calls the admin pages make): domains, mailboxes, aliases, enabling/disabling.
import { signIn } from './app.mjs';

/**
 * @param {{ baseUrl: string, admin: { username: string, password: string } }} config
 */
export async function createProvisioner({ baseUrl, admin }) {
  const api = await signIn(baseUrl, admin);
  return {
    api,

    /** A mail domain (active, defaults); resolves to the stored domain (with its DKIM selector). */
    addDomain(name, settings = {}) {
      return api.call('mail/domains/create', {
        input: {
          name, description: '', active: true, max_mailboxes: 0, default_quota_bytes: 1073741824,
          total_quota_bytes: 0, catch_all: null, ...settings,
        },
      });
    },

    /** A mailbox; quotaBytes 0 = unlimited. */
    addMailbox(address, password, quotaBytes = 0) {
      return api.call('mail/mailboxes/create', {
        input: { address, display_name: '', quota_bytes: quotaBytes, active: true, password },
      });
    },

    /** An alias delivering to every target. */
    addAlias(address, targets) {
      return api.call('mail/aliases/create', { input: { address, targets, description: '', active: true } });
    },

    /** Enables or disables a mailbox (a disabled one vanishes from mail_mailboxes). */
    setMailboxActive(address, active) {
      return api.call('mail/mailboxes/set-active', { address, active });
    },

    /** Removes a domain with everything in it. */
    async removeDomain(name) {
      try {
        await api.call('mail/domains/delete', { name, confirm: name });
      } catch (e) {
        if (e.status !== 404) throw e;
      }
    },
  };
}

/** The PEM form of a DKIM `p=` value (base64 SubjectPublicKeyInfo). */
export function publicKeyPem(p) {
  const lines = p.match(/.{1,64}/g).join('\n');
  return `-----BEGIN PUBLIC KEY-----\n${lines}\n-----END PUBLIC KEY-----\n`;
}
