-- sitrep store, schema version 2: stories (the story objects of the output contract) and the
-- articles each story is made of, plus an index to page articles newest first.
--
-- A story's summary columns (title, dates, counts) are copies of fields of its JSON, kept so that
-- listing stories reads no JSON. `story_articles` does not reference `articles`: a story may
-- name articles that are not (yet) stored here.

CREATE TABLE stories (
    id                 TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    thread             TEXT,
    title              TEXT NOT NULL,
    -- YYYY-MM-DD or NULL: publication dates of the story's first and last articles
    first              TEXT,
    last               TEXT,
    outlets            TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    article_count      INTEGER NOT NULL,
    disagreement_count INTEGER NOT NULL,
    updated            INTEGER NOT NULL,           -- unix seconds of the last put
    story              TEXT NOT NULL               -- the Story object as JSON
) STRICT;

-- Newest first, stable: by last date (no date sorts oldest), then id.
CREATE INDEX stories_newest ON stories (coalesce(last, ''), id);
CREATE INDEX stories_thread ON stories (thread);

CREATE TABLE story_articles (
    story_id   TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    article_id TEXT NOT NULL,
    PRIMARY KEY (story_id, article_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX story_articles_article ON story_articles (article_id);

-- Articles newest first, stable: by publication date (none sorts oldest), then id.
CREATE INDEX articles_newest ON articles (coalesce(published, ''), id);
