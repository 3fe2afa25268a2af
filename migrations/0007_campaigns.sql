-- Campaigns and the delivery ledger the sending engine works from.
--
-- A campaign is a draft until it starts; at start its audience is materialised into
-- `delivery` (one row per recipient, skipped ones included with their reason), and from
-- then on the ledger, not the contact tables, says who still has to be sent to. Workers of
-- any number of `billionmail serve` processes claim queued rows with FOR UPDATE SKIP LOCKED.

ALTER TABLE campaign
    ADD COLUMN status          TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'cancelled', 'finished')),
    ADD COLUMN from_name       TEXT NOT NULL DEFAULT '',
    ADD COLUMN from_email      TEXT NOT NULL DEFAULT '' CHECK (from_email = lower(from_email)),
    ADD COLUMN reply_to        TEXT NOT NULL DEFAULT '',
    ADD COLUMN subject         TEXT NOT NULL DEFAULT '',
    ADD COLUMN preheader       TEXT NOT NULL DEFAULT '',
    -- The library template the content was taken from (the campaign keeps its own copy, so
    -- editing the template later never changes a sent campaign).
    ADD COLUMN template_id     BIGINT REFERENCES email_template (id) ON DELETE SET NULL,
    ADD COLUMN document        JSONB,
    ADD COLUMN html            TEXT,
    ADD COLUMN list_ids        BIGINT[] NOT NULL DEFAULT '{}',
    ADD COLUMN segment_ids     BIGINT[] NOT NULL DEFAULT '{}',
    ADD COLUMN exclude_list_ids    BIGINT[] NOT NULL DEFAULT '{}',
    ADD COLUMN exclude_segment_ids BIGINT[] NOT NULL DEFAULT '{}',
    ADD COLUMN track_opens     BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN track_clicks    BOOLEAN NOT NULL DEFAULT TRUE,
    -- When a scheduled campaign starts, and the zone the admin chose it in (shown back).
    ADD COLUMN scheduled_at    TIMESTAMPTZ,
    ADD COLUMN time_zone       TEXT NOT NULL DEFAULT 'UTC',
    -- Target rate in messages per minute; 0 = as fast as the relay takes them.
    ADD COLUMN rate_per_minute INTEGER NOT NULL DEFAULT 0 CHECK (rate_per_minute >= 0),
    ADD COLUMN finished_at     TIMESTAMPTZ,
    -- Why a sending campaign is not moving ("waiting for relay: connection refused"), or ''.
    ADD COLUMN waiting_reason  TEXT NOT NULL DEFAULT '',
    ADD COLUMN updated_at      TIMESTAMPTZ NOT NULL DEFAULT now();

CREATE INDEX campaign_active ON campaign (id) WHERE status IN ('scheduled', 'sending');

-- The URLs a campaign's click tracking points at, by index: the redirect target comes from
-- here only, never from the request (no open redirects).
CREATE TABLE campaign_link (
    campaign_id BIGINT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL CHECK (idx >= 0),
    url         TEXT NOT NULL,
    PRIMARY KEY (campaign_id, idx)
);

-- The delivery ledger: one row per (campaign, recipient address).
--   queued → sending (claimed by a worker) → submitted (relay accepted; a DSN may later make
--   it delivered / bounced) | deferred (4xx, retried at next_attempt_at) | failed (5xx or
--   out of attempts); skipped rows (suppressed, duplicate) are written at start and never sent.
-- No foreign key to contact: the check would cost a lookup per materialised row, and GDPR
-- erasure deletes a contact's rows explicitly.
CREATE TABLE delivery (
    id              BIGSERIAL PRIMARY KEY,
    campaign_id     BIGINT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    contact_id      BIGINT,
    email           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'submitted', 'deferred', 'failed',
                        'skipped', 'delivered', 'bounced', 'complained')),
    -- Why a row was skipped ('suppressed: unsubscribe', 'duplicate', …) or failed.
    reason          TEXT NOT NULL DEFAULT '',
    -- gmail | microsoft | yahoo | apple | other, from the recipient domain's MX.
    provider        TEXT NOT NULL DEFAULT 'other',
    -- The send_worker holding the row while 'sending'.
    worker_id       INTEGER,
    attempts        SMALLINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    smtp_code       SMALLINT,
    smtp_status     TEXT,
    smtp_reply      TEXT,
    -- Whether the relay took the DSN request: without it "submitted" can only ever mean
    -- "accepted by relay".
    dsn             BOOLEAN,
    message_id      TEXT,
    submitted_at    TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX delivery_campaign_email ON delivery (campaign_id, email);
-- The work queue: what a worker claims next, in order.
CREATE INDEX delivery_queue ON delivery (campaign_id, id) WHERE state IN ('queued', 'deferred');
-- Rows held by workers, for reclaiming those of a worker that died.
CREATE INDEX delivery_sending ON delivery (worker_id) WHERE state = 'sending';
CREATE INDEX delivery_contact ON delivery (contact_id);
-- Today's count per sender domain (warm-up caps) and the live rate read recent submissions.
CREATE INDEX delivery_submitted ON delivery (submitted_at) WHERE submitted_at IS NOT NULL;

-- Every running sender process. A live worker holds the advisory lock
-- (x'424d'::int, id) on its own connection; PostgreSQL drops it the instant the process dies
-- (even on SIGKILL), which is how other processes know its claimed rows can be re-queued.
CREATE TABLE send_worker (
    id         SERIAL PRIMARY KEY,
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- How mail from a sender domain leaves: the bundled Postfix unless a row says otherwise.
CREATE TABLE sending_relay (
    domain_id       BIGINT PRIMARY KEY REFERENCES mail_domain (id) ON DELETE CASCADE,
    host            TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port            INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security        TEXT NOT NULL CHECK (security IN ('none', 'start_tls', 'tls')),
    username        TEXT,
    -- Needed in clear to log in to the relay; readable only by the database owner.
    password        TEXT,
    max_connections INTEGER NOT NULL DEFAULT 8 CHECK (max_connections BETWEEN 1 AND 64),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per destination provider: at most this many messages a minute across all campaigns.
CREATE TABLE provider_limit (
    provider   TEXT PRIMARY KEY CHECK (provider IN ('gmail', 'microsoft', 'yahoo', 'apple', 'other')),
    per_minute INTEGER NOT NULL CHECK (per_minute >= 0)
);

-- Warm-up: a new sending domain's daily cap grows day by day (cap of day N = daily_caps[N],
-- the last cap once the plan is over).
CREATE TABLE warmup_plan (
    domain_id  BIGINT PRIMARY KEY REFERENCES mail_domain (id) ON DELETE CASCADE,
    started_on DATE NOT NULL DEFAULT current_date,
    daily_caps INTEGER[] NOT NULL CHECK (cardinality(daily_caps) BETWEEN 1 AND 366),
    enabled    BOOLEAN NOT NULL DEFAULT TRUE
);

-- Install-wide secrets generated on first use (never constant across installs), e.g. the
-- key of tracking and VERP tokens. Shared by every process on the database.
CREATE TABLE app_secret (
    name       TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The mailbox provider behind a recipient domain, for per-provider limits and reports: the
-- well-known consumer domains by name, any other domain by its MX hosts as the last
-- "scan invalid domains" recorded them (email_domain_check.detail: "10 aspmx.l.google.com, …").
CREATE FUNCTION provider_of(domain TEXT, mx TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN domain IN ('gmail.com', 'googlemail.com') OR mx ~* '(google\.com|googlemail\.com)(,|$)' THEN 'gmail'
        WHEN domain ~ '^(outlook|hotmail|live|msn|windowslive|passport)\.[a-z.]+$'
             OR mx ~* '(outlook\.com|hotmail\.com|outlook\.cn)(,|$)' THEN 'microsoft'
        WHEN domain ~ '^(yahoo|ymail|rocketmail|aol|aim)\.[a-z.]+$'
             OR mx ~* '(yahoodns\.net|aol\.com)(,|$)' THEN 'yahoo'
        WHEN domain IN ('icloud.com', 'me.com', 'mac.com') OR mx ~* '(icloud\.com|apple\.com)(,|$)' THEN 'apple'
        ELSE 'other'
    END;
