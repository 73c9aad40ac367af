//! End-to-end tests of the `sitrep` binary: output contract, bad input, idempotent and
//! crash-safe ingest.

mod common;
use common::{sitrep, stderr};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/articles")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
        .collect()
}

/// The JSON lines of `out` (stories), sorted by id.
fn by_id(out: &Output) -> Vec<serde_json::Value> {
    let mut v = json_lines(out);
    v.sort_by_key(|s| s["id"].to_string());
    v
}

/// The example input files, sorted by name.
fn example_files() -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    Ok(files)
}

fn store_count(db: &Path) -> u64 {
    sitrep_store::Store::open(&db.display().to_string())
        .and_then(|s| s.count_articles())
        .unwrap_or(u64::MAX)
}

#[test]
fn extract_examples_prints_the_contract() -> std::io::Result<()> {
    let out = sitrep().arg("extract").arg(examples()).output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let records = json_lines(&out);
    assert_eq!(records.len(), 5);
    for r in &records {
        assert_eq!(r["schema"], "sitrep/1");
        assert!(r["body"].as_str().is_some_and(|b| !b.is_empty()));
        assert!(r["entities"].is_array() && r["quotes"].is_array() && r["events"].is_array());
    }
    let titles: Vec<&str> = records.iter().filter_map(|r| r["title"].as_str()).collect();
    assert!(
        titles.contains(&"Kostovia rejects truce terms, says talks will go on"),
        "{titles:?}"
    );
    let html = records
        .iter()
        .find(|r| r["format"] == "html")
        .cloned()
        .unwrap_or_default();
    assert_eq!(html["outlet"], "dravinpost.example");
    assert_eq!(html["authors"][0], "Piotr Valek");
    assert!(!html["body"].as_str().unwrap_or("").contains("Most read"));
    assert!(
        stderr(&out).contains("5 articles read, 5 written"),
        "{}",
        stderr(&out)
    );
    Ok(())
}

#[test]
fn stdin_and_published_fallback() -> std::io::Result<()> {
    let mut child = sitrep()
        .args(["extract", "--quiet", "--published", "2025-04-01"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(b"The harbour reopened after the storm, officials said.\n"));
    let out = child.wait_with_output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let records = json_lines(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["published"], "2025-04-01");
    assert_eq!(records[0]["input"], "<stdin>");
    assert_eq!(stderr(&out), "", "quiet means no summary");
    Ok(())
}

/// Every kind of bad input gets one line naming it; the good inputs are all processed.
#[test]
fn bad_inputs_are_reported_and_skipped() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    std::fs::write(
        d.join("good.txt"),
        "Velden Council Votes\n\nThe council voted on Monday to keep the ferry running.\n",
    )?;
    std::fs::write(d.join("empty.txt"), "")?;
    std::fs::write(d.join("blank.html"), "   \n  ")?;
    std::fs::write(d.join("image.html"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")?;
    std::fs::write(d.join("binary.txt"), [0u8, 159, 146, 150, 0, 1, 2, 3, 0, 0])?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(
        "<html><body><p>A page long enough to be cut in half by the test.</p></body></html>"
            .repeat(50)
            .as_bytes(),
    )?;
    let full = gz.finish()?;
    std::fs::write(d.join("cut.html.gz"), &full[..full.len() / 2])?;
    // A JSON line over the 64 MB document cap, between good records.
    let huge = format!("{{\"text\":\"{}\"}}", "word ".repeat(14_000_000));
    std::fs::write(
        d.join("records.jsonl"),
        format!(
            "{{\"text\":\"Ferries ran all day on Sunday.\"}}\n{{\"text\": broken\n{{\"id\":\"x\"}}\n{huge}\n{{\"text\":\"Fares stayed the same on Monday.\"}}\n"
        ),
    )?;
    std::fs::write(
        d.join("tags.html"),
        "<html><body><div><p>Unclosed <b>markup <i>but the text of the page is still readable here.</div>",
    )?;
    // windows-1251 page without a declaration: sniffed, not rejected.
    let cyrillic = "<html><body><p>Паром отправился в пятницу утром, сообщил оператор линии.</p></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(cyrillic);
    std::fs::write(d.join("cp1251.html"), &bytes)?;
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("nowhere.txt"), d.join("dangling.txt"))?;

    let out = sitrep().arg("extract").arg(d).output()?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for (name, reason) in [
        ("empty.txt", "empty"),
        ("blank.html", "empty"),
        ("image.html", "PNG"),
        ("binary.txt", "binary"),
        ("cut.html.gz", "gzip"),
        ("records.jsonl:2", "invalid JSON"),
        ("records.jsonl:3", "neither"),
        ("records.jsonl:4", "line too long"),
        ("dangling.txt", "cannot"),
    ] {
        let line = err.lines().find(|l| l.contains(name)).unwrap_or("");
        assert!(
            line.starts_with("sitrep: error:") && line.contains(reason),
            "{name}: {err}"
        );
    }
    let records = json_lines(&out);
    let bodies: Vec<&str> = records.iter().filter_map(|r| r["body"].as_str()).collect();
    assert_eq!(records.len(), 5, "{bodies:?}");
    assert!(
        bodies.iter().any(|b| b.contains("Fares stayed")),
        "the record after the huge line is read"
    );
    assert!(
        bodies.iter().any(|b| b.contains("Паром отправился")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("still readable")),
        "{bodies:?}"
    );
    assert!(
        err.contains("5 written") && err.contains("9 failed"),
        "{err}"
    );
    Ok(())
}

#[test]
fn ingest_is_idempotent() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());
    let first = sitrep()
        .args(["ingest", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("5 stored, 0 duplicates"),
        "{}",
        stderr(&first)
    );
    let second = sitrep()
        .args(["ingest", "--json", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(second.status.success(), "{}", stderr(&second));
    let summary: serde_json::Value = stderr(&second)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .find(|v: &serde_json::Value| v.get("summary").is_some())
        .unwrap_or_default();
    assert_eq!(summary["stored"], 0);
    assert_eq!(summary["duplicates"], 5);
    assert_eq!(store_count(&db), 5);
    Ok(())
}

/// Killing ingest in the middle leaves a consistent store; running it again finishes the job
/// with no duplicates and no loss.
#[test]
fn killed_ingest_is_finished_by_a_rerun() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("many.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&input)?);
    let n = 10_000;
    for i in 0..n {
        writeln!(
            f,
            "{{\"id\":\"r{i}\",\"text\":\"Report number {i}: the ferry from Velden to Ostra sailed on time, and the harbour master counted {i} passengers on board.\"}}"
        )?;
    }
    drop(f);
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());
    let mut child = sitrep()
        .args(["ingest", "--quiet", "--batch", "8", "--db", &spec])
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Wait until some batches are in, then kill it hard.
    let started = std::time::Instant::now();
    while started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if db.exists() && store_count(&db) > 0 && store_count(&db) != u64::MAX {
            break;
        }
    }
    child.kill()?;
    child.wait()?;
    let partial = store_count(&db);
    assert!(
        partial < n,
        "ingest finished before it was killed ({partial})"
    );
    let rerun = sitrep()
        .args(["ingest", "--json", "--db", &spec])
        .arg(&input)
        .output()?;
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert_eq!(store_count(&db), n);
    Ok(())
}

/// `sitrep nlp --format conll` (../shared/CONTRACT.md): one output line per input line, the
/// same sentence breaks, `token<TAB>BIO` with the engine's entity types.
#[test]
fn nlp_conll_keeps_lines_and_tags_entities() -> std::io::Result<()> {
    let input = "-DOCSTART- -X- O\n\nPresident NNP O\nMara NNP B-PER\nQuill NNP I-PER\n\
                 visited VBD O\nBerlin NNP B-LOC\non IN O\nMonday NNP O\n. . O\n\n\
                 Talks\nended\n.\n";
    let mut child = sitrep()
        .args(["nlp", "--format", "conll", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(input.as_bytes()))
        .transpose()?;
    let out = child.wait_with_output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let in_lines: Vec<&str> = input.lines().collect();
    assert_eq!(lines.len(), in_lines.len(), "{stdout}");
    for (i, (o, l)) in lines.iter().zip(&in_lines).enumerate() {
        let word = l.split_whitespace().next().unwrap_or("");
        if word.is_empty() {
            assert_eq!(*o, "", "line {i}");
            continue;
        }
        let (token, tag) = o.split_once('\t').unwrap_or((o, ""));
        assert_eq!(token, word, "line {i}");
        assert!(
            tag == "O" || tag.starts_with("B-") || tag.starts_with("I-"),
            "line {i}: {o}"
        );
    }
    assert_eq!(lines[0], "-DOCSTART-\tO");
    assert_eq!(lines[3], "Mara\tB-PERSON");
    assert_eq!(lines[4], "Quill\tI-PERSON");
    assert_eq!(lines[6], "Berlin\tB-GPE");
    assert_eq!(lines[8], "Monday\tB-DATE");
    Ok(())
}

/// A line that is not UTF-8 is reported with its input and line number; the output keeps one
/// line per input line, and the exit status says something failed.
#[test]
fn nlp_conll_reports_bad_bytes_and_goes_on() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("bad.conll");
    std::fs::write(&bad, b"Envoys\nmet\n\xff\xfe\n.\n\nTalks\nresumed\n")?;
    let good = dir.path().join("good.conll");
    std::fs::write(&good, "Nobody\nreplied\n.\n")?;
    let missing = dir.path().join("missing.conll");
    let out = sitrep()
        .args(["nlp", "--format", "conll"])
        .args([&bad, &missing, &good])
        .output()?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("bad.conll: line 3 is not UTF-8"), "{err}");
    assert!(err.contains("missing.conll"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 7 + 3, "{stdout}");
    assert!(
        stdout.ends_with("Nobody\tO\nreplied\tO\n.\tO\n"),
        "{stdout}"
    );
    Ok(())
}

#[test]
fn nlp_json_analyses_article_bodies() -> std::io::Result<()> {
    let out = sitrep().arg("nlp").arg(examples()).output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 5);
    for d in &docs {
        let text = d["text"].as_str().unwrap_or("");
        let tokens = d["tokens"].as_array().cloned().unwrap_or_default();
        assert!(!tokens.is_empty());
        for t in &tokens {
            let (s, e) = (
                t["start"].as_u64().unwrap_or(0) as usize,
                t["end"].as_u64().unwrap_or(0) as usize,
            );
            assert_eq!(text.get(s..e), t["text"].as_str());
        }
        for e in d["entities"].as_array().cloned().unwrap_or_default() {
            let (s, end) = (
                e["start"].as_u64().unwrap_or(0) as usize,
                e["end"].as_u64().unwrap_or(0) as usize,
            );
            assert_eq!(text.get(s..end), e["text"].as_str());
        }
        assert!(
            !d["sentences"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .is_empty()
        );
    }
    Ok(())
}

/// `sitrep stories` groups the inputs (every article in exactly one story, each story a
/// contract object), and `ingest` keeps the same stories in the store, which `stories` then
/// reads back.
#[test]
fn stories_from_inputs_and_from_the_store() -> std::io::Result<()> {
    let out = sitrep().args(["stories"]).arg(examples()).output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let stories = json_lines(&out);
    assert!(!stories.is_empty());
    let mut seen = Vec::new();
    for s in &stories {
        assert_eq!(s["schema"], "sitrep/1");
        assert!(s["id"].as_str().is_some_and(|id| id.starts_with('s')));
        for a in s["articles"].as_array().into_iter().flatten() {
            let id = a.as_str().unwrap_or_default().to_string();
            assert!(!seen.contains(&id), "article {id} in two stories");
            seen.push(id);
        }
        assert!(s["disagreements"].is_array() && s["entities"].is_array());
    }
    assert_eq!(seen.len(), 5);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());
    let ingest = sitrep()
        .args(["ingest", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let stored = sitrep().args(["stories", "--db", &spec]).output()?;
    assert!(stored.status.success(), "{}", stderr(&stored));
    let ids = |v: &[serde_json::Value]| {
        let mut ids: Vec<String> = v.iter().map(|s| s["id"].to_string()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&json_lines(&stored)), ids(&stories));
    Ok(())
}

/// Ingesting the examples one file per run, in date order, refreshes the stories
/// incrementally each time; the stored stories are those of the whole set at once (in memory,
/// and with `--full-refresh`), object for object.
#[test]
fn incremental_ingests_keep_the_stories_of_the_whole_set() -> std::io::Result<()> {
    let all = sitrep().args(["stories"]).arg(examples()).output()?;
    assert!(all.status.success(), "{}", stderr(&all));
    let expected = by_id(&all);
    let files = example_files()?;
    assert_eq!(files.len(), 4);
    let dir = tempfile::tempdir()?;
    let spec = format!("sqlite://{}", dir.path().join("inc.sqlite").display());
    for file in &files {
        let run = sitrep()
            .args(["ingest", "--db", &spec])
            .arg(file)
            .output()?;
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let stored = sitrep().args(["stories", "--db", &spec]).output()?;
    assert!(stored.status.success(), "{}", stderr(&stored));
    assert_eq!(by_id(&stored), expected);

    let spec = format!("sqlite://{}", dir.path().join("full.sqlite").display());
    let run = sitrep()
        .args(["ingest", "--full-refresh", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(run.status.success(), "{}", stderr(&run));
    let stored = sitrep().args(["stories", "--db", &spec]).output()?;
    assert_eq!(by_id(&stored), expected);
    Ok(())
}

/// A schema of its own in the database of `SITREP_TEST_PG` (dropped on drop); `None` after a
/// note when the variable is unset, unless `SITREP_REQUIRE_PG=1` (scripts/test), which fails.
struct PgSchema {
    base: String,
    name: String,
    url: String,
}

impl PgSchema {
    fn new(test: &str) -> Option<PgSchema> {
        let base = match std::env::var("SITREP_TEST_PG") {
            Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => {
                if std::env::var("SITREP_REQUIRE_PG").is_ok_and(|v| v == "1") {
                    panic!("SITREP_REQUIRE_PG=1 but SITREP_TEST_PG is not set (see scripts/pg)");
                }
                eprintln!("note: {test} skipped: SITREP_TEST_PG is not set (see scripts/pg)");
                return None;
            }
        };
        let name = format!("sitrep_cli_{}", std::process::id());
        let mut admin = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to SITREP_TEST_PG {base}: {e}"));
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .expect("create test schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{name}");
        Some(PgSchema { base, name, url })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// Two `sitrep ingest` workers share one PostgreSQL store, each with half of the examples and
/// both refreshing the stories; a third run of everything stores nothing new. The stored
/// stories are those of the whole set in memory, object for object, as on SQLite.
#[test]
fn two_workers_share_a_postgres_store() -> std::io::Result<()> {
    let Some(pg) = PgSchema::new("two_workers_share_a_postgres_store") else {
        return Ok(());
    };
    let all = sitrep().args(["stories"]).arg(examples()).output()?;
    assert!(all.status.success(), "{}", stderr(&all));
    let expected = by_id(&all);
    let files = example_files()?;
    let (left, right) = files.split_at(files.len() / 2);
    let workers: Vec<std::process::Child> = [left, right]
        .iter()
        .map(|half| {
            sitrep()
                .args(["ingest", "--quiet", "--db", &pg.url])
                .args(*half)
                .stderr(Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    for w in workers {
        let out = w.wait_with_output()?;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let again = sitrep()
        .args(["ingest", "--json", "--db", &pg.url])
        .arg(examples())
        .output()?;
    assert!(again.status.success(), "{}", stderr(&again));
    let summary: serde_json::Value = stderr(&again)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .find(|v: &serde_json::Value| v.get("summary").is_some())
        .unwrap_or_default();
    assert_eq!(
        (summary["stored"].as_u64(), summary["duplicates"].as_u64()),
        (Some(0), Some(5))
    );
    let stored = sitrep().args(["stories", "--db", &pg.url]).output()?;
    assert!(stored.status.success(), "{}", stderr(&stored));
    assert_eq!(by_id(&stored), expected);
    Ok(())
}

/// An ingest killed after storing its articles but before refreshing the stories leaves them
/// in no story; the next ingest (of other articles, far away in time) places them too.
#[test]
fn articles_a_killed_ingest_left_out_of_the_stories_are_placed_by_the_next() -> std::io::Result<()>
{
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());
    // What the killed run left: a stored article, dated years before the examples, no story.
    let mut left = sitrep_model::Article::new(
        "left-behind.txt",
        "The ferry council of Ostra met on Monday and agreed on new timetables.".to_string(),
    );
    left.published = chrono::NaiveDate::from_ymd_opt(2019, 5, 6);
    {
        let mut store = sitrep_store::Store::open(&spec).expect("open store");
        store
            .insert_batch(&[(left.clone(), sitrep_model::Extraction::default())])
            .expect("insert");
        assert_eq!(store.unclustered().expect("unclustered").len(), 1);
    }
    let run = sitrep()
        .args(["ingest", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(run.status.success(), "{}", stderr(&run));
    let store = sitrep_store::Store::open(&spec).expect("open store");
    assert!(store.unclustered().expect("unclustered").is_empty());
    let stories = sitrep().args(["stories", "--db", &spec]).output()?;
    let placed: Vec<String> = json_lines(&stories)
        .iter()
        .flat_map(|s| s["articles"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    assert_eq!(placed.len(), 6, "{placed:?}");
    assert!(placed.contains(&left.id));
    Ok(())
}

/// `ingest --embed` with the real model (`models/minilm`): every stored article has a
/// unit-length 384-float embedding, and the stories of the store are listed. Skipped, with a
/// note, when the model is not fetched.
#[test]
fn ingest_with_embed_stores_an_embedding_per_article() -> std::io::Result<()> {
    let Some(model) = common::minilm("ingest_with_embed_stores_an_embedding_per_article") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());
    let ingest = sitrep()
        .env("SITREP_EMBED_DIR", &model)
        .args(["ingest", "--embed", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let store = sitrep_store::Store::open(&spec).expect("open");
    let ids = store.article_ids(100, None).expect("ids");
    assert_eq!(ids.len(), 5);
    for id in &ids {
        let v = store.get_embedding(id).expect("read").expect("embedded");
        assert_eq!(v.len(), 384);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{id}: norm {norm}");
    }
    assert!(store.all_embedded().expect("all"));
    drop(store);
    let stored = sitrep().args(["stories", "--db", &spec]).output()?;
    assert!(stored.status.success(), "{}", stderr(&stored));
    let placed: usize = json_lines(&stored)
        .iter()
        .map(|s| s["articles"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(placed, 5);
    Ok(())
}

/// The default (`auto`) embeds when the model is installed and `--no-embed` turns it off;
/// `sitrep stories FILES` embeds as the ingest does, so the files' stories group as the
/// store's. Skipped, with a note, when the model is not fetched.
#[test]
fn embeddings_are_on_by_default_when_the_model_is_installed() -> std::io::Result<()> {
    let Some(model) = common::minilm("embeddings_are_on_by_default_when_the_model_is_installed")
    else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let on = format!("sqlite://{}", dir.path().join("on.sqlite").display());
    let off = format!("sqlite://{}", dir.path().join("off.sqlite").display());
    let ingest = sitrep()
        .env_remove("SITREP_EMBED")
        .env("SITREP_EMBED_DIR", &model)
        .args(["ingest", "--db", &on])
        .arg(examples())
        .output()?;
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let ingest = sitrep()
        .env_remove("SITREP_EMBED")
        .env("SITREP_EMBED_DIR", &model)
        .args(["ingest", "--no-embed", "--db", &off])
        .arg(examples())
        .output()?;
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let store = sitrep_store::Store::open(&on).expect("open");
    assert!(
        store.all_embedded().expect("all"),
        "auto with the model embeds"
    );
    drop(store);
    let store = sitrep_store::Store::open(&off).expect("open");
    let ids = store.article_ids(100, None).expect("ids");
    assert_eq!(ids.len(), 5);
    for id in &ids {
        assert!(store.get_embedding(id).expect("read").is_none(), "{id}");
    }
    drop(store);
    // Embeddings on over a store whose articles have none: it says how to back-fill them.
    let again = sitrep()
        .env_remove("SITREP_EMBED")
        .env("SITREP_EMBED_DIR", &model)
        .args(["ingest", "--db", &off])
        .arg(examples())
        .output()?;
    assert!(again.status.success(), "{}", stderr(&again));
    let err = stderr(&again);
    assert!(err.contains("5 stored articles"), "{err}");
    assert!(err.contains("sitrep embed"), "{err}");
    // The same articles' stories, from the files and from the embedded store.
    let partition = |out: &Output| {
        let mut groups: Vec<Vec<String>> = json_lines(out)
            .iter()
            .map(|s| {
                let mut ids: Vec<String> = s["articles"]
                    .as_array()
                    .map(|a| a.iter().map(|x| x["id"].to_string()).collect())
                    .unwrap_or_default();
                ids.sort();
                ids
            })
            .collect();
        groups.sort();
        groups
    };
    let files = sitrep()
        .env("SITREP_EMBED_DIR", &model)
        .args(["stories", "--embed"])
        .arg(examples())
        .output()?;
    assert!(files.status.success(), "{}", stderr(&files));
    let stored = sitrep().args(["stories", "--db", &on]).output()?;
    assert!(stored.status.success(), "{}", stderr(&stored));
    assert_eq!(partition(&files).concat().len(), 5);
    assert_eq!(partition(&files), partition(&stored));
    Ok(())
}

/// Without the model, the default (`auto`) goes on without embeddings and says so; nothing
/// fails.
#[test]
fn auto_without_the_model_warns_and_ingests_without_embeddings() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("store.sqlite");
    let spec = format!("sqlite://{}", db.display());
    let missing = dir.path().join("no-minilm-here");
    let out = sitrep()
        .env_remove("SITREP_EMBED")
        .env("SITREP_EMBED_DIR", &missing)
        .args(["ingest", "--db", &spec])
        .arg(examples())
        .output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no sentence embedding model"), "{err}");
    assert!(err.contains("no-minilm-here"), "{err}");
    assert_eq!(store_count(&db), 5);
    let store = sitrep_store::Store::open(&spec).expect("open");
    assert!(!store.all_embedded().expect("all"));
    Ok(())
}

/// A missing embedding model is an error that names the file, before anything is stored.
#[test]
fn ingest_with_embed_and_no_model_names_the_missing_file() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("store.sqlite");
    let missing = dir.path().join("no-minilm-here");
    let out = sitrep()
        .env("SITREP_EMBED_DIR", &missing)
        .args(["ingest", "--embed", "--db"])
        .arg(&db)
        .arg(examples())
        .output()?;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no-minilm-here"), "{err}");
    assert!(err.contains("model file missing"), "{err}");
    assert!(!db.exists() || store_count(&db) == 0);
    Ok(())
}

/// `sitrep ingest` of the examples (without `--embed`, or with it) into a new SQLite store in
/// `dir`; returns the store spec.
fn ingest_examples(dir: &Path, name: &str, embed: Option<&Path>) -> std::io::Result<String> {
    let spec = format!("sqlite://{}", dir.join(name).display());
    let mut cmd = sitrep();
    cmd.args(["ingest", "--db", &spec]);
    if let Some(model) = embed {
        cmd.env("SITREP_EMBED_DIR", model).arg("--embed");
    }
    let out = cmd.arg(examples()).output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    Ok(spec)
}

/// `sitrep embed` back-fills a store ingested without `--embed`: each article gets the
/// embedding `ingest --embed` stores, and the stories are then those of a store ingested with
/// `--embed`. Run again, it says there is nothing to do, without loading the model. Skipped,
/// with a note, when the model is not fetched.
#[test]
fn embed_back_fills_a_store_ingested_without_embeddings() -> std::io::Result<()> {
    let Some(model) = common::minilm("embed_back_fills_a_store_ingested_without_embeddings") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let plain = ingest_examples(dir.path(), "plain.sqlite", None)?;
    let embedded = ingest_examples(dir.path(), "embedded.sqlite", Some(&model))?;
    let store = sitrep_store::Store::open(&plain).expect("open");
    assert_eq!(store.count_unembedded().expect("count"), 5);
    drop(store);

    let out = sitrep()
        .env("SITREP_EMBED_DIR", &model)
        .args(["embed", "--batch", "2", "--db", &plain])
        .output()?;
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("5 articles read, 5 embedded, 0 duplicates, 0 failed"),
        "{err}"
    );
    let back = sitrep_store::Store::open(&plain).expect("open");
    let with = sitrep_store::Store::open(&embedded).expect("open");
    assert!(back.all_embedded().expect("all"));
    for id in back.article_ids(100, None).expect("ids") {
        let a = back.get_embedding(&id).expect("read").expect("back-filled");
        let b = with.get_embedding(&id).expect("read").expect("ingested");
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert_eq!(a.len(), b.len());
        assert!(worst < 1e-4, "{id}: differs by {worst}");
    }
    drop((back, with));
    let stories = |spec: &str| -> std::io::Result<Vec<serde_json::Value>> {
        let out = sitrep().args(["stories", "--db", spec]).output()?;
        assert!(out.status.success(), "{}", stderr(&out));
        Ok(by_id(&out))
    };
    assert_eq!(stories(&plain)?, stories(&embedded)?);

    // Again: nothing to do (the model is not even needed), exit 0.
    let again = sitrep()
        .env("SITREP_EMBED_DIR", dir.path().join("no-minilm-here"))
        .args(["embed", "--db", &plain])
        .output()?;
    let err = stderr(&again);
    assert!(again.status.success(), "{err}");
    assert!(
        err.contains("already has an embedding: nothing to do"),
        "{err}"
    );
    Ok(())
}

/// An article whose stored text cannot be read is named; the others are embedded; exit 1.
#[test]
fn embed_names_an_unreadable_article_and_embeds_the_others() -> std::io::Result<()> {
    let Some(model) = common::minilm("embed_names_an_unreadable_article_and_embeds_the_others")
    else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let spec = ingest_examples(dir.path(), "store.sqlite", None)?;
    let ids = sitrep_store::Store::open(&spec)
        .and_then(|s| s.article_ids(100, None))
        .expect("ids");
    let damaged = &ids[2];
    // A body that is not UTF-8 (a damaged row), behind the store's back.
    rusqlite::Connection::open(dir.path().join("store.sqlite"))
        .and_then(|c| {
            c.execute(
                "UPDATE articles SET body = CAST(x'4f726cff' AS TEXT) WHERE id = ?1",
                [damaged],
            )
        })
        .expect("damage");
    let out = sitrep()
        .env("SITREP_EMBED_DIR", &model)
        .args(["embed", "--db", &spec])
        .output()?;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{damaged}: cannot read the stored article's text")),
        "{err}"
    );
    assert!(err.contains("4 embedded"), "{err}");
    assert!(err.contains("1 articles of"), "{err}");
    let store = sitrep_store::Store::open(&spec).expect("open");
    for id in &ids {
        assert_eq!(
            store.get_embedding(id).expect("read").is_some(),
            id != damaged,
            "{id}"
        );
    }
    Ok(())
}

/// Without the model, `sitrep embed` on a store that needs it fails as `ingest --embed` does
/// (exit 2, the missing file named) and changes nothing.
#[test]
fn embed_without_the_model_names_the_missing_file() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let spec = ingest_examples(dir.path(), "store.sqlite", None)?;
    let out = sitrep()
        .env("SITREP_EMBED_DIR", dir.path().join("no-minilm-here"))
        .args(["embed", "--db", &spec])
        .output()?;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot load the sentence embedding model"),
        "{err}"
    );
    assert!(
        err.contains("no-minilm-here") && err.contains("model file missing"),
        "{err}"
    );
    let store = sitrep_store::Store::open(&spec).expect("open");
    assert_eq!(store.count_unembedded().expect("count"), 5);
    Ok(())
}
