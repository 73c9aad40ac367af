//! Body and metadata extraction: ScrapingHub body F1 (the benchmark's own 4-gram shingle
//! metric), trafilatura's snippet/title/author set, the two seeds, and throughput.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde::Deserialize;
use serde_json::json;
use sitrep_ingest::{CleanOptions, DocKind, RawDoc, clean, decode::decode};
use sitrep_model::SourceFormat;

/// The benchmark's tokens: `\w+` runs, case kept.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// TP/FP/FN over 4-gram shingles, normalised to sum to one (as `string_shingle_matching`).
pub fn shingle_match(truth: &str, pred: &str) -> (f64, f64, f64) {
    fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
        let toks = tokens(text);
        let mut out = HashMap::new();
        let n = 4;
        let count = toks.len().saturating_sub(n - 1).max(1);
        for i in 0..count {
            let end = (i + n).min(toks.len());
            if i < end {
                *out.entry(toks[i..end].to_vec()).or_insert(0) += 1;
            }
        }
        out
    }
    let t = shingles(truth);
    let p = shingles(pred);
    let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
    for (k, &tc) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += tc.min(pc) as f64;
        fneg += tc.saturating_sub(pc) as f64;
    }
    for (k, &pc) in &p {
        let tc = t.get(k).copied().unwrap_or(0);
        fp += pc.saturating_sub(tc) as f64;
    }
    let s = tp + fp + fneg;
    if s > 0.0 {
        (tp / s, fp / s, fneg / s)
    } else {
        (0.0, 0.0, 0.0)
    }
}

/// Precision, recall and F1 as the benchmark computes them from per-page TP/FP/FN.
pub fn prf(items: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let score = |tp: f64, fp: f64, fneg: f64, other: f64| {
        if fp == 0.0 && fneg == 0.0 {
            1.0
        } else if tp == 0.0 && other == 0.0 {
            0.0
        } else {
            tp / (tp + other)
        }
    };
    let ps: Vec<f64> = items
        .iter()
        .filter(|(tp, fp, _)| tp + fp > 0.0)
        .map(|&(tp, fp, fneg)| score(tp, fp, fneg, fp))
        .collect();
    let rs: Vec<f64> = items
        .iter()
        .filter(|(tp, _, fneg)| tp + fneg > 0.0)
        .map(|&(tp, fp, fneg)| score(tp, fp, fneg, fneg))
        .collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (mean(&ps), mean(&rs));
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

fn gunzip(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut out)
        .with_context(|| format!("cannot gunzip {}", path.display()))?;
    Ok(out)
}

fn html_doc(input: &str, bytes: Vec<u8>, url: Option<String>) -> RawDoc {
    RawDoc {
        input: input.to_string(),
        format: SourceFormat::Html,
        kind: DocKind::Html,
        bytes,
        charset: None,
        url,
        given: Default::default(),
    }
}

/// dom_smoothie's own plain text, as the reference baseline.
fn dom_smoothie_text(html: &str, url: Option<&str>) -> String {
    let url = url.filter(|u| u.starts_with("http"));
    dom_smoothie::Readability::new(html, url, None)
        .and_then(|mut r| r.parse())
        .map(|a| a.text_content.to_string())
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct Truth {
    #[serde(rename = "articleBody")]
    body: String,
    url: Option<String>,
}

/// A ScrapingHub page: (key, url, html bytes, gold body).
type ShPage = (String, Option<String>, Vec<u8>, String);

/// Loads the ScrapingHub pages.
fn scrapinghub(data: &Path) -> anyhow::Result<Vec<ShPage>> {
    let dir = data.join("extraction/scrapinghub");
    let truth: HashMap<String, Truth> = serde_json::from_slice(
        &std::fs::read(dir.join("ground-truth.json"))
            .context("cannot read scrapinghub ground truth")?,
    )?;
    let mut keys: Vec<&String> = truth.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let path = dir.join("html").join(format!("{key}.html.gz"));
        if !path.exists() {
            continue;
        }
        let t = &truth[key];
        out.push((key.clone(), t.url.clone(), gunzip(&path)?, t.body.clone()));
    }
    Ok(out)
}

/// Body F1 on the ScrapingHub pages present, ours beside dom_smoothie's raw text.
pub fn body(data: &Path, verbose: bool) -> anyhow::Result<serde_json::Value> {
    let pages = scrapinghub(data)?;
    let mut ours = Vec::new();
    let mut base = Vec::new();
    let mut worst = Vec::new();
    for (key, url, bytes, truth) in &pages {
        let text = decode(bytes, None).map(|d| d.text).unwrap_or_default();
        let pred = clean(
            html_doc(key, bytes.clone(), url.clone()),
            &CleanOptions::default(),
        )
        .map(|a| a.body)
        .unwrap_or_default();
        let m = shingle_match(truth, &pred);
        ours.push(m);
        base.push(shingle_match(
            truth,
            &dom_smoothie_text(&text, url.as_deref()),
        ));
        let (p, r, f) = prf(&[m]);
        worst.push((f, p, r, key.clone(), url.clone()));
    }
    let (p, r, f) = prf(&ours);
    let (bp, br, bf) = prf(&base);
    println!(
        "ScrapingHub body extraction ({} pages, 4-gram shingle metric)",
        pages.len()
    );
    println!("  sitrep        precision={p:.3} recall={r:.3} F1={f:.3}");
    println!("  dom_smoothie  precision={bp:.3} recall={br:.3} F1={bf:.3}");
    if verbose {
        worst.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (f, p, r, key, url) in worst.iter().take(15) {
            println!(
                "  worst F1={f:.3} P={p:.3} R={r:.3} {key} {}",
                url.as_deref().unwrap_or("")
            );
        }
    }
    Ok(
        json!({"pages": pages.len(), "f1": f, "precision": p, "recall": r,
              "dom_smoothie": {"f1": bf, "precision": bp, "recall": br}}),
    )
}

#[derive(Deserialize)]
struct TrafItem {
    file: String,
    #[serde(default)]
    title: Option<serde_json::Value>,
    #[serde(default)]
    author: Option<serde_json::Value>,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    without: Vec<String>,
}

fn read_tgz(path: &Path) -> anyhow::Result<HashMap<String, Vec<u8>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = HashMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        files.insert(name, bytes);
    }
    Ok(files)
}

/// A gold field as text: strings as they are, lists joined with "; ".
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// trafilatura's snippet metric: a must-have snippet found is a TP, missed a FN; a must-not-have
/// snippet found is a FP, absent a TN.
#[derive(Default)]
struct Snippets {
    tp: usize,
    fneg: usize,
    fp: usize,
    tn: usize,
}

impl Snippets {
    fn count(&mut self, text: &str, with: &[String], without: &[String]) {
        for s in with {
            if text.contains(s.as_str()) {
                self.tp += 1
            } else {
                self.fneg += 1
            }
        }
        for s in without {
            if text.contains(s.as_str()) {
                self.fp += 1
            } else {
                self.tn += 1
            }
        }
    }

    /// Precision, recall, F1 and accuracy.
    fn scores(&self) -> (f64, f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fneg).max(1) as f64;
        let all = (self.tp + self.tn + self.fp + self.fneg).max(1) as f64;
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f1, (self.tp + self.tn) as f64 / all)
    }
}

/// Title, author and body-snippet accuracy on trafilatura's evaluation pages.
pub fn meta(data: &Path, verbose: bool) -> anyhow::Result<serde_json::Value> {
    let files = read_tgz(&data.join("extraction/trafilatura-eval.tgz"))?;
    let eval: HashMap<String, TrafItem> = serde_json::from_slice(
        files
            .get("traf/tests/evaldata.json")
            .context("evaldata.json missing from the archive")?,
    )?;
    let mut urls: Vec<&String> = eval.keys().collect();
    urls.sort();
    let (mut pages, mut missing) = (0, 0);
    let (mut title_n, mut title_ok, mut author_n, mut author_ok) = (0, 0, 0, 0);
    let mut ours = Snippets::default();
    let mut base_counts = Snippets::default();
    for url in urls {
        let item = &eval[url];
        let bytes = ["traf/tests/eval/", "traf/tests/cache/"]
            .iter()
            .find_map(|d| files.get(&format!("{d}{}", item.file)));
        let Some(bytes) = bytes else {
            missing += 1;
            continue;
        };
        pages += 1;
        let article = clean(
            html_doc(&item.file, bytes.clone(), Some(url.clone())),
            &CleanOptions::default(),
        )
        .ok();
        let body = article.as_ref().map(|a| a.body.as_str()).unwrap_or("");
        let html = decode(bytes, None).map(|d| d.text).unwrap_or_default();
        let base = dom_smoothie_text(&html, Some(url));
        ours.count(body, &item.with, &item.without);
        base_counts.count(&base, &item.with, &item.without);
        if let Some(gold) = item
            .title
            .as_ref()
            .map(value_text)
            .filter(|t| !t.trim().is_empty())
        {
            let gold = gold.as_str();
            title_n += 1;
            let got = article
                .as_ref()
                .and_then(|a| a.title.as_deref())
                .unwrap_or("");
            if norm(got) == norm(gold) {
                title_ok += 1;
            } else if verbose {
                println!("  title miss {}: gold {gold:?} got {got:?}", item.file);
            }
        }
        if let Some(gold) = item
            .author
            .as_ref()
            .map(value_text)
            .filter(|t| !t.trim().is_empty())
        {
            let gold = gold.as_str();
            author_n += 1;
            let got = article
                .as_ref()
                .map(|a| a.authors.join("; "))
                .unwrap_or_default();
            let gold_set: Vec<String> = gold
                .split([';', ',', '&'])
                .flat_map(|p| p.split(" and "))
                .flat_map(|p| p.split(" und "))
                .map(norm)
                .filter(|s| !s.is_empty())
                .collect();
            let got_set: Vec<String> = got.split(';').map(norm).filter(|s| !s.is_empty()).collect();
            if gold_set.len() == got_set.len() && gold_set.iter().all(|g| got_set.contains(g)) {
                author_ok += 1;
            } else if verbose {
                println!("  author miss {}: gold {gold:?} got {got:?}", item.file);
            }
        }
    }
    let (p, r, f1, acc) = ours.scores();
    let (bp, br, bf1, bacc) = base_counts.scores();
    let title_acc = title_ok as f64 / title_n.max(1) as f64;
    let author_acc = author_ok as f64 / author_n.max(1) as f64;
    println!("trafilatura evaluation set ({pages} pages, {missing} missing)");
    println!(
        "  body snippets sitrep        precision={p:.3} recall={r:.3} F1={f1:.3} accuracy={acc:.3}"
    );
    println!(
        "  body snippets dom_smoothie  precision={bp:.3} recall={br:.3} F1={bf1:.3} accuracy={bacc:.3}"
    );
    println!("  title accuracy  {title_acc:.3} ({title_ok}/{title_n})");
    println!("  author accuracy {author_acc:.3} ({author_ok}/{author_n})");
    Ok(
        json!({"pages": pages, "snippets": {"precision": p, "recall": r, "f1": f1, "accuracy": acc},
              "dom_smoothie_snippets": {"precision": bp, "recall": br, "f1": bf1, "accuracy": bacc},
              "title_accuracy": title_acc, "author_accuracy": author_acc}),
    )
}

/// Throughput of cleaning on 2 threads: HTML pages/s (ScrapingHub + trafilatura pages) and MB/s
/// of plain text, with peak resident memory.
pub fn throughput(data: &Path, rounds: usize) -> anyhow::Result<serde_json::Value> {
    use rayon::prelude::*;
    let mut pages: Vec<(Option<String>, Vec<u8>)> = scrapinghub(data)?
        .into_iter()
        .map(|(_, url, bytes, _)| (url, bytes))
        .collect();
    let files = read_tgz(&data.join("extraction/trafilatura-eval.tgz"))?;
    let mut names: Vec<&String> = files.keys().filter(|k| k.ends_with(".html")).collect();
    names.sort();
    pages.extend(names.into_iter().map(|n| (None, files[n].clone())));
    let html_bytes: usize = pages.iter().map(|(_, b)| b.len()).sum();
    let start = Instant::now();
    let mut ok = 0usize;
    for _ in 0..rounds {
        ok += pages
            .par_iter()
            .filter(|(url, bytes)| {
                clean(
                    html_doc("page", bytes.clone(), url.clone()),
                    &CleanOptions::default(),
                )
                .is_ok()
            })
            .count();
    }
    let secs = start.elapsed().as_secs_f64();
    let n = pages.len() * rounds;
    let pages_per_s = n as f64 / secs;
    let html_mb_s = (html_bytes * rounds) as f64 / secs / 1e6;

    // Plain text: the cleaned bodies of the pages, re-read as scraped text.
    let texts: Vec<Vec<u8>> = pages
        .iter()
        .filter_map(|(url, b)| {
            clean(
                html_doc("page", b.clone(), url.clone()),
                &CleanOptions::default(),
            )
            .ok()
        })
        .map(|a| a.body.into_bytes())
        .collect();
    let text_bytes: usize = texts.iter().map(Vec::len).sum();
    let start = Instant::now();
    let text_rounds = rounds * 5;
    for _ in 0..text_rounds {
        texts.par_iter().for_each(|t| {
            let doc = RawDoc {
                kind: DocKind::Text,
                format: SourceFormat::Text,
                ..html_doc("text", t.clone(), None)
            };
            let _ = clean(doc, &CleanOptions::default());
        });
    }
    let text_mb_s = (text_bytes * text_rounds) as f64 / start.elapsed().as_secs_f64() / 1e6;
    let peak_mb = peak_rss_mb();
    println!(
        "cleaning throughput on {} threads: {pages_per_s:.0} HTML pages/s ({html_mb_s:.1} MB/s of HTML, {} pages x {rounds}, {ok} ok); plain text {text_mb_s:.1} MB/s; peak RSS {peak_mb:.0} MB",
        rayon::current_num_threads(),
        pages.len()
    );
    Ok(
        json!({"threads": rayon::current_num_threads(), "html_pages_per_s": pages_per_s, "html_mb_per_s": html_mb_s,
              "text_mb_per_s": text_mb_s, "peak_rss_mb": peak_mb}),
    )
}

/// Peak resident set size of this process, from /proc (Linux).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The two seed articles: title, outlet and whether boilerplate is left in the body.
pub fn seeds(seed_dir: &Path) -> anyhow::Result<serde_json::Value> {
    let boilerplate = [
        "Exit mobile version",
        "[Photo",
        "(AP)",
        "Photo :",
        "Share this",
        "Related",
    ];
    let mut entries: Vec<_> = std::fs::read_dir(seed_dir)
        .with_context(|| format!("cannot read {}", seed_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        let doc = sitrep_ingest::Inputs::new(std::slice::from_ref(&path))
            .next()
            .context("no document")?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let a = clean(doc, &CleanOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let left: Vec<&str> = boilerplate
            .iter()
            .copied()
            .filter(|b| a.body.contains(b))
            .collect();
        println!(
            "{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("")
        );
        println!("  outlet:   {:?}", a.outlet);
        println!("  title:    {:?}", a.title);
        println!("  subtitle: {:?}", a.subtitle);
        println!(
            "  paragraphs: {} ({} headings), boilerplate left: {left:?}",
            a.blocks.len(),
            a.blocks
                .iter()
                .filter(|b| b.kind == sitrep_model::BlockKind::Heading)
                .count()
        );
        out.push(
            json!({"file": path.display().to_string(), "outlet": a.outlet, "title": a.title,
                        "boilerplate_left": left}),
        );
    }
    Ok(json!(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_match_the_benchmark_definition() {
        let (tp, fp, fneg) = shingle_match("a b c d e", "a b c d e");
        assert_eq!((tp, fp, fneg), (1.0, 0.0, 0.0));
        let (tp, fp, fneg) = shingle_match("a b c d e", "a b c d");
        // truth shingles: abcd, bcde; pred: abcd
        assert!((tp - 0.5).abs() < 1e-9 && fp == 0.0 && (fneg - 0.5).abs() < 1e-9);
        let (p, r, f) = prf(&[(1.0, 0.0, 0.0), (0.5, 0.0, 0.5)]);
        assert!((p - 1.0).abs() < 1e-9 && (r - 0.75).abs() < 1e-9 && f > 0.85);
    }
}
