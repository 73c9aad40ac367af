-- sitrep store, schema version 1: articles, their sources and what was extracted from them.
--
-- One row per article in each table, keyed by the content id (`Article::id`). Later versions add
-- normalised entity / quote / event tables and stories that reference `articles(id)`.

-- Marks the file as a sitrep store ('SRP1'), so that a foreign SQLite file is recognised.
PRAGMA application_id = 1397903409;

CREATE TABLE articles (
    id          TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    input       TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('text', 'html', 'jsonl', 'warc')),
    outlet      TEXT,
    url         TEXT,
    title       TEXT,
    subtitle    TEXT,
    -- YYYY-MM-DD, so that text order is date order
    published   TEXT CHECK (published IS NULL OR published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    authors     TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    language    TEXT,
    body        TEXT NOT NULL,
    paragraphs  TEXT NOT NULL DEFAULT '[]',   -- JSON array of {kind, start, end}
    diagnostics TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    ingested_at INTEGER NOT NULL              -- unix seconds
) STRICT;

CREATE INDEX articles_outlet ON articles (outlet);
CREATE INDEX articles_published ON articles (published);

-- The decoded source an article was cut from, and the map from body offsets into it.
CREATE TABLE article_sources (
    article_id  TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    encoding    TEXT NOT NULL CHECK (encoding IN ('zlib')),
    source_len  INTEGER NOT NULL,             -- bytes of the decoded source
    source      BLOB NOT NULL,                -- the UTF-8 source, compressed as `encoding` says
    offsets     BLOB NOT NULL                 -- segments as little-endian u32 (body, source, len)
) STRICT;

-- What the extraction stages found, as the JSON arrays of the output contract.
CREATE TABLE extractions (
    article_id  TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entities    TEXT NOT NULL,
    quotes      TEXT NOT NULL,
    events      TEXT NOT NULL
) STRICT;
