-- Templates: the designs campaigns start from, edited either in the drag-and-drop editor (a
-- `model::email::Document` as JSON) or in the code editor (pasted HTML); every save kept as a
-- version so a bad edit or an overwritten autosave can be undone; and the image library the
-- editor uploads pictures to.

-- ---------------------------------------------------------------------------------------
-- A template's current content. `kind` never changes after creation: the two editors cannot
-- open each other's content, so exactly the column of its kind is filled. `version` is the
-- number of the newest save; an editor sends the version it started from with each save and
-- `engine::templates::Templates::save` refuses it when another tab saved in between, so two
-- tabs never silently overwrite each other.
CREATE TABLE email_template (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    kind         TEXT NOT NULL CHECK (kind IN ('document', 'html')),
    document     JSONB,
    html         TEXT,
    -- Suggested subject line, copied into a campaign made from the template.
    subject_hint TEXT NOT NULL DEFAULT '',
    version      INT NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- Blocks of `document` (containers included), written with it on every save, so the
    -- template list shows the figure without reading and parsing every document.
    block_count  INT,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT email_template_content CHECK (
        (kind = 'document' AND document IS NOT NULL AND html IS NULL)
        OR (kind = 'html' AND html IS NOT NULL AND document IS NULL))
);
CREATE UNIQUE INDEX email_template_name ON email_template (lower(name));

-- ---------------------------------------------------------------------------------------
-- Every save of a template, manual or automatic, written in the same transaction as the
-- template's own row (so the newest version always equals the current content). History is
-- never rewritten: restoring an old version saves its content again as a new version.
--
-- At most 100 versions are kept per template. Beyond that the oldest autosaves go first (an
-- autosave is a keystroke-level snapshot, a manual save a point the author chose); only when
-- a template has more than 100 manual saves do the oldest manual saves go as well. The
-- current version is never deleted. `engine::templates::history::prune` applies the rule.
CREATE TABLE email_template_version (
    template_id BIGINT NOT NULL REFERENCES email_template (id) ON DELETE CASCADE,
    version     INT NOT NULL,
    document    JSONB,
    html        TEXT,
    saved_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    saved_by    TEXT NOT NULL DEFAULT '',
    autosave    BOOLEAN NOT NULL DEFAULT false,
    -- Also serves "versions of a template, newest first" (a backward scan).
    PRIMARY KEY (template_id, version),
    CONSTRAINT email_template_version_content CHECK ((document IS NULL) <> (html IS NULL))
);

-- ---------------------------------------------------------------------------------------
-- Uploaded images. The bytes live on disk under <data dir>/media/<stored_name> (served at
-- /media/<stored_name>), not in the database: they are read by every mail client that opens
-- a campaign, which the web server answers from a file far more cheaply than from a row.
-- `stored_name` is random (never the uploader's file name), so a URL cannot be guessed from
-- a file name and no name can reach outside the media directory; the CHECK repeats the rule
-- `engine::templates::Media::path_of` enforces when serving. `content_type` is what the
-- bytes are (sniffed from their header), not what the browser claimed.
CREATE TABLE media_file (
    id           BIGSERIAL PRIMARY KEY,
    -- The uploader's file name, only for display in the library.
    file_name    TEXT NOT NULL,
    stored_name  TEXT NOT NULL UNIQUE CHECK (stored_name ~ '^[0-9a-f]{32}\.(png|jpg|gif|webp)$'),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size_bytes   BIGINT NOT NULL CHECK (size_bytes >= 0),
    -- Read from the image header; NULL when the header could not be read. The editor uses
    -- them to size image blocks (Outlook needs an explicit width).
    width        INT,
    height       INT,
    sha256       TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Uploading the same picture again (dragging the logo into every newsletter) returns the row
-- already stored instead of another copy; unique, so two simultaneous uploads of the same
-- bytes also end with one file.
CREATE UNIQUE INDEX media_file_sha256 ON media_file (sha256);
