//! `sitrep embed`: the sentence embeddings of the stored articles that have none (ingested
//! with `--no-embed` or before the model was installed), back-filled, so that the stories can use them.
//!
//! Each article gets what `ingest --embed` would have stored: the embedding of
//! [`sitrep_embed::article_lead`] of its stored title and body. The articles go in batches of
//! `--batch` (ids in ascending order, paged by [`Store::unembedded_ids`]), each batch written in
//! one transaction ([`Store::set_embeddings`]): a killed run keeps the batches it finished and a
//! re-run lists only what is still missing. An article whose stored text cannot be read (or
//! whose text the model refuses) is reported by id and left without one; the others go on, and
//! the run ends with exit status 1. Once every stored article has an embedding, the setting of
//! the story clustering changes (see [`crate::stories::Setting`]), so every story is recomputed
//! ([`crate::stories::refresh`]; the incremental refresh keeps the stories far from new
//! articles, and there are none). A store where every article already has one is left alone,
//! unless `--full-refresh` asks for the stories to be recomputed anyway (after a back-fill
//! killed between its last batch and its recompute).

use anyhow::Context;
use sitrep_store::Store;

use crate::report::{Reporter, Summary};

/// Embeds texts, one vector per text in order (the MiniLM [`sitrep_embed::Embedder`]; tests
/// give their own).
pub type EmbedFn<'a> = dyn FnMut(&[String]) -> anyhow::Result<Vec<Vec<f32>>> + 'a;

/// What a back-fill did.
#[derive(Debug, Default)]
pub struct Backfilled {
    /// `read`: articles without an embedding taken up; `written`: embedded and stored;
    /// `failed`: left without one.
    pub summary: Summary,
    /// The articles left without one, and why.
    pub failures: Vec<(String, String)>,
    /// Whether every stored article now has an embedding (the stories were recomputed).
    pub all_embedded: bool,
}

/// `sitrep embed`: opens the store, and unless every stored article already has an embedding,
/// loads the model (`load`) and back-fills ([`backfill`]), then recomputes the stories when no
/// article is left without one; with `full_refresh`, recomputes them in any case.
pub fn command(
    spec: &str,
    batch: usize,
    full_refresh: bool,
    load: impl FnOnce() -> anyhow::Result<sitrep_embed::Embedder>,
    reporter: &Reporter,
) -> anyhow::Result<Summary> {
    // Shown without a password.
    let db = &sitrep_store::redact(spec);
    let mut store = Store::open(spec).with_context(|| format!("cannot open store {db}"))?;
    let missing = store
        .count_unembedded()
        .with_context(|| format!("cannot read store {db}"))?;
    if missing == 0 {
        let stored = store
            .count_articles()
            .with_context(|| format!("cannot read store {db}"))?;
        reporter.say(&if stored == 0 {
            format!("{db} holds no article: nothing to embed")
        } else if full_refresh {
            format!("every article of {db} ({stored}) already has an embedding: stories only")
        } else {
            format!("every article of {db} ({stored}) already has an embedding: nothing to do")
        });
        if full_refresh {
            crate::pipeline::refresh_stories(&mut store, db)?;
        }
        return Ok(Summary::default());
    }
    tracing::info!(missing, "articles without an embedding");
    let embedder = load()?;
    let done = backfill(
        &mut store,
        db,
        batch,
        full_refresh,
        &mut |texts: &[String]| {
            Ok(embedder
                .embed(texts)?
                .into_iter()
                .map(|v| v.to_vec())
                .collect())
        },
        reporter,
    )?;
    if !done.all_embedded {
        let left = store
            .count_unembedded()
            .with_context(|| format!("cannot read store {db}"))?;
        reporter.say(&format!(
            "{left} articles of {db} still have no embedding; the stories cluster without \
             embeddings until every article has one (run sitrep embed again once they can be read)"
        ));
    }
    reporter.finish("embedded", &done.summary);
    Ok(done.summary)
}

/// Embeds every stored article without an embedding, `batch` at a time, each batch stored in
/// one transaction; failures are reported (`reporter`) and listed, never fatal. Then, if every
/// stored article has one (and one was written), or if `full_refresh`, recomputes all the
/// stories. A store error (reading the listing, writing a batch) ends the run: what was
/// written stays.
pub fn backfill(
    store: &mut Store,
    db: &str,
    batch: usize,
    full_refresh: bool,
    embed: &mut EmbedFn<'_>,
    reporter: &Reporter,
) -> anyhow::Result<Backfilled> {
    let mut done = Backfilled::default();
    let fail = |done: &mut Backfilled, id: &str, reason: String| {
        reporter.input_failed(id, &reason);
        done.summary.failed += 1;
        done.failures.push((id.to_string(), reason));
    };
    let mut after: Option<String> = None;
    loop {
        let ids = store
            .unembedded_ids(batch.max(1), after.as_deref())
            .with_context(|| format!("cannot list the articles of {db} without an embedding"))?;
        let Some(last) = ids.last() else {
            break;
        };
        after = Some(last.clone());
        done.summary.read += ids.len();
        // The text `ingest --embed` embeds: title and lead of the stored article.
        let mut texts = Vec::with_capacity(ids.len());
        let mut readable = Vec::with_capacity(ids.len());
        for id in &ids {
            match store.article_texts(&[id.as_str()]) {
                Ok(found) => {
                    // Gone since the listing (removed by another connection): nothing to do.
                    if let Some(t) = found.into_iter().next() {
                        texts.push(sitrep_embed::article_lead(
                            t.article.title.as_deref(),
                            &t.body,
                        ));
                        readable.push(id.as_str());
                    }
                }
                Err(e) => fail(
                    &mut done,
                    id,
                    format!("cannot read the stored article's text: {e}"),
                ),
            }
        }
        let vectors = embed_each(embed, &texts);
        let mut rows: Vec<(&str, Vec<f32>)> = Vec::with_capacity(readable.len());
        for (id, v) in readable.into_iter().zip(vectors) {
            match v {
                Ok(v) => rows.push((id, v)),
                Err(e) => fail(&mut done, id, format!("cannot embed the article: {e:#}")),
            }
        }
        let pairs: Vec<(&str, &[f32])> = rows.iter().map(|(id, v)| (*id, v.as_slice())).collect();
        done.summary.written += store
            .set_embeddings(&pairs)
            .with_context(|| format!("cannot write the embeddings to store {db}"))?;
        reporter.progress(&done.summary);
    }
    done.all_embedded = store
        .all_embedded()
        .with_context(|| format!("cannot read store {db}"))?;
    if full_refresh || (done.all_embedded && done.summary.written > 0) {
        crate::pipeline::refresh_stories(store, db)?;
    }
    Ok(done)
}

/// The texts' vectors, in order: all in one call, or, when that call fails (a text the
/// tokenizer refuses fails its whole batch), each text alone, so that only the failing ones
/// fail. A vector of the wrong count is a failure of the call.
fn embed_each(embed: &mut EmbedFn<'_>, texts: &[String]) -> Vec<anyhow::Result<Vec<f32>>> {
    if texts.is_empty() {
        return Vec::new();
    }
    match embed(texts) {
        Ok(vectors) if vectors.len() == texts.len() => vectors.into_iter().map(Ok).collect(),
        Ok(_) | Err(_) if texts.len() > 1 => texts
            .iter()
            .flat_map(|t| embed_each(embed, std::slice::from_ref(t)))
            .collect(),
        Ok(vectors) => vec![Err(anyhow::anyhow!(
            "the model gave {} vectors for 1 text",
            vectors.len()
        ))],
        Err(e) => vec![Err(e)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::{Article, Extraction, NaiveDate};

    /// Articles on three fictional topics, a day apart, with titles.
    fn articles() -> Vec<(Article, Extraction)> {
        const TOPICS: [&str; 3] = [
            "the Orlesk ferry strike",
            "the Vantor dam inspection",
            "the Brackwater quay repairs",
        ];
        (0..9)
            .map(|n| {
                let words = TOPICS[n % 3];
                let body = format!("Update {n} on {words}.\n\nMore on {words}, said the office.");
                let mut a = Article::new(&format!("fixtures/article-{n}.txt"), body);
                a.title = Some(format!("News of {words} ({n})"));
                a.published = NaiveDate::from_ymd_opt(2025, 3, 1 + n as u32);
                (a, Extraction::default())
            })
            .collect()
    }

    /// A made-up embedding of a text: its topic's axis (by a word of it) and its length.
    fn fake(text: &str) -> Vec<f32> {
        let mut v = vec![0.0f32; 8];
        let axis = ["Orlesk", "Vantor", "Brackwater"]
            .iter()
            .position(|w| text.contains(w))
            .unwrap_or(3);
        v[axis] = 1.0;
        v[4] = text.len() as f32 / 1000.0;
        v
    }

    fn quiet() -> Reporter {
        Reporter::new(true, false)
    }

    /// Every call's texts.
    fn recording(
        calls: &mut Vec<Vec<String>>,
    ) -> impl FnMut(&[String]) -> anyhow::Result<Vec<Vec<f32>>> + '_ {
        move |texts: &[String]| {
            calls.push(texts.to_vec());
            Ok(texts.iter().map(|t| fake(t)).collect())
        }
    }

    /// A back-fill of `store`, `batch` at a time, with the made-up embedder: what it did and
    /// the texts of each call.
    fn recorded(store: &mut Store, batch: usize) -> (Backfilled, Vec<Vec<String>>) {
        let mut calls = Vec::new();
        let done = backfill(
            store,
            "test",
            batch,
            false,
            &mut recording(&mut calls),
            &quiet(),
        )
        .expect("backfill");
        (done, calls)
    }

    fn all_stories(store: &Store) -> Vec<sitrep_model::Story> {
        let (summaries, next) = store.list_stories(1000, None).expect("list");
        assert!(next.is_none());
        let mut stories: Vec<sitrep_model::Story> = summaries
            .iter()
            .map(|s| store.get_story(&s.id).expect("get").expect("story"))
            .collect();
        stories.sort_by(|a, b| a.id.cmp(&b.id));
        stories
    }

    #[test]
    fn every_article_without_one_is_embedded_in_batches_as_ingest_embeds_it() {
        let items = articles();
        let mut store = Store::open_in_memory().expect("store");
        // One article ingested with an embedding already: left as it is.
        let kept = vec![9.0f32; 8];
        store
            .insert_batch_embedded(&items[..1], std::slice::from_ref(&kept))
            .expect("insert");
        store.insert_batch(&items[1..]).expect("insert");
        let (done, calls) = recorded(&mut store, 3);
        assert_eq!(done.summary.read, 8);
        assert_eq!(done.summary.written, 8);
        assert_eq!(done.summary.failed, 0);
        assert!(done.all_embedded);
        assert_eq!(
            calls.iter().map(Vec::len).collect::<Vec<_>>(),
            [3, 3, 2],
            "batches of 3"
        );
        let embedded: Vec<&String> = calls.iter().flatten().collect();
        for (a, _) in &items[1..] {
            // The text is ingest's: the title and lead of the article as stored.
            let text = sitrep_embed::article_lead(a.title.as_deref(), &a.body);
            assert!(embedded.contains(&&text), "{text}");
            assert_eq!(store.get_embedding(&a.id).expect("get"), Some(fake(&text)));
        }
        assert_eq!(
            store.get_embedding(&items[0].0.id).expect("get"),
            Some(kept)
        );
    }

    #[test]
    fn the_stories_are_recomputed_as_for_a_store_ingested_with_embeddings() {
        let items = articles();
        let vectors: Vec<Vec<f32>> = items
            .iter()
            .map(|(a, _)| fake(&sitrep_embed::article_lead(a.title.as_deref(), &a.body)))
            .collect();
        let mut embedded = Store::open_in_memory().expect("store");
        embedded
            .insert_batch_embedded(&items, &vectors)
            .expect("insert");
        crate::stories::refresh(&mut embedded).expect("refresh");
        let expected = all_stories(&embedded);
        assert_eq!(expected.len(), 3, "{expected:#?}");

        // Stored without embeddings (and, say, killed before its story refresh): no story.
        let mut store = Store::open_in_memory().expect("store");
        store.insert_batch(&items).expect("insert");
        assert!(all_stories(&store).is_empty());
        recorded(&mut store, 64);
        assert!(
            crate::stories::Setting::of(&store)
                .expect("setting")
                .embeddings
        );
        assert_eq!(all_stories(&store), expected);
    }

    #[test]
    fn an_interrupted_back_fill_keeps_its_batches_and_a_rerun_does_the_rest() {
        let items = articles();
        let mut store = Store::open_in_memory().expect("store");
        store.insert_batch(&items).expect("insert");
        // The model fails after the first batch: that batch is stored, the rest fail.
        let mut calls = 0;
        let mut failing = |texts: &[String]| {
            calls += 1;
            if calls > 1 {
                anyhow::bail!("the model stopped");
            }
            Ok(texts.iter().map(|t| fake(t)).collect())
        };
        let done =
            backfill(&mut store, "test", 4, false, &mut failing, &quiet()).expect("backfill");
        assert_eq!(done.summary.written, 4);
        assert_eq!(done.summary.failed, 5);
        assert!(
            done.failures
                .iter()
                .all(|(_, why)| why.contains("the model stopped"))
        );
        assert!(!done.all_embedded);
        assert_eq!(store.count_unembedded().expect("count"), 5);
        // Nothing clustered with a setting the store does not have yet.
        assert!(all_stories(&store).is_empty());

        let (done, calls) = recorded(&mut store, 4);
        assert_eq!(
            calls.iter().map(Vec::len).sum::<usize>(),
            5,
            "only the rest"
        );
        assert_eq!((done.summary.written, done.summary.failed), (5, 0));
        assert!(done.all_embedded);
        assert_eq!(all_stories(&store).len(), 3);
    }

    #[test]
    fn an_unreadable_article_is_named_and_the_others_are_embedded() {
        let items = articles();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        let spec = path.display().to_string();
        let mut store = Store::open(&spec).expect("store");
        store.insert_batch(&items).expect("insert");
        let damaged = items[4].0.id.clone();
        // A body that is not UTF-8 (a damaged row), behind the store's back.
        rusqlite::Connection::open(&path)
            .expect("raw")
            .execute(
                "UPDATE articles SET body = CAST(x'4f726cff' AS TEXT) WHERE id = ?1",
                [&damaged],
            )
            .expect("damage");
        let (done, _) = recorded(&mut store, 3);
        assert_eq!((done.summary.written, done.summary.failed), (8, 1));
        assert_eq!(done.failures.len(), 1);
        let (id, why) = &done.failures[0];
        assert_eq!(id, &damaged);
        assert!(
            why.contains("cannot read the stored article's text"),
            "{why}"
        );
        for (a, _) in &items {
            assert_eq!(
                store.get_embedding(&a.id).expect("get").is_some(),
                a.id != damaged,
                "{}",
                a.id
            );
        }
        // The setting did not change: no refresh.
        assert!(!done.all_embedded);
        assert!(all_stories(&store).is_empty());
    }

    #[test]
    fn a_text_the_model_refuses_fails_alone() {
        let items = articles();
        let mut store = Store::open_in_memory().expect("store");
        store.insert_batch(&items).expect("insert");
        let refused = sitrep_embed::article_lead(items[2].0.title.as_deref(), &items[2].0.body);
        let mut picky = |texts: &[String]| {
            if texts.contains(&refused) {
                anyhow::bail!("tokenizing text: refused");
            }
            Ok(texts.iter().map(|t| fake(t)).collect())
        };
        let done = backfill(&mut store, "test", 64, false, &mut picky, &quiet()).expect("backfill");
        assert_eq!((done.summary.written, done.summary.failed), (8, 1));
        assert_eq!(done.failures[0].0, items[2].0.id);
        assert_eq!(store.get_embedding(&items[2].0.id).expect("get"), None);
    }

    #[test]
    fn a_store_whose_articles_all_have_one_is_left_alone() {
        let items = articles();
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("store.sqlite").display().to_string();
        // Empty, then fully embedded: the model is not even loaded.
        for fill in [false, true] {
            if fill {
                let mut store = Store::open(&spec).expect("store");
                let vectors = vec![vec![1.0f32; 8]; items.len()];
                store
                    .insert_batch_embedded(&items, &vectors)
                    .expect("insert");
            }
            let summary = command(
                &spec,
                64,
                false,
                || anyhow::bail!("the model must not be loaded"),
                &quiet(),
            )
            .expect("nothing to do");
            assert_eq!(summary, Summary::default());
        }
        let store = Store::open(&spec).expect("store");
        assert!(store.all_embedded().expect("all"));
        assert!(all_stories(&store).is_empty(), "no refresh either");
        drop(store);

        // With --full-refresh (a back-fill killed before its recompute): the stories only.
        command(
            &spec,
            64,
            true,
            || anyhow::bail!("the model must not be loaded"),
            &quiet(),
        )
        .expect("stories");
        let store = Store::open(&spec).expect("store");
        assert_eq!(all_stories(&store).len(), 3);
    }
}
