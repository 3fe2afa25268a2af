-- Deliverability: the DNS records each domain needs and their verified status, DKIM key
-- rotation, blocklist (DNSBL) scans, and TLS certificates.

-- ---------------------------------------------------------------------------------------
-- DKIM keys get a life cycle instead of an on/off flag:
--   pending  – generated, to be published in DNS next to the active one; not signing yet
--   active   – the key Rspamd signs with (one per domain)
--   retiring – replaced, still published so mail in flight verifies, until retire_at
--   retired  – no longer published or used; kept so old messages can still be checked here
ALTER TABLE dkim_key
    ADD COLUMN state           TEXT NOT NULL DEFAULT 'active'
        CHECK (state IN ('pending', 'active', 'retiring', 'retired')),
    ADD COLUMN dns_verified_at TIMESTAMPTZ,
    ADD COLUMN activated_at    TIMESTAMPTZ,
    ADD COLUMN retire_at       TIMESTAMPTZ,
    -- Days the key this one replaces stays published after the switch.
    ADD COLUMN grace_days      INT NOT NULL DEFAULT 7 CHECK (grace_days BETWEEN 0 AND 365);
UPDATE dkim_key SET state = CASE WHEN active THEN 'active' ELSE 'retired' END,
                    activated_at = CASE WHEN active THEN created_at END;
ALTER TABLE dkim_key DROP COLUMN active;
CREATE UNIQUE INDEX dkim_key_one_active ON dkim_key (domain_id) WHERE state = 'active';
CREATE UNIQUE INDEX dkim_key_one_pending ON dkim_key (domain_id) WHERE state = 'pending';

-- ---------------------------------------------------------------------------------------
-- What the admin chose for a domain's DNS policy records. A domain without a row uses the
-- defaults written here (the engine reads them through COALESCE on a LEFT JOIN).
CREATE TABLE domain_dns_policy (
    domain_id     BIGINT PRIMARY KEY REFERENCES mail_domain (id) ON DELETE CASCADE,
    dmarc_policy  TEXT NOT NULL DEFAULT 'quarantine' CHECK (dmarc_policy IN ('none', 'quarantine', 'reject')),
    dmarc_pct     SMALLINT NOT NULL DEFAULT 100 CHECK (dmarc_pct BETWEEN 0 AND 100),
    -- Addresses (without mailto:) that receive aggregate / failure reports.
    dmarc_rua     TEXT[] NOT NULL DEFAULT '{}',
    dmarc_ruf     TEXT[] NOT NULL DEFAULT '{}',
    -- Extra SPF includes for outside relays that send for the domain (include:… values).
    spf_includes  TEXT[] NOT NULL DEFAULT '{}',
    mta_sts_mode  TEXT NOT NULL DEFAULT 'testing' CHECK (mta_sts_mode IN ('none', 'testing', 'enforce')),
    tls_rpt_rua   TEXT[] NOT NULL DEFAULT '{}',
    -- Changes whenever the MTA-STS policy changes, as RFC 8461 asks (`id=` of _mta-sts).
    mta_sts_id    TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS'),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------
-- Latest verification result per record of a domain, and every change of status.
ALTER TABLE mail_domain
    ADD COLUMN dns_checked_at   TIMESTAMPTZ,
    -- Set while every required record is fine; a domain that has never been all good is
    -- re-checked every few minutes, later hourly.
    ADD COLUMN dns_all_ok_since TIMESTAMPTZ;

CREATE TABLE dns_record_status (
    domain_id    BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    -- Stable key of the record: 'mx', 'spf', 'dkim:bm202611', 'ptr:192.0.2.10', …
    record_key   TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- The whole check as the admin page shows it (model::deliverability::RecordCheck).
    detail       JSONB NOT NULL,
    checked_at   TIMESTAMPTZ NOT NULL,
    status_since TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (domain_id, record_key)
);

CREATE TABLE dns_record_history (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id  BIGINT NOT NULL REFERENCES mail_domain (id) ON DELETE CASCADE,
    record_key TEXT NOT NULL,
    status     TEXT NOT NULL,
    problem    TEXT,
    at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX dns_record_history_domain ON dns_record_history (domain_id, at DESC);

-- ---------------------------------------------------------------------------------------
-- Blocklists: the lists to query (seeded from the engine's curated catalog, editable), each
-- scan, each result, and listings with the time they were first and last seen.
CREATE TABLE dnsbl_list (
    zone       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('ip', 'domain')),
    delist_url TEXT NOT NULL DEFAULT '',
    major      BOOLEAN NOT NULL DEFAULT FALSE,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    builtin    BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE dnsbl_scan (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger     TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    targets     INT NOT NULL DEFAULT 0,
    queries     INT NOT NULL DEFAULT 0,
    listed      INT NOT NULL DEFAULT 0,
    errors      INT NOT NULL DEFAULT 0,
    duration_ms INT
);

CREATE TABLE dnsbl_result (
    scan_id BIGINT NOT NULL REFERENCES dnsbl_scan (id) ON DELETE CASCADE,
    target  TEXT NOT NULL,
    zone    TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('clean', 'listed', 'error')),
    -- The A answer (127.0.0.x) and TXT reason when listed; the error when not answered.
    answer  TEXT NOT NULL DEFAULT '',
    reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scan_id, target, zone)
);

CREATE TABLE dnsbl_listing (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target       TEXT NOT NULL,
    zone         TEXT NOT NULL,
    first_seen   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen    TIMESTAMPTZ NOT NULL DEFAULT now(),
    delisted_at  TIMESTAMPTZ,
    answer       TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    alerted      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX dnsbl_listing_open ON dnsbl_listing (target, zone) WHERE delisted_at IS NULL;

-- ---------------------------------------------------------------------------------------
-- TLS certificates per host name: issued by ACME or uploaded by the admin.
CREATE TABLE tls_certificate (
    host          TEXT PRIMARY KEY,
    -- 'admin' = the web/tracking host (TLS-ALPN-01 in-process); 'mail' = Postfix/Dovecot
    -- (HTTP-01, exported as PEM files).
    purpose       TEXT NOT NULL CHECK (purpose IN ('admin', 'mail')),
    source        TEXT NOT NULL CHECK (source IN ('acme', 'custom')),
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'valid', 'failed')),
    chain_pem     TEXT,
    key_pem       TEXT,
    not_before    TIMESTAMPTZ,
    not_after     TIMESTAMPTZ,
    issuer        TEXT,
    last_error    TEXT,
    last_attempt  TIMESTAMPTZ,
    issued_at     TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The ACME account key per directory URL (PKCS#8 PEM), so renewals reuse the account.
CREATE TABLE acme_account (
    directory_url TEXT PRIMARY KEY,
    key_pem       TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
