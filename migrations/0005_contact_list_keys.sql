-- Each contact carries its list memberships as keys in `list_keys`, with a GIN index, so a
-- segment's list conditions are index conditions on `contact` like its tags, instead of a
-- semi-join that hashes a list of up to a million members on every count (360 of the 430 ms
-- of "list 3 AND tag vip" at a million contacts). `list_membership` stays the source of
-- truth (consent, dates, the Lists page's counts); the statement triggers below keep the
-- keys in step with it inside the same transaction.
--
-- A key is list_id * 4 + the status code (1 unconfirmed, 2 subscribed, 3 unsubscribed);
-- `engine::contacts::segment_sql::list_key` computes the same numbers.

CREATE FUNCTION list_key(list_id BIGINT, status TEXT) RETURNS BIGINT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN list_id * 4 + CASE status WHEN 'unconfirmed' THEN 1 WHEN 'subscribed' THEN 2 ELSE 3 END;

-- `current` without `removed`, plus `added`, sorted and without duplicates. Applied to the
-- row being updated (not to a re-read of list_membership), so concurrent changes to the same
-- contact's memberships serialise on the contact row and none is lost.
CREATE FUNCTION list_keys_apply(current BIGINT[], removed BIGINT[], added BIGINT[]) RETURNS BIGINT[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE((
        SELECT array_agg(DISTINCT k ORDER BY k)
        FROM unnest(current || COALESCE(added, '{}')) AS k
        WHERE k <> ALL (COALESCE(removed, '{}')) OR k = ANY (COALESCE(added, '{}'))
    ), '{}');

ALTER TABLE contact ADD COLUMN list_keys BIGINT[] NOT NULL DEFAULT '{}';

UPDATE contact c SET list_keys = k.keys
FROM (SELECT contact_id, array_agg(list_key(list_id, status) ORDER BY list_key(list_id, status)) AS keys
      FROM list_membership GROUP BY contact_id) k
WHERE c.id = k.contact_id;

CREATE INDEX contact_list_keys ON contact USING gin (list_keys);

-- One UPDATE of `contact` per statement on list_membership. Inserted rows only touch contacts
-- that lack a key (an import writes its new contacts with their keys already set, so the
-- trigger then changes nothing); updated and deleted rows swap or drop keys.
CREATE FUNCTION list_membership_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An import writes the keys of its contacts itself (engine::contacts::import::merge):
    -- checking a million new memberships against their contacts here would cost more than
    -- the insert.
    IF current_setting('billionmail.list_keys_by_caller', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        UPDATE contact c SET list_keys = list_keys_apply(c.list_keys, '{}', d.added)
        FROM (SELECT contact_id, array_agg(list_key(list_id, status)) AS added
              FROM new_rows GROUP BY contact_id) d
        WHERE c.id = d.contact_id AND NOT c.list_keys @> d.added;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE contact c SET list_keys = list_keys_apply(c.list_keys, d.removed, d.added)
        FROM (SELECT contact_id, array_agg(k) FILTER (WHERE NOT is_new) AS removed,
                     array_agg(k) FILTER (WHERE is_new) AS added
              FROM (SELECT contact_id, list_key(list_id, status) AS k, false AS is_new FROM old_rows
                    UNION ALL
                    SELECT contact_id, list_key(list_id, status), true FROM new_rows) x
              GROUP BY contact_id) d
        WHERE c.id = d.contact_id AND list_keys_apply(c.list_keys, d.removed, d.added) IS DISTINCT FROM c.list_keys;
    ELSE
        UPDATE contact c SET list_keys = list_keys_apply(c.list_keys, d.removed, '{}')
        FROM (SELECT contact_id, array_agg(list_key(list_id, status)) AS removed
              FROM old_rows GROUP BY contact_id) d
        WHERE c.id = d.contact_id AND c.list_keys && d.removed;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER list_membership_keys_insert AFTER INSERT ON list_membership
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_membership_keys();
CREATE TRIGGER list_membership_keys_update AFTER UPDATE ON list_membership
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_membership_keys();
CREATE TRIGGER list_membership_keys_delete AFTER DELETE ON list_membership
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_membership_keys();

-- With segments reading the keys, list_membership needs one index fewer: the primary key is
-- turned around to (contact_id, list_id), which serves a contact's memberships (its page,
-- the cascade from a contact delete) and ON CONFLICT (list_id, contact_id) alike, and the
-- separate contact_id index goes. Lookups by list use (list_id, status, contact_id).
ALTER TABLE list_membership DROP CONSTRAINT list_membership_pkey;
ALTER TABLE list_membership ADD PRIMARY KEY (contact_id, list_id);
DROP INDEX list_membership_contact;

-- "Opened any of the last N campaigns" is a range on this column; openers are a small share
-- of an audience, so the index lets a count read those contacts instead of all of them.
CREATE INDEX contact_last_open ON contact (last_open_campaign_at) WHERE last_open_campaign_at IS NOT NULL;

-- The attributes GIN index goes. It cost 4 of the 20 s of writing a million imported contacts
-- (every key and value of every contact is an index entry), and counts did not need it: an
-- attribute condition typically matches a large share of an audience ("plan = pro": 30 %), and
-- re-checking that many rows through a bitmap took 260 ms at a million contacts where the
-- parallel scan that evaluates the condition on each row takes 160 ms.
DROP INDEX contact_attributes;

-- The address-domain index goes for the same reasons: it cost 1.3 s of the import, and the
-- domains people segment on are the big providers, a large share of any audience, where
-- the planner's bitmap over the index was slower than the scan. The invalid-domain scan and
-- its actions read every contact once anyway.
DROP INDEX contact_domain;
