-- The mail server's own data: domains, mailboxes, aliases, alias domains, BCC rules,
-- DKIM keys, and the quota usage Dovecot reports back.
--
-- Postfix and Dovecot never read these tables. They read the `mail_*` views at the end of
-- this file, whose columns are a stable contract (mail/README.md): tables may change shape,
-- the views keep their columns. Every name stored here is ASCII lower case (IDN domains as
-- punycode), so daemons compare with plain `=` and indexes serve every lookup.

CREATE TABLE mail_domain (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE CHECK (name = lower(name) AND length(name) BETWEEN 3 AND 253),
    description         TEXT NOT NULL DEFAULT '',
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    -- 0 = no limit.
    max_mailboxes       INTEGER NOT NULL DEFAULT 0 CHECK (max_mailboxes >= 0),
    default_quota_bytes BIGINT NOT NULL DEFAULT 1073741824 CHECK (default_quota_bytes >= 0),
    -- Sum of mailbox quotas allowed in the domain; 0 = no limit.
    total_quota_bytes   BIGINT NOT NULL DEFAULT 0 CHECK (total_quota_bytes >= 0),
    -- Where mail to unknown addresses of the domain goes; NULL = rejected as unknown.
    catch_all           TEXT CHECK (catch_all = lower(catch_all)),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE mailbox (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id           BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    local_part          TEXT NOT NULL CHECK (local_part = lower(local_part) AND length(local_part) BETWEEN 1 AND 64),
    address             TEXT NOT NULL UNIQUE CHECK (address = lower(address)),
    display_name        TEXT NOT NULL DEFAULT '',
    -- Dovecot scheme-prefixed hash, always `{ARGON2ID}$argon2id$…`.
    password_hash       TEXT NOT NULL CHECK (password_hash LIKE '{ARGON2ID}$argon2id$%'),
    -- 0 = no limit.
    quota_bytes         BIGINT NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    password_changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (domain_id, local_part)
);
CREATE INDEX mailbox_domain_id ON mailbox (domain_id);

-- One address, many targets. The address may be a mailbox's own (a forward; list the
-- mailbox among the targets to keep a copy).
CREATE TABLE mail_alias (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id   BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    address     TEXT NOT NULL UNIQUE CHECK (address = lower(address)),
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    -- Role addresses (RFC 2142) created with the domain; deletable, but marked so.
    is_role     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mail_alias_domain_id ON mail_alias (domain_id);

CREATE TABLE mail_alias_target (
    alias_id BIGINT NOT NULL REFERENCES mail_alias (id) ON DELETE CASCADE,
    target   TEXT NOT NULL CHECK (target = lower(target)),
    PRIMARY KEY (alias_id, target)
);
CREATE INDEX mail_alias_target_target ON mail_alias_target (target);

-- Mail to anything@name is delivered as anything@<target domain>.
CREATE TABLE mail_alias_domain (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE CHECK (name = lower(name)),
    target_domain_id BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Copy every message sent by (kind = 'sender') or to (kind = 'recipient') an address or a
-- whole domain (`@example.com`) to another address.
CREATE TABLE mail_bcc_rule (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id   BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('sender', 'recipient')),
    match       TEXT NOT NULL CHECK (match = lower(match)),
    bcc_to      TEXT NOT NULL CHECK (bcc_to = lower(bcc_to)),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (kind, match)
);

-- Written by Dovecot (quota dict over SQL) whenever a mailbox's usage changes.
CREATE TABLE mail_quota_usage (
    username TEXT PRIMARY KEY,
    bytes    BIGINT NOT NULL DEFAULT 0,
    messages BIGINT NOT NULL DEFAULT 0
);

-- DKIM keys the engine generated; the private key is also written as a file Rspamd reads.
CREATE TABLE dkim_key (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id   BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    selector    TEXT NOT NULL,
    algorithm   TEXT NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
    private_pem TEXT NOT NULL,
    -- The `p=` value of the DNS TXT record.
    public_b64  TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (domain_id, selector)
);

-- The catch-all key Postfix looks up (`@domain`) is computed in mail_aliases; this index
-- keeps that branch of the lookup an index probe instead of a scan of every domain.
CREATE INDEX mail_domain_catch_all_key ON mail_domain (('@' || name)) WHERE catch_all IS NOT NULL;

-- ---------------------------------------------------------------------------------------
-- The stable contract read by Postfix and Dovecot. Only active things appear.

CREATE VIEW mail_domains AS
SELECT d.name AS domain, d.catch_all
FROM mail_domain d
WHERE d.active;

CREATE VIEW mail_mailboxes AS
SELECT m.address     AS username,
       m.local_part,
       d.name        AS domain,
       m.password_hash AS password,
       m.quota_bytes,
       d.name || '/' || m.local_part AS maildir
FROM mailbox m
JOIN mail_domain d ON d.id = m.domain_id
WHERE m.active AND d.active;

-- Every active mailbox maps to itself (so a catch-all never swallows it), explicit aliases
-- map to their targets, and a catch-all is the `@domain` key Postfix looks up last.
CREATE VIEW mail_aliases AS
SELECT a.address, string_agg(t.target, ',' ORDER BY t.target) AS goto
FROM mail_alias a
JOIN mail_domain d ON d.id = a.domain_id AND d.active
JOIN mail_alias_target t ON t.alias_id = a.id
WHERE a.active
GROUP BY a.address
UNION ALL
SELECT mb.username, mb.username
FROM mail_mailboxes mb
WHERE NOT EXISTS (
    SELECT 1 FROM mail_alias a
    WHERE a.address = mb.username AND a.active
      AND EXISTS (SELECT 1 FROM mail_alias_target t WHERE t.alias_id = a.id)
)
UNION ALL
SELECT '@' || d.name, d.catch_all
FROM mail_domain d
WHERE d.active AND d.catch_all IS NOT NULL;

CREATE VIEW mail_alias_domains AS
SELECT ad.name AS alias_domain, d.name AS target_domain
FROM mail_alias_domain ad
JOIN mail_domain d ON d.id = ad.target_domain_id
WHERE ad.active AND d.active;

CREATE VIEW mail_bcc AS
SELECT b.kind, b.match, b.bcc_to
FROM mail_bcc_rule b
JOIN mail_domain d ON d.id = b.domain_id
WHERE b.active AND d.active;

-- The role the mail daemons connect as: read the views, report quota usage, nothing else.
-- Roles are cluster-wide, so a second database (or a parallel test) may have made it.
DO $$
BEGIN
    CREATE ROLE billionmail_mail NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT SELECT ON mail_domains, mail_mailboxes, mail_aliases, mail_alias_domains, mail_bcc TO billionmail_mail;
GRANT SELECT, INSERT, UPDATE, DELETE ON mail_quota_usage TO billionmail_mail;
