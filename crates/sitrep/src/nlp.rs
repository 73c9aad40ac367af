//! `sitrep nlp`: the linguistic analysis on its own.
//!
//! - `--format conll`: pre-tokenised input, one token per line (the first field of the line;
//!   CoNLL-2003's extra columns are ignored), a blank line between sentences; the output is
//!   `token<TAB>BIO` per line with the same line breaks (`-DOCSTART-` lines pass through as
//!   `-DOCSTART-<TAB>O`). Each sentence is analysed as one document of those words.
//! - `--format json`: articles (any input `extract` reads) are cleaned and their bodies
//!   analysed; one JSON object per article: tokens (byte offsets into `text`, tag, POS,
//!   morphology, lemma, head, dependency label, entity IOB), sentences, entities.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use sitrep_nlp::{Doc, Pipeline};

use crate::pipeline::{Options, is_broken_pipe, run};
use crate::report::{Reporter, Summary};

/// Sentences (or pass-through lines) analysed together.
const CONLL_BATCH: usize = 512;

/// Loads the model, with a clear error when it is missing.
pub fn load_pipeline(model: &Path) -> anyhow::Result<Pipeline> {
    if !model.join("ner").is_dir() {
        anyhow::bail!(
            "no model in {}: run ./scripts/fetch-models, or point SITREP_MODEL_DIR (or --model) \
             at an en_core_web_sm folder",
            model.display()
        );
    }
    Pipeline::load(model).with_context(|| format!("cannot load the model in {}", model.display()))
}

/// One line of CoNLL input, in order.
enum Item {
    /// A sentence: its words.
    Sentence(Vec<String>),
    /// A line copied to the output as it is (blank lines, `-DOCSTART-`).
    Verbatim(String),
}

/// `sitrep nlp --format conll`.
pub fn conll(paths: &[PathBuf], model: &Path, reporter: &Reporter) -> anyhow::Result<Summary> {
    let nlp = load_pipeline(model)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut summary = Summary::default();
    let stdin_only = [PathBuf::from("-")];
    let paths = if paths.is_empty() {
        &stdin_only[..]
    } else {
        paths
    };
    let result = (|| -> anyhow::Result<()> {
        for path in paths {
            let name = path.display().to_string();
            let reader: Box<dyn BufRead> = if name == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => Box::new(std::io::BufReader::new(f)),
                    Err(e) => {
                        summary.failed += 1;
                        reporter.input_failed(&name, &e.to_string());
                        continue;
                    }
                }
            };
            summary.read += 1;
            match conll_stream(&nlp, &name, reader, &mut out, reporter) {
                Ok(sentences) => summary.written += sentences,
                Err(e) if e.is::<InputFailed>() => {
                    summary.failed += 1;
                    reporter.input_failed(&name, &format!("{e:#}"));
                }
                Err(e) => return Err(e),
            }
            reporter.progress(&summary);
        }
        out.flush()?;
        Ok(())
    })();
    match result {
        Err(e) if is_broken_pipe(&e) => return Ok(summary),
        other => other.context("cannot write to standard output")?,
    }
    reporter.finish_items("inputs", "sentences tagged", &summary);
    Ok(summary)
}

/// An input that could not be read to the end (as opposed to output errors, which end the run).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct InputFailed(String);

/// Tags one CoNLL stream; returns the number of sentences written.
fn conll_stream(
    nlp: &Pipeline,
    name: &str,
    mut reader: Box<dyn BufRead + '_>,
    out: &mut impl Write,
    reporter: &Reporter,
) -> anyhow::Result<usize> {
    let mut items: Vec<Item> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut pending_sentences = 0;
    let mut written = 0;
    let mut line = Vec::new();
    let mut line_no = 0usize;
    let mut bad_lines = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| InputFailed(format!("line {}: {e}", line_no + 1)))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        // A line that is not UTF-8 keeps its place (so output lines still match input lines),
        // with the bad bytes replaced; the input is reported once.
        let text = match std::str::from_utf8(&line) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => {
                if bad_lines == 0 {
                    reporter.input_failed(
                        name,
                        &format!("line {line_no} is not UTF-8 (bad bytes replaced)"),
                    );
                }
                bad_lines += 1;
                String::from_utf8_lossy(&line)
            }
        };
        let text = text.trim_end_matches(['\n', '\r']);
        match text.split_whitespace().next() {
            None => {
                if !words.is_empty() {
                    items.push(Item::Sentence(std::mem::take(&mut words)));
                    pending_sentences += 1;
                }
                items.push(Item::Verbatim(String::new()));
            }
            Some("-DOCSTART-") if words.is_empty() => {
                items.push(Item::Verbatim("-DOCSTART-\tO".to_string()));
            }
            Some(word) => words.push(word.to_string()),
        }
        if pending_sentences >= CONLL_BATCH {
            written += flush_conll(nlp, &mut items, out)?;
            pending_sentences = 0;
        }
    }
    if !words.is_empty() {
        items.push(Item::Sentence(words));
    }
    written += flush_conll(nlp, &mut items, out)?;
    if bad_lines > 0 {
        return Err(InputFailed(format!("{bad_lines} lines were not UTF-8")).into());
    }
    Ok(written)
}

/// Analyses the pending sentences in parallel and writes every pending item in order.
fn flush_conll(
    nlp: &Pipeline,
    items: &mut Vec<Item>,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let docs: Vec<Option<Doc>> = items
        .par_iter()
        .map(|item| match item {
            Item::Sentence(words) => {
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                Some(nlp.analyze_words(&words, None))
            }
            Item::Verbatim(_) => None,
        })
        .collect();
    let mut sentences = 0;
    for (item, doc) in items.drain(..).zip(docs) {
        match (item, doc) {
            (Item::Sentence(words), Some(doc)) => {
                sentences += 1;
                for (word, token) in words.iter().zip(&doc.tokens) {
                    if token.ent_iob == 'O' {
                        writeln!(out, "{word}\tO")?;
                    } else {
                        writeln!(out, "{word}\t{}-{}", token.ent_iob, token.ent_type)?;
                    }
                }
            }
            (Item::Verbatim(line), _) => writeln!(out, "{line}")?,
            (Item::Sentence(_), None) => unreachable!("every sentence is analysed"),
        }
    }
    Ok(sentences)
}

/// `sitrep nlp --format json`: articles cleaned, bodies analysed, one JSON object each.
pub fn json(opts: &Options, model: &Path, reporter: &Reporter) -> anyhow::Result<Summary> {
    // Article bodies, analysed as `sitrep extract` analyses them: a line break ends a sentence.
    let nlp = load_pipeline(model)?.with_line_breaks_as_sentence_ends(true);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut summary = Summary::default();
    let result = run(opts, reporter, &mut summary, |articles, summary| {
        let docs: Vec<Doc> = articles
            .par_iter()
            .map(|(article, _)| nlp.analyze(&article.body))
            .collect();
        for ((article, _), doc) in articles.iter().zip(docs) {
            serde_json::to_writer(&mut out, &doc_json(&article.input, &article.id, &doc))?;
            out.write_all(b"\n")?;
            summary.written += 1;
        }
        out.flush()?;
        Ok(())
    });
    match result {
        Err(e) if is_broken_pipe(&e) => return Ok(summary),
        other => other.context("cannot write to standard output")?,
    }
    reporter.finish("analysed", &summary);
    Ok(summary)
}

/// The JSON form of one analysis; every offset is a byte offset into `text`. Serialised
/// straight from the `Doc` (no intermediate JSON tree: a 10 MB text stays cheap).
#[derive(Serialize)]
struct DocJson<'a> {
    input: &'a str,
    id: &'a str,
    text: &'a str,
    tokens: TokensJson<'a>,
    sentences: Vec<SpanJson<'a>>,
    entities: Vec<SpanJson<'a>>,
}

struct TokensJson<'a>(&'a Doc);

#[derive(Serialize)]
struct TokenJson<'a> {
    i: usize,
    text: &'a str,
    start: usize,
    end: usize,
    ws: bool,
    tag: &'a str,
    pos: &'a str,
    morph: &'a str,
    lemma: &'a str,
    head: usize,
    dep: &'a str,
    ent_iob: char,
    ent_type: &'a str,
}

impl Serialize for TokensJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let doc = self.0;
        let mut seq = s.serialize_seq(Some(doc.tokens.len()))?;
        for (i, t) in doc.tokens.iter().enumerate() {
            seq.serialize_element(&TokenJson {
                i,
                text: doc.token_text(i),
                start: t.start,
                end: t.end,
                ws: t.ws,
                tag: &t.tag,
                pos: &t.pos,
                morph: &t.morph,
                lemma: &t.lemma,
                head: t.head,
                dep: &t.dep,
                ent_iob: t.ent_iob,
                ent_type: &t.ent_type,
            })?;
        }
        seq.end()
    }
}

/// A sentence (no label) or an entity: its text, bytes and token range.
#[derive(Serialize)]
struct SpanJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    start: usize,
    end: usize,
    tokens: [usize; 2],
}

fn doc_json<'a>(input: &'a str, id: &'a str, doc: &'a Doc) -> DocJson<'a> {
    DocJson {
        input,
        id,
        text: &doc.text,
        tokens: TokensJson(doc),
        sentences: doc
            .sentences
            .iter()
            .map(|s| SpanJson {
                text: None,
                label: None,
                start: s.start,
                end: s.end,
                tokens: [s.tokens.start, s.tokens.end],
            })
            .collect(),
        entities: doc
            .entities
            .iter()
            .map(|e| SpanJson {
                text: Some(&doc.text[e.start..e.end]),
                label: Some(&e.label),
                start: e.start,
                end: e.end,
                tokens: [e.tokens.start, e.tokens.end],
            })
            .collect(),
    }
}
