-- sitrep store, schema version 4: the articles no story refresh has placed in a story yet.
--
-- A row is written with its article (same transaction) and removed when a story holding the
-- article is written. An ingest killed between storing its articles and refreshing the
-- stories leaves its articles here, and the next refresh after an ingest (any worker's)
-- includes them, so no article stays outside the stories.

CREATE TABLE unclustered (
    article_id TEXT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    published  TEXT                  -- copy of the article's date (YYYY-MM-DD or NULL)
) STRICT, WITHOUT ROWID;

-- Every article in no story so far (all of them in a store whose stories were never built).
INSERT INTO unclustered (article_id, published)
SELECT a.id, a.published FROM articles a
WHERE NOT EXISTS (SELECT 1 FROM story_articles l WHERE l.article_id = a.id);
