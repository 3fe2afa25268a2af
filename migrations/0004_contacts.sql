-- Contacts: the audience of campaigns. Lists (BillionMail's "groups") with a status per
-- contact, tags, typed custom attributes, saved segments, a per-contact timeline, the
-- suppression list, and CSV imports that run in the background.

-- ---------------------------------------------------------------------------------------
-- Lists. `opt_in` decides whether a signup is subscribed at once or after confirmation;
-- `visibility` whether the list may be offered on public signup/preference pages.
CREATE TABLE contact_list (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description TEXT NOT NULL DEFAULT '',
    opt_in      TEXT NOT NULL DEFAULT 'single' CHECK (opt_in IN ('single', 'double')),
    visibility  TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contact_list_name ON contact_list (lower(name));

-- ---------------------------------------------------------------------------------------
-- Contacts. `email` is stored normalised (trimmed, lower case, IDN domains as punycode), so
-- the plain unique index makes addresses unique case-insensitively and imports can upsert
-- on it. `domain` is derived for email-domain segments and the invalid-domain scan.
CREATE TABLE contact (
    id               BIGSERIAL PRIMARY KEY,
    email            TEXT NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    domain           TEXT GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED,
    name             TEXT NOT NULL DEFAULT '',
    attributes       JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    tags             TEXT[] NOT NULL DEFAULT '{}',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_activity_at TIMESTAMPTZ,
    -- The import that created the contact (shown on its timeline; no timeline row is written
    -- per imported contact, which would double the cost of a large import). No foreign key:
    -- an import's row may be cleaned up, the contact stays.
    import_id        BIGINT,
    -- Engagement kept on the contact by the contact_event trigger below, so segments such as
    -- "opened one of the last 5 campaigns" read one column instead of millions of events:
    -- the send time of the newest campaign the contact opened, its last click, its first
    -- hard bounce.
    last_open_campaign_at TIMESTAMPTZ,
    last_click_at    TIMESTAMPTZ,
    hard_bounced_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX contact_email ON contact (email);
CREATE INDEX contact_domain ON contact (domain);
-- (column, id): the contacts table pages through these orders without sorting.
CREATE INDEX contact_created ON contact (created_at, id);
CREATE INDEX contact_last_activity ON contact (last_activity_at, id);
CREATE INDEX contact_tags ON contact USING gin (tags);
CREATE INDEX contact_attributes ON contact USING gin (attributes jsonb_path_ops);

-- The custom attributes the admin has named, with the type the UI edits them as. Keys not
-- listed here may still exist in `attributes` (from the API or an import) and show as text.
CREATE TABLE contact_attribute (
    key        TEXT PRIMARY KEY CHECK (key ~ '^[A-Za-z0-9_]{1,64}$'),
    label      TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'number', 'date', 'boolean', 'list')),
    -- Choices for `list` attributes.
    options    TEXT[] NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------
-- A contact's place on a list, with the consent that put it there. The references to the
-- contact and the list are kept by the statement triggers below rather than by foreign keys:
-- a foreign key checks (and locks) one row per inserted membership, which was 5 of the 6.7 s
-- of adding 500,000 memberships in an import; the triggers check a whole statement's rows
-- with one anti-join (0.3 s).
CREATE TABLE list_membership (
    list_id         BIGINT NOT NULL,
    contact_id      BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('unconfirmed', 'subscribed', 'unsubscribed')),
    consent_at      TIMESTAMPTZ,
    consent_ip      INET,
    -- Where the consent came from: "import: file.csv", "form: Newsletter", "admin: alice", …
    consent_source  TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX list_membership_contact ON list_membership (contact_id);
-- Segment conditions "on list X with status Y" and the per-status counts of the Lists page
-- read only this index (index-only scans).
CREATE INDEX list_membership_status ON list_membership (list_id, status, contact_id);

-- Every inserted membership must name an existing contact and list (SQLSTATE 23503, as a
-- foreign key would answer).
CREATE FUNCTION list_membership_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_memberships n WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = n.contact_id)) THEN
        RAISE EXCEPTION 'a list membership names a contact that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM new_memberships n WHERE NOT EXISTS (SELECT 1 FROM contact_list l WHERE l.id = n.list_id)) THEN
        RAISE EXCEPTION 'a list membership names a list that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER list_membership_references AFTER INSERT ON list_membership
    REFERENCING NEW TABLE AS new_memberships FOR EACH STATEMENT EXECUTE FUNCTION list_membership_references();

-- Deleting contacts or lists deletes their memberships (ON DELETE CASCADE). The table lock
-- waits for transactions still adding memberships and holds new ones off until this delete
-- commits: a membership added concurrently is then either seen and deleted here, or its own
-- check runs after the delete and refuses it; no membership outlives its contact or list.
CREATE FUNCTION list_membership_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM gone) THEN
        RETURN NULL;
    END IF;
    LOCK TABLE list_membership IN SHARE ROW EXCLUSIVE MODE;
    IF TG_TABLE_NAME = 'contact' THEN
        DELETE FROM list_membership m USING gone g WHERE m.contact_id = g.id;
    ELSE
        DELETE FROM list_membership m USING gone g WHERE m.list_id = g.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER contact_memberships_cascade AFTER DELETE ON contact
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION list_membership_cascade();
CREATE TRIGGER contact_list_memberships_cascade AFTER DELETE ON contact_list
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION list_membership_cascade();

-- ---------------------------------------------------------------------------------------
-- Campaigns as far as contacts need them ("opened any of the last N campaigns"); the
-- campaign issue adds the rest of the columns.
CREATE TABLE campaign (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- When sending started; NULL while a draft.
    sent_at    TIMESTAMPTZ
);
CREATE INDEX campaign_sent ON campaign (sent_at DESC) WHERE sent_at IS NOT NULL;

-- What happened to a contact, newest first on its page. Engagement segments read the
-- columns the trigger below keeps on `contact`, not this table.
CREATE TABLE contact_event (
    id          BIGSERIAL PRIMARY KEY,
    contact_id  BIGINT NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'imported', 'updated', 'subscribed', 'confirmed',
                    'unsubscribed', 'removed_from_list', 'tagged', 'untagged', 'suppressed', 'sent', 'delivered',
                    'opened', 'clicked', 'soft_bounced', 'hard_bounced', 'complained')),
    campaign_id BIGINT REFERENCES campaign (id) ON DELETE SET NULL,
    list_id     BIGINT REFERENCES contact_list (id) ON DELETE SET NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contact_event_contact ON contact_event (contact_id, at DESC);

-- Keeps the contact's engagement columns current, once per statement (a batch of events
-- costs one UPDATE, not one per event). `last_activity_at` is left to the event ingestion,
-- which knows a person's open from a mail-privacy proxy's.
CREATE FUNCTION contact_event_engagement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact c SET
        last_open_campaign_at = GREATEST(c.last_open_campaign_at, x.open_sent),
        last_click_at = GREATEST(c.last_click_at, x.click_at),
        hard_bounced_at = COALESCE(c.hard_bounced_at, x.bounce_at)
    FROM (
        SELECT n.contact_id,
               max(k.sent_at) FILTER (WHERE n.kind = 'opened') AS open_sent,
               max(n.at) FILTER (WHERE n.kind = 'clicked') AS click_at,
               min(n.at) FILTER (WHERE n.kind = 'hard_bounced') AS bounce_at
        FROM new_events n LEFT JOIN campaign k ON k.id = n.campaign_id
        WHERE n.kind IN ('opened', 'clicked', 'hard_bounced')
        GROUP BY n.contact_id
    ) x
    WHERE c.id = x.contact_id;
    RETURN NULL;
END $$;
CREATE TRIGGER contact_event_engagement AFTER INSERT ON contact_event
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION contact_event_engagement();

-- ---------------------------------------------------------------------------------------
-- Saved segments: a `model::contacts::SegmentFilter` as JSON, evaluated when used.
CREATE TABLE segment (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description TEXT NOT NULL DEFAULT '',
    filter      JSONB NOT NULL,
    -- The last count shown in the segment list (a live count is taken on the builder).
    last_count  BIGINT,
    counted_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX segment_name ON segment (lower(name));

-- ---------------------------------------------------------------------------------------
-- Addresses never sent to: globally (list_id NULL) or for one list. Kept by address, not
-- by contact, so that deleting a contact (GDPR erasure aside) does not lift a suppression.
CREATE TABLE suppression (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL CHECK (email = lower(email)),
    list_id    BIGINT REFERENCES contact_list (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL CHECK (reason IN ('manual', 'unsubscribe', 'hard_bounce', 'complaint', 'import',
                    'invalid_domain')),
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX suppression_global ON suppression (email) WHERE list_id IS NULL;
CREATE UNIQUE INDEX suppression_per_list ON suppression (list_id, email) WHERE list_id IS NOT NULL;

-- Result of the last "scan invalid domains": domains of contacts that cannot receive mail.
CREATE TABLE email_domain_check (
    domain     TEXT PRIMARY KEY,
    verdict    TEXT NOT NULL CHECK (verdict IN ('ok', 'no_mx', 'null_mx', 'nxdomain', 'unknown')),
    detail     TEXT NOT NULL DEFAULT '',
    checked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------
-- CSV imports: the uploaded file on disk, the column mapping, progress and the outcome.
CREATE TABLE contact_import (
    id              BIGSERIAL PRIMARY KEY,
    file_name       TEXT NOT NULL,
    file_path       TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL DEFAULT 0,
    -- Set when the admin starts it (mapping and options as model::contacts::ImportSettings).
    settings        JSONB,
    state           TEXT NOT NULL DEFAULT 'uploaded'
        CHECK (state IN ('uploaded', 'queued', 'running', 'finished', 'failed', 'cancelled')),
    bytes_read      BIGINT NOT NULL DEFAULT 0,
    rows_read       BIGINT NOT NULL DEFAULT 0,
    rows_invalid    BIGINT NOT NULL DEFAULT 0,
    contacts_new    BIGINT NOT NULL DEFAULT 0,
    contacts_updated BIGINT NOT NULL DEFAULT 0,
    phase           TEXT NOT NULL DEFAULT '',
    error           TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT false,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    -- Written while running; a 'running' import whose heartbeat is old was cut short by a
    -- restart and is resumed or failed by the worker.
    heartbeat_at    TIMESTAMPTZ
);

-- One row per refused line of an import (line number as in the file, 1 = first line).
CREATE TABLE contact_import_error (
    import_id BIGINT NOT NULL REFERENCES contact_import (id) ON DELETE CASCADE,
    line      BIGINT NOT NULL,
    reason    TEXT NOT NULL,
    content   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, line)
);
