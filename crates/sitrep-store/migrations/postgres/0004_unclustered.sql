-- sitrep store on PostgreSQL, schema version 4: the articles no story refresh has placed in a
-- story yet. As ../0004_unclustered.sql (SQLite), which explains it.

CREATE TABLE unclustered (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    published  TEXT COLLATE "C"
);

INSERT INTO unclustered (article_id, published)
SELECT a.id, a.published FROM articles a
WHERE NOT EXISTS (SELECT 1 FROM story_articles l WHERE l.article_id = a.id);
