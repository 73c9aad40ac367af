-- sitrep store on PostgreSQL, schema version 2: stories and the articles each story is made of,
-- plus an index to page articles newest first. As ../0002_stories.sql (SQLite).

CREATE TABLE stories (
    id                 TEXT COLLATE "C" PRIMARY KEY CHECK (id <> ''),
    thread             TEXT,
    title              TEXT NOT NULL,
    -- YYYY-MM-DD or NULL: publication dates of the story's first and last articles
    first              TEXT COLLATE "C",
    last               TEXT COLLATE "C",
    outlets            TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    article_count      BIGINT NOT NULL,
    disagreement_count BIGINT NOT NULL,
    updated            BIGINT NOT NULL,            -- unix seconds of the last put
    story              TEXT NOT NULL               -- the Story object as JSON
);

-- Newest first, stable: by last date (no date sorts oldest), then id.
CREATE INDEX stories_newest ON stories ((coalesce(last, '')), id);
CREATE INDEX stories_thread ON stories (thread);

CREATE TABLE story_articles (
    story_id   TEXT COLLATE "C" NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    article_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (story_id, article_id)
);

CREATE INDEX story_articles_article ON story_articles (article_id);

-- Articles newest first, stable: by publication date (none sorts oldest), then id.
CREATE INDEX articles_newest ON articles ((coalesce(published, '')), id);
