-- sitrep store, schema version 3: lookup tables, so that quotes by speaker and disagreements by
-- subject or slot are found through an index, newest first, without reading whole articles or
-- stories.
--
-- Every row here is derived: `quotes` and `quote_speaker_words` from an article's extraction
-- (written in the article's transaction), `disagreements` and `disagreement_words` from a
-- story (written, and replaced, with the story). A store migrated from version 2 has them
-- filled from its stored extractions and stories by the code that applies this migration.
--
-- Sort keys: `day` is the article's publication date and `last` the story's last date, as
-- YYYY-MM-DD, '' when there is none (sorts oldest), as in the listings of version 2.

-- One row per quote: the Quote object of the contract, by its position in the article's quotes.
CREATE TABLE quotes (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL CHECK (idx >= 0),
    day        TEXT NOT NULL,
    speaker    TEXT,                    -- the speaker's name as extracted, if any
    quote      TEXT NOT NULL,           -- the Quote object as JSON
    PRIMARY KEY (article_id, idx)
) STRICT, WITHOUT ROWID;

-- One row per (lower-case) word of a quote's speaker name: quotes by speaker, newest first.
-- Rows of an article that is gone join no `quotes` row and are never returned.
CREATE TABLE quote_speaker_words (
    word       TEXT NOT NULL,
    day        TEXT NOT NULL,
    article_id TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    PRIMARY KEY (word, day, article_id, idx)
) STRICT, WITHOUT ROWID;

-- One row per disagreement of a story, by its position in the story's disagreements.
CREATE TABLE disagreements (
    story_id     TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL CHECK (idx >= 0),
    last         TEXT NOT NULL,
    slot         TEXT NOT NULL,         -- lower case
    subject      TEXT NOT NULL,
    disagreement TEXT NOT NULL,         -- the Disagreement object as JSON
    PRIMARY KEY (story_id, idx)
) STRICT, WITHOUT ROWID;

CREATE INDEX disagreements_newest ON disagreements (last, story_id, idx);
CREATE INDEX disagreements_slot ON disagreements (slot, last, story_id, idx);

-- One row per (lower-case) word of a disagreement's subject: disagreements by subject.
CREATE TABLE disagreement_words (
    word     TEXT NOT NULL,
    last     TEXT NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    PRIMARY KEY (word, last, story_id, idx)
) STRICT, WITHOUT ROWID;

CREATE INDEX disagreement_words_story ON disagreement_words (story_id);
