-- sitrep store on PostgreSQL, schema version 1: articles, their sources and what was extracted
-- from them. The same tables as ../0001_init.sql (SQLite); keys and dates use the "C" collation
-- so that they sort by bytes, as in SQLite, whatever the database's locale.

CREATE TABLE articles (
    id          TEXT COLLATE "C" PRIMARY KEY CHECK (id <> ''),
    input       TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('text', 'html', 'jsonl', 'warc')),
    outlet      TEXT,
    url         TEXT,
    title       TEXT,
    subtitle    TEXT,
    -- YYYY-MM-DD, so that text order is date order
    published   TEXT COLLATE "C" CHECK (published IS NULL OR published ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    authors     TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    language    TEXT,
    body        TEXT NOT NULL,
    paragraphs  TEXT NOT NULL DEFAULT '[]',   -- JSON array of {kind, start, end}
    diagnostics TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    ingested_at BIGINT NOT NULL               -- unix seconds
);

CREATE INDEX articles_outlet ON articles (outlet);
CREATE INDEX articles_published ON articles (published);

-- The decoded source an article was cut from, and the map from body offsets into it.
CREATE TABLE article_sources (
    article_id  TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    encoding    TEXT NOT NULL CHECK (encoding IN ('zlib')),
    source_len  BIGINT NOT NULL,              -- bytes of the decoded source
    source      BYTEA NOT NULL,               -- the UTF-8 source, compressed as `encoding` says
    offsets     BYTEA NOT NULL                -- segments as little-endian u32 (body, source, len)
);
-- Already compressed: not worth PostgreSQL's compressing again.
ALTER TABLE article_sources ALTER COLUMN source SET STORAGE EXTERNAL;

-- What the extraction stages found, as the JSON arrays of the output contract (text, not jsonb:
-- read back byte for byte).
CREATE TABLE extractions (
    article_id  TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    entities    TEXT NOT NULL,
    quotes      TEXT NOT NULL,
    events      TEXT NOT NULL
);
