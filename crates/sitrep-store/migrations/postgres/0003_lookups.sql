-- sitrep store on PostgreSQL, schema version 3: lookup tables for quotes by speaker and
-- disagreements by subject or slot. As ../0003_lookups.sql (SQLite), which explains them; a
-- store migrated from version 2 has them filled by the code that applies this migration.

CREATE TABLE quotes (
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    idx        BIGINT NOT NULL CHECK (idx >= 0),
    day        TEXT COLLATE "C" NOT NULL,
    speaker    TEXT,
    quote      TEXT NOT NULL,
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE quote_speaker_words (
    word       TEXT COLLATE "C" NOT NULL,
    day        TEXT COLLATE "C" NOT NULL,
    article_id TEXT COLLATE "C" NOT NULL,
    idx        BIGINT NOT NULL,
    PRIMARY KEY (word, day, article_id, idx)
);

CREATE TABLE disagreements (
    story_id     TEXT COLLATE "C" NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    idx          BIGINT NOT NULL CHECK (idx >= 0),
    last         TEXT COLLATE "C" NOT NULL,
    slot         TEXT COLLATE "C" NOT NULL,
    subject      TEXT NOT NULL,
    disagreement TEXT NOT NULL,
    PRIMARY KEY (story_id, idx)
);

CREATE INDEX disagreements_newest ON disagreements (last, story_id, idx);
CREATE INDEX disagreements_slot ON disagreements (slot, last, story_id, idx);

CREATE TABLE disagreement_words (
    word     TEXT COLLATE "C" NOT NULL,
    last     TEXT COLLATE "C" NOT NULL,
    story_id TEXT COLLATE "C" NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    idx      BIGINT NOT NULL,
    PRIMARY KEY (word, last, story_id, idx)
);

CREATE INDEX disagreement_words_story ON disagreement_words (story_id);
