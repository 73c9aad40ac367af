-- sitrep store on PostgreSQL, schema version 5: a sentence embedding of each article (little-
-- endian f32s; NULL: none). As ../0005_embeddings.sql (SQLite), which explains it.

ALTER TABLE extractions ADD COLUMN embedding BYTEA;

CREATE INDEX extractions_without_embedding ON extractions (article_id) WHERE embedding IS NULL;
