-- sitrep store, schema version 5: a sentence embedding of each article, for the story refresh.
--
-- `sitrep ingest --embed` writes it with the article's extraction (same transaction): the
-- title and lead embedded by sitrep-embed (MiniLM, 384 floats), stored as little-endian f32s.
-- NULL: none (stored without --embed, and every article stored before this version). The
-- story refresh mixes the embeddings in only when every stored article has one; the partial
-- index answers "is there an article without one?" without a scan.

ALTER TABLE extractions ADD COLUMN embedding BLOB;

CREATE INDEX extractions_without_embedding ON extractions (article_id) WHERE embedding IS NULL;
