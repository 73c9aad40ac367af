//! Named-entity and sentence-splitting measurement, so Python spaCy and sitrep's Rust pipeline
//! can be scored side by side on the same inputs.
//!
//! # NER (`conll-ner`)
//!
//! Gold: a CoNLL-2003 file (one token a line, blank line between sentences, optional
//! `-DOCSTART-` lines). The token is the first field; the NER tag is the last field that reads
//! `O`, `B-…` or `I-…` (so both the four-column original and the three-column `token tag 0`
//! copy in `<data>/nlp/conll2003/` read the same).
//!
//! Predictions: `token<TAB>BIO` a line with OntoNotes types (`B-PERSON`, `I-GPE`, …), the same
//! sentence breaks as the gold file, `-DOCSTART-` lines ignored. Tokens must line up with the
//! gold tokens one for one; the first mismatch is reported with its line numbers.
//!
//! Scoring follows conlleval: entities are exact spans, read off the tags with conlleval's chunk
//! rules (an `I-` after `O` or after another type starts an entity; a sentence end closes one).
//! Types are mapped after the spans are read: PERSON→PER, ORG→ORG, GPE/LOC/FAC→LOC,
//! NORP/EVENT/LAW/PRODUCT/WORK_OF_ART/LANGUAGE→MISC; every other OntoNotes type (DATE, CARDINAL,
//! MONEY, …) is dropped. The CoNLL types map to themselves. Per type P/R/F1 and the overall
//! micro-averaged figures, one column per prediction file.
//!
//! # Sentences (`sentence-texts`, `sentences`)
//!
//! Both sides read document texts from ONE reconstruction, [`documents`], which `sentence-texts`
//! writes as JSON lines `{"corpus","doc","text"}`; a splitter (spaCy through
//! `tools/spacy_sents.py`, or sitrep) reads that file and writes JSON lines
//! `{"corpus","doc","starts":[byte offsets]}`, which `sentences` scores against the gold breaks.
//!
//! * `conll2003`: the CoNLL-2003 test file. Tokens are joined by single spaces and sentences by a
//!   single space (a newline would hand every boundary to the splitter, as CoNLL puts each
//!   sentence on its own line). This copy has no `-DOCSTART-` lines, so documents are runs of
//!   [`CONLL_DOC_SENTENCES`] consecutive sentences (a `-DOCSTART-` line, where present, also
//!   starts a document); ids are `test-0000`, `test-0001`, ….
//! * `gum`: the GUM news and interview documents in `<data>/nlp/gum/*.conll`. That copy is the
//!   coreference export: tokens only, no sentence breaks and no spacing. The breaks and the
//!   spacing come from GUM's dependency release (`dep/<doc>.conllu` of the GUM repository),
//!   passed as `--gum-conllu DIR`; its word sequence must equal the shared file's, token for
//!   token, or the command stops. Within a sentence `SpaceAfter=No` is honoured (a multi-word
//!   token is written as its surface form), sentences are joined by a single space and a new
//!   paragraph (`# newpar`) starts after a newline instead. Without `--gum-conllu` GUM is
//!   skipped with a note. (Checked: all 43 documents of the shared copy match `dep/` of
//!   github.com/amir-zeldes/gum at commit 72ce5ac14 word for word, and the rebuilt texts equal
//!   the concatenated `# text` comments.)
//!
//! Boundaries are the byte offsets of sentence starts other than 0, per document; counts are
//! summed over the documents of a corpus (micro P/R/F1).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};

/// Gold NER file, relative to the data folder.
pub const CONLL_TEST: &str = "nlp/conll2003/test.txt";
/// GUM coreference export, relative to the data folder.
pub const GUM_DIR: &str = "nlp/gum";
/// Sentences per CoNLL-2003 pseudo-document (the test set has no document marks).
pub const CONLL_DOC_SENTENCES: usize = 16;

const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

// ---------------------------------------------------------------------------------------------
// NER
// ---------------------------------------------------------------------------------------------

/// The CoNLL type an OntoNotes (or CoNLL) entity type is scored as; `None` drops the entity.
pub fn map_type(t: &str) -> Option<&'static str> {
    match t {
        "PER" | "PERSON" => Some("PER"),
        "ORG" => Some("ORG"),
        "LOC" | "GPE" | "FAC" => Some("LOC"),
        "MISC" | "NORP" | "EVENT" | "LAW" | "PRODUCT" | "WORK_OF_ART" | "LANGUAGE" => Some("MISC"),
        _ => None,
    }
}

/// One token line: the token, its tag and its 1-based line number in the file.
#[derive(Debug, Clone)]
struct Tok {
    text: String,
    tag: String,
    line: usize,
}

fn is_tag(s: &str) -> bool {
    s == "O" || s.starts_with("B-") || s.starts_with("I-")
}

/// Reads sentences of tagged tokens. `tab_only`: prediction files split on the tab only (a token
/// could in principle hold a space); gold files split on any whitespace.
fn read_tagged(text: &str, tab_only: bool, name: &str) -> anyhow::Result<Vec<Vec<Tok>>> {
    let mut sents = Vec::new();
    let mut cur = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !cur.is_empty() {
                sents.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with("-DOCSTART-") {
            if !cur.is_empty() {
                sents.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let (tok, tag) = if tab_only {
            match line.rsplit_once('\t') {
                Some((t, g)) => (t.to_string(), g.trim().to_string()),
                None => bail!("{name}:{}: expected token<TAB>tag, got {line:?}", i + 1),
            }
        } else {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let tag = fields
                .iter()
                .skip(1)
                .rev()
                .find(|f| is_tag(f))
                .with_context(|| format!("{name}:{}: no BIO tag in {line:?}", i + 1))?;
            (fields[0].to_string(), (*tag).to_string())
        };
        ensure!(
            is_tag(&tag),
            "{name}:{}: {tag:?} is not a BIO tag (O, B-X, I-X)",
            i + 1
        );
        cur.push(Tok {
            text: tok,
            tag,
            line: i + 1,
        });
    }
    if !cur.is_empty() {
        sents.push(cur);
    }
    Ok(sents)
}

/// Entity spans `(start, end_exclusive, raw type)` of one sentence, with conlleval's chunk rules.
pub fn spans<S: AsRef<str>>(tags: &[S]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, ty) = match tag.split_once('-') {
            Some((p, t)) => (p, t),
            None => ("O", ""),
        };
        let continues = prefix == "I" && matches!(open, Some((_, t)) if t == ty);
        if continues {
            continue;
        }
        if let Some((s, t)) = open.take() {
            out.push((s, i, t.to_string()));
        }
        if prefix == "B" || prefix == "I" {
            open = Some((i, ty));
        }
    }
    if let Some((s, t)) = open {
        out.push((s, tags.len(), t.to_string()));
    }
    out
}

/// Mapped entities of one sentence: `(start, end, CoNLL type)`.
fn mapped(tags: &[&str]) -> BTreeSet<(usize, usize, &'static str)> {
    spans(tags)
        .into_iter()
        .filter_map(|(s, e, t)| map_type(&t).map(|m| (s, e, m)))
        .collect()
}

/// True positives, predicted and gold counts per CoNLL type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NerCounts {
    pub per_type: BTreeMap<&'static str, (usize, usize, usize)>,
}

impl NerCounts {
    /// Adds one sentence (gold and predicted tags of equal length).
    pub fn add(&mut self, gold: &[&str], pred: &[&str]) {
        let g = mapped(gold);
        let p = mapped(pred);
        for &(_, _, t) in &g {
            self.per_type.entry(t).or_default().2 += 1;
        }
        for e in &p {
            let c = self.per_type.entry(e.2).or_default();
            c.1 += 1;
            if g.contains(e) {
                c.0 += 1;
            }
        }
    }

    pub fn total(&self) -> (usize, usize, usize) {
        self.per_type
            .values()
            .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2))
    }
}

/// Precision, recall, F1 (as fractions) from true positives, predicted and gold counts.
pub fn prf(tp: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let p = if pred == 0 {
        0.0
    } else {
        tp as f64 / pred as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        tp as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// Scores one prediction text against gold sentences; errors when the tokens do not line up.
fn score_ner(gold: &[Vec<Tok>], pred_text: &str, pred_name: &str) -> anyhow::Result<NerCounts> {
    let pred = read_tagged(pred_text, true, pred_name)?;
    let mut counts = NerCounts::default();
    for (i, g) in gold.iter().enumerate() {
        let Some(p) = pred.get(i) else {
            bail!(
                "{pred_name}: ends after {} sentences, the gold file has {} (next gold sentence at gold line {})",
                pred.len(),
                gold.len(),
                g[0].line
            );
        };
        for (j, gt) in g.iter().enumerate() {
            match p.get(j) {
                Some(pt) if pt.text == gt.text => {}
                Some(pt) => bail!(
                    "{pred_name}:{}: token {:?} does not line up with gold token {:?} (gold line {}, sentence {})",
                    pt.line,
                    pt.text,
                    gt.text,
                    gt.line,
                    i + 1
                ),
                None => bail!(
                    "{pred_name}: sentence {} ends at line {} after {} tokens; gold has {} (gold line {} is {:?})",
                    i + 1,
                    p.last().map_or(0, |t| t.line),
                    p.len(),
                    g.len(),
                    gt.line,
                    gt.text
                ),
            }
        }
        if p.len() > g.len() {
            bail!(
                "{pred_name}:{}: sentence {} has extra token {:?}; the gold sentence ends at gold line {}",
                p[g.len()].line,
                i + 1,
                p[g.len()].text,
                g.last().map_or(0, |t| t.line)
            );
        }
        let gt: Vec<&str> = g.iter().map(|t| t.tag.as_str()).collect();
        let pt: Vec<&str> = p.iter().map(|t| t.tag.as_str()).collect();
        counts.add(&gt, &pt);
    }
    if pred.len() > gold.len() {
        bail!(
            "{pred_name}:{}: {} sentences where the gold file has {}",
            pred[gold.len()][0].line,
            pred.len(),
            gold.len()
        );
    }
    Ok(counts)
}

/// `sitrep-eval conll-ner`: prints one table, a column per prediction file.
pub fn conll_ner(data: &Path, preds: &[PathBuf], gold: Option<&Path>) -> anyhow::Result<()> {
    let gold_path = gold.map_or_else(|| data.join(CONLL_TEST), Path::to_path_buf);
    let gold_text = std::fs::read_to_string(&gold_path)
        .with_context(|| format!("reading gold {}", gold_path.display()))?;
    let gold = read_tagged(&gold_text, false, &gold_path.display().to_string())?;
    let mut cols = Vec::new();
    for p in preds {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        cols.push((
            p.display().to_string(),
            score_ner(&gold, &text, &p.display().to_string())?,
        ));
    }
    print!("{}", ner_table(&gold_path.display().to_string(), &cols));
    Ok(())
}

fn ner_table(gold_name: &str, cols: &[(String, NerCounts)]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "gold: {gold_name}");
    for (i, (name, _)) in cols.iter().enumerate() {
        let _ = writeln!(s, "[{}] {name}", i + 1);
    }
    let _ = write!(s, "{:<8} {:>6}", "type", "gold");
    for i in 0..cols.len() {
        let _ = write!(s, " | {:>22}", format!("[{}] P / R / F1", i + 1));
    }
    s.push('\n');
    let row = |s: &mut String, label: &str, get: &dyn Fn(&NerCounts) -> (usize, usize, usize)| {
        let gold = cols.first().map_or(0, |(_, c)| get(c).2);
        let _ = write!(s, "{label:<8} {gold:>6}");
        for (_, c) in cols {
            let (tp, np, ng) = get(c);
            let (p, r, f) = prf(tp, np, ng);
            let _ = write!(
                s,
                " | {:>6.2} {:>6.2} {:>6.2}  ",
                p * 100.0,
                r * 100.0,
                f * 100.0
            );
        }
        s.push('\n');
    };
    for t in TYPES {
        row(&mut s, t, &|c: &NerCounts| {
            c.per_type.get(t).copied().unwrap_or_default()
        });
    }
    row(&mut s, "overall", &|c: &NerCounts| c.total());
    s
}

// ---------------------------------------------------------------------------------------------
// Sentences
// ---------------------------------------------------------------------------------------------

/// One reconstructed document with its gold sentence starts (byte offsets, 0 included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocText {
    pub corpus: &'static str,
    pub doc: String,
    pub text: String,
    pub starts: Vec<usize>,
}

#[derive(Serialize)]
struct TextLine<'a> {
    corpus: &'a str,
    doc: &'a str,
    text: &'a str,
}

/// A line of a sentence-prediction file.
#[derive(Deserialize, Serialize, Debug)]
pub struct PredLine {
    pub corpus: String,
    pub doc: String,
    pub starts: Vec<usize>,
}

/// CoNLL-2003 documents: tokens and sentences joined by single spaces.
pub fn conll_docs(text: &str) -> Vec<DocText> {
    let mut docs = Vec::new();
    let mut sents: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let flush = |sents: &mut Vec<Vec<String>>, docs: &mut Vec<DocText>| {
        if sents.is_empty() {
            return;
        }
        let mut text = String::new();
        let mut starts = Vec::new();
        for s in sents.drain(..) {
            if !text.is_empty() {
                text.push(' ');
            }
            starts.push(text.len());
            text.push_str(&s.join(" "));
        }
        docs.push(DocText {
            corpus: "conll2003",
            doc: format!("test-{:04}", docs.len()),
            text,
            starts,
        });
    };
    for line in text.lines() {
        let line = line.trim();
        let docstart = line.starts_with("-DOCSTART-");
        if line.is_empty() || docstart {
            if !cur.is_empty() {
                sents.push(std::mem::take(&mut cur));
                if sents.len() == CONLL_DOC_SENTENCES {
                    flush(&mut sents, &mut docs);
                }
            }
            if docstart {
                flush(&mut sents, &mut docs);
            }
            continue;
        }
        if let Some(tok) = line.split_whitespace().next() {
            cur.push(tok.to_string());
        }
    }
    if !cur.is_empty() {
        sents.push(cur);
    }
    flush(&mut sents, &mut docs);
    docs
}

/// Words of a GUM coreference export (`id<TAB>word<TAB>coref`).
fn gum_coref_words(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            let id = f.next()?;
            let word = f.next()?;
            id.parse::<usize>().ok().map(|_| word.to_string())
        })
        .collect()
}

/// One GUM document from its CoNLL-U: text, gold sentence starts and the word sequence.
pub fn gum_doc(doc: &str, conllu: &str) -> anyhow::Result<(DocText, Vec<String>)> {
    let mut text = String::new();
    let mut starts = Vec::new();
    let mut words = Vec::new();
    let mut newpar = false;
    let mut in_sent = false;
    // End of the multi-word token being written, if any (its words are not written again).
    let mut mwt_end = 0usize;
    let mut space_after = true;
    for (n, line) in conllu.lines().enumerate() {
        if line.is_empty() {
            in_sent = false;
            mwt_end = 0;
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            if c.trim_start().starts_with("newpar") {
                newpar = true;
            }
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        ensure!(f.len() >= 10, "{doc}.conllu:{}: not 10 columns", n + 1);
        let id = f[0];
        if id.contains('.') {
            continue; // empty node
        }
        let surface = if let Some((a, b)) = id.split_once('-') {
            let a: usize = a.parse().context("multi-word token range")?;
            let b: usize = b.parse().context("multi-word token range")?;
            ensure!(a <= b, "{doc}.conllu:{}: bad range {id}", n + 1);
            mwt_end = b;
            Some(f[1])
        } else {
            let i: usize = id
                .parse()
                .with_context(|| format!("{doc}.conllu:{}: bad id {id}", n + 1))?;
            words.push(f[1].to_string());
            if i <= mwt_end { None } else { Some(f[1]) }
        };
        let Some(surface) = surface else { continue };
        if !in_sent {
            if !text.is_empty() {
                text.push(if newpar { '\n' } else { ' ' });
            }
            starts.push(text.len());
            in_sent = true;
            newpar = false;
        } else if space_after {
            text.push(' ');
        }
        text.push_str(surface);
        space_after = !f[9].split('|').any(|m| m == "SpaceAfter=No");
    }
    Ok((
        DocText {
            corpus: "gum",
            doc: doc.to_string(),
            text,
            starts,
        },
        words,
    ))
}

/// GUM documents: the shared coreference files give the document list and the words; the CoNLL-U
/// files give sentence breaks and spacing.
fn gum_docs(data: &Path, conllu_dir: &Path) -> anyhow::Result<Vec<DocText>> {
    let dir = data.join(GUM_DIR);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".conll").map(str::to_string)
        })
        .collect();
    names.sort();
    let mut docs = Vec::new();
    for name in names {
        let coref = std::fs::read_to_string(dir.join(format!("{name}.conll")))?;
        let cpath = conllu_dir.join(format!("{name}.conllu"));
        let conllu = std::fs::read_to_string(&cpath)
            .with_context(|| format!("reading {} (GUM dep release)", cpath.display()))?;
        let (doc, words) = gum_doc(&name, &conllu)?;
        let shared = gum_coref_words(&coref);
        if words != shared {
            let at = words
                .iter()
                .zip(&shared)
                .position(|(a, b)| a != b)
                .unwrap_or(words.len().min(shared.len()));
            bail!(
                "{name}: the CoNLL-U words differ from the shared file at word {at} ({:?} vs {:?}; {} vs {} words): another GUM version?",
                words.get(at),
                shared.get(at),
                words.len(),
                shared.len()
            );
        }
        docs.push(doc);
    }
    Ok(docs)
}

/// Every document of both corpora, in a fixed order (GUM skipped without its CoNLL-U folder).
pub fn documents(data: &Path, gum_conllu: Option<&Path>) -> anyhow::Result<Vec<DocText>> {
    let path = data.join(CONLL_TEST);
    let conll =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut docs = Vec::new();
    match gum_conllu {
        Some(dir) => docs.extend(gum_docs(data, dir)?),
        None => eprintln!(
            "sitrep-eval: GUM skipped: {} has no sentence breaks; pass --gum-conllu DIR (GUM's dep/*.conllu)",
            data.join(GUM_DIR).display()
        ),
    }
    docs.extend(conll_docs(&conll));
    Ok(docs)
}

/// `sitrep-eval sentence-texts`: writes `{"corpus","doc","text"}` a line.
pub fn sentence_texts(data: &Path, gum_conllu: Option<&Path>, out: &Path) -> anyhow::Result<()> {
    let docs = documents(data, gum_conllu)?;
    let f = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w = BufWriter::new(f);
    for d in &docs {
        let line = TextLine {
            corpus: d.corpus,
            doc: &d.doc,
            text: &d.text,
        };
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let mut per: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for d in &docs {
        let e = per.entry(d.corpus).or_default();
        e.0 += 1;
        e.1 += d.starts.len();
        e.2 += d.text.len();
    }
    for (c, (n, s, b)) in per {
        eprintln!("{c}: {n} documents, {s} gold sentences, {b} bytes");
    }
    Ok(())
}

/// Boundary counts (true positives, predicted, gold) of one corpus.
pub type BoundaryCounts = (usize, usize, usize);

/// Adds one document: boundaries are the starts other than 0.
pub fn add_boundaries(c: &mut BoundaryCounts, gold: &[usize], pred: &[usize]) {
    let g: BTreeSet<usize> = gold.iter().copied().filter(|&o| o != 0).collect();
    let p: BTreeSet<usize> = pred.iter().copied().filter(|&o| o != 0).collect();
    c.0 += g.intersection(&p).count();
    c.1 += p.len();
    c.2 += g.len();
}

fn score_sentences(
    docs: &[DocText],
    pred: &Path,
) -> anyhow::Result<BTreeMap<&'static str, BoundaryCounts>> {
    let f = std::fs::File::open(pred).with_context(|| format!("reading {}", pred.display()))?;
    let mut by_doc: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, line) in BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let p: PredLine = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a prediction line", pred.display(), i + 1))?;
        if by_doc
            .insert((p.corpus.clone(), p.doc.clone()), p.starts)
            .is_some()
        {
            bail!(
                "{}:{}: {}/{} predicted twice",
                pred.display(),
                i + 1,
                p.corpus,
                p.doc
            );
        }
    }
    let mut out: BTreeMap<&'static str, BoundaryCounts> = BTreeMap::new();
    let mut missing = Vec::new();
    for d in docs {
        let Some(starts) = by_doc.remove(&(d.corpus.to_string(), d.doc.clone())) else {
            missing.push(format!("{}/{}", d.corpus, d.doc));
            continue;
        };
        if let Some(&bad) = starts
            .iter()
            .find(|&&o| o > d.text.len() || !d.text.is_char_boundary(o))
        {
            bail!(
                "{}: {}/{}: start {bad} is not a character boundary of the {}-byte text (byte offsets expected; stale texts file?)",
                pred.display(),
                d.corpus,
                d.doc,
                d.text.len()
            );
        }
        add_boundaries(out.entry(d.corpus).or_default(), &d.starts, &starts);
    }
    if !missing.is_empty() {
        bail!(
            "{}: {} documents without a prediction (first: {}; same --gum-conllu for sentence-texts and sentences?)",
            pred.display(),
            missing.len(),
            missing[0]
        );
    }
    if let Some((c, d)) = by_doc.keys().next() {
        bail!(
            "{}: prediction for unknown document {c}/{d} ({} unknown; same --gum-conllu for sentence-texts and sentences?)",
            pred.display(),
            by_doc.len()
        );
    }
    Ok(out)
}

/// `sitrep-eval sentences`: boundary P/R/F1 per corpus, a column per prediction file.
pub fn sentences(data: &Path, gum_conllu: Option<&Path>, preds: &[PathBuf]) -> anyhow::Result<()> {
    let docs = documents(data, gum_conllu)?;
    let mut cols = Vec::new();
    for p in preds {
        cols.push((p.display().to_string(), score_sentences(&docs, p)?));
    }
    let mut s = String::new();
    for (i, (name, _)) in cols.iter().enumerate() {
        let _ = writeln!(s, "[{}] {name}", i + 1);
    }
    let _ = write!(s, "{:<10} {:>5} {:>6}", "corpus", "docs", "gold");
    for i in 0..cols.len() {
        let _ = write!(s, " | {:>22}", format!("[{}] P / R / F1", i + 1));
    }
    s.push('\n');
    let corpora: BTreeSet<&str> = docs.iter().map(|d| d.corpus).collect();
    for c in corpora {
        let ndocs = docs.iter().filter(|d| d.corpus == c).count();
        let gold = cols.first().and_then(|(_, m)| m.get(c)).map_or(0, |x| x.2);
        let _ = write!(s, "{c:<10} {ndocs:>5} {gold:>6}");
        for (_, m) in &cols {
            let (tp, np, ng) = m.get(c).copied().unwrap_or_default();
            let (p, r, f) = prf(tp, np, ng);
            let _ = write!(
                s,
                " | {:>6.2} {:>6.2} {:>6.2}  ",
                p * 100.0,
                r * 100.0,
                f * 100.0
            );
        }
        s.push('\n');
    }
    print!("{s}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(gold: &[&str], pred: &[&str]) -> NerCounts {
        let mut c = NerCounts::default();
        c.add(gold, pred);
        c
    }

    #[test]
    fn mapping() {
        assert_eq!(map_type("PERSON"), Some("PER"));
        assert_eq!(map_type("PER"), Some("PER"));
        assert_eq!(map_type("ORG"), Some("ORG"));
        for t in ["GPE", "LOC", "FAC"] {
            assert_eq!(map_type(t), Some("LOC"), "{t}");
        }
        for t in [
            "NORP",
            "EVENT",
            "LAW",
            "PRODUCT",
            "WORK_OF_ART",
            "LANGUAGE",
            "MISC",
        ] {
            assert_eq!(map_type(t), Some("MISC"), "{t}");
        }
        for t in [
            "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY",
        ] {
            assert_eq!(map_type(t), None, "{t}");
        }
    }

    #[test]
    fn chunk_rules() {
        // I- without B- starts an entity; a type change mid-run starts another.
        assert_eq!(
            spans(&["I-ORG", "I-ORG", "O", "B-GPE", "I-PERSON", "I-PERSON"]),
            vec![
                (0, 2, "ORG".to_string()),
                (3, 4, "GPE".to_string()),
                (4, 6, "PERSON".to_string())
            ]
        );
        // B- after B- of the same type: two entities; entity at sentence end is closed.
        assert_eq!(
            spans(&["O", "B-LOC", "B-LOC", "I-LOC"]),
            vec![(1, 2, "LOC".to_string()), (2, 4, "LOC".to_string())]
        );
    }

    #[test]
    fn scoring_maps_then_matches_exact_spans() {
        // Fictional: "Mira Tallow of Quendle Foods flew to Varn on Tuesday ."
        let gold = [
            "B-PER", "I-PER", "O", "B-ORG", "I-ORG", "O", "O", "B-LOC", "O", "O", "O",
        ];
        let pred = [
            "B-PERSON", "I-PERSON", "O", "B-ORG", "O", "O", "O", "B-GPE", "O", "B-DATE", "O",
        ];
        let c = count(&gold, &pred);
        assert_eq!(c.per_type["PER"], (1, 1, 1));
        assert_eq!(c.per_type["ORG"], (0, 1, 1)); // span too short
        assert_eq!(c.per_type["LOC"], (1, 1, 1)); // GPE scored as LOC
        assert!(!c.per_type.contains_key("DATE")); // dropped
        assert_eq!(c.total(), (2, 3, 3));
        let (p, r, f) = prf(2, 3, 3);
        assert!((p - 2.0 / 3.0).abs() < 1e-12 && (r - p).abs() < 1e-12 && (f - p).abs() < 1e-12);
    }

    #[test]
    fn entity_at_sentence_end_and_i_without_b() {
        // Fictional: "Greetings from Port Elsby" with a prediction starting on I-.
        let gold = ["O", "O", "B-LOC", "I-LOC"];
        let pred = ["O", "O", "I-GPE", "I-GPE"];
        assert_eq!(count(&gold, &pred).per_type["LOC"], (1, 1, 1));
    }

    #[test]
    fn type_change_mid_run_splits_the_entity() {
        // Fictional: "Brannoch Mills Dorrit" gold one ORG; prediction ORG then PERSON.
        let gold = ["B-ORG", "I-ORG", "I-ORG"];
        let pred = ["B-ORG", "I-ORG", "I-PERSON"];
        let c = count(&gold, &pred);
        assert_eq!(c.per_type["ORG"], (0, 1, 1));
        assert_eq!(c.per_type["PER"], (0, 1, 0));
        // A dropped type in the middle of a run splits it as well.
        let pred = ["B-ORG", "I-DATE", "I-ORG"];
        assert_eq!(count(&gold, &pred).per_type["ORG"], (0, 2, 1));
    }

    #[test]
    fn alignment_is_checked() -> anyhow::Result<()> {
        let gold = read_tagged(
            "-DOCSTART- O 0\n\nTova B-PER 0\nsang O 0\n\nHi O 0\n",
            false,
            "gold",
        )?;
        assert_eq!(gold.len(), 2);
        let ok = score_ner(
            &gold,
            "-DOCSTART-\tO\n\nTova\tB-PERSON\nsang\tO\n\nHi\tO\n",
            "p",
        )?;
        assert_eq!(ok.total(), (1, 1, 1));
        let bad = score_ner(&gold, "Tova\tB-PERSON\nsung\tO\n\nHi\tO\n", "p");
        let msg = format!("{:#}", bad.err().context("expected an error")?);
        assert!(
            msg.contains("\"sung\"") && msg.contains("\"sang\""),
            "{msg}"
        );
        // A missing sentence break is an error too.
        let bad = score_ner(&gold, "Tova\tB-PERSON\nsang\tO\nHi\tO\n", "p");
        assert!(bad.is_err());
        let short = score_ner(&gold, "Tova\tB-PERSON\nsang\tO\n", "p");
        assert!(short.is_err());
        Ok(())
    }

    #[test]
    fn gold_tag_column_is_found() -> anyhow::Result<()> {
        let four = read_tagged("Lund NNP I-NP B-LOC\n", false, "g")?;
        let three = read_tagged("Lund B-LOC 0\n", false, "g")?;
        assert_eq!(four[0][0].tag, "B-LOC");
        assert_eq!(three[0][0].tag, "B-LOC");
        Ok(())
    }

    #[test]
    fn conll_documents() {
        let text = "A O 0\nb O 0\n\nC O 0\n\n-DOCSTART- O 0\n\nD O 0\n.\tO 0\n";
        let docs = conll_docs(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].text, "A b C");
        assert_eq!(docs[0].starts, vec![0, 4]);
        assert_eq!(docs[1].text, "D .");
        assert_eq!(docs[1].doc, "test-0001");
    }

    #[test]
    fn gum_reconstruction() -> anyhow::Result<()> {
        // Fictional two-paragraph document with a multi-word token and SpaceAfter=No.
        let conllu = "# newpar\n# text = Hello, I'm Ada.\n\
1\tHello\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n\
2\t,\t_\t_\t_\t_\t_\t_\t_\t_\n\
3-4\tI'm\t_\t_\t_\t_\t_\t_\t_\t_\n\
3\tI\t_\t_\t_\t_\t_\t_\t_\t_\n\
4\t'm\t_\t_\t_\t_\t_\t_\t_\t_\n\
5\tAda\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n\
6\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n\
1\tBye\t_\t_\t_\t_\t_\t_\t_\t_\n\n\
# newpar\n\
1\tÉté\t_\t_\t_\t_\t_\t_\t_\t_\n\n";
        let (d, words) = gum_doc("x", conllu)?;
        assert_eq!(d.text, "Hello, I'm Ada. Bye\nÉté");
        assert_eq!(d.starts, vec![0, 16, 20]);
        assert_eq!(words, ["Hello", ",", "I", "'m", "Ada", ".", "Bye", "Été"]);
        assert_eq!(
            gum_coref_words("# begin document x\n0\tHello\t_\n1\t,\t(a-1)\n# end document\n"),
            ["Hello", ","]
        );
        Ok(())
    }

    #[test]
    fn boundaries_exclude_zero_and_sum() {
        let mut c = (0, 0, 0);
        add_boundaries(&mut c, &[0, 10, 20], &[0, 10, 15]);
        add_boundaries(&mut c, &[0], &[0, 5]);
        assert_eq!(c, (1, 3, 2));
    }
}
