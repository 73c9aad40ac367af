//! `sitrep-eval events`: event coding against ConfliBERT's CAMEO data (5-way class macro-F1,
//! actor-span micro-F1) and the PLOVER gold-standard sentences (per-type P/R/F1).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde_json::json;
use sitrep_extract::events::detect::{self, Gist, classify};

/// Macro-F1 over `k` classes, and per-class F1.
fn macro_f1(gold: &[usize], pred: &[usize], k: usize) -> (f64, Vec<f64>) {
    let mut f1s = Vec::new();
    for c in 0..k {
        let tp = gold
            .iter()
            .zip(pred)
            .filter(|(g, p)| **g == c && **p == c)
            .count() as f64;
        let fp = gold
            .iter()
            .zip(pred)
            .filter(|(g, p)| **g != c && **p == c)
            .count() as f64;
        let fn_ = gold
            .iter()
            .zip(pred)
            .filter(|(g, p)| **g == c && **p != c)
            .count() as f64;
        let f = if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (2.0 * tp + fp + fn_)
        };
        f1s.push(f);
    }
    (f1s.iter().sum::<f64>() / k as f64, f1s)
}

/// The subject of the verb of saying that governs `v`, if any ("X says it has ...").
fn speaker_span(doc: &sitrep_nlp::Doc, v: usize) -> Option<Vec<std::ops::Range<usize>>> {
    let mut a = v;
    for _ in 0..4 {
        let h = doc.tokens[a].head;
        if h == a {
            return None;
        }
        if doc.tokens[a].dep.as_str() == "ccomp"
            && sitrep_extract::lexicon::speech_verb(doc.token_text(h)).is_some()
        {
            let tree = detect::Tree::new(doc);
            return tree.kid(h, "nsubj").map(|s| tree.actor_spans(s));
        }
        a = h;
    }
    None
}

/// The synthetic NGEC stories (training only): the first sentence of each story with its PLOVER
/// type's five-way class (REQUEST, appeal or demand, is left out). The zip holds one deflated
/// CSV; it is read with flate2 and a small CSV reader (quoted fields with newlines and "").
fn ngec_ledes(path: &Path) -> anyhow::Result<Vec<(String, usize)>> {
    use std::io::Read;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(
        bytes.len() > 30 && bytes[..4] == [0x50, 0x4b, 3, 4],
        "not a zip file"
    );
    let le16 = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]) as usize;
    let le32 = |o: usize| {
        u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
    };
    let (method, size) = (le16(8), le32(18));
    let start = 30 + le16(26) + le16(28);
    anyhow::ensure!(method == 8, "the zip entry is not deflated");
    let mut text = String::new();
    // A size of 0 means it is given after the data (a data descriptor): read to the stream's end.
    let end = if size == 0 { bytes.len() } else { start + size };
    flate2::read::DeflateDecoder::new(&bytes[start..end]).read_to_string(&mut text)?;
    // CSV records.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    let header = rows.first().cloned().unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(t), Some(l)) = (col("text"), col("label")) else {
        anyhow::bail!("no text/label columns");
    };
    let class = |label: &str| match label {
        "AGREE" | "CONSULT" | "SUPPORT" => Some(1),
        "COOPERATE" | "AID" | "CONCEDE" | "RETREAT" => Some(2),
        "ACCUSE" | "REJECT" | "THREATEN" | "SANCTION" => Some(3),
        "PROTEST" | "MOBILIZE" | "COERCE" | "ASSAULT" => Some(4),
        _ => None,
    };
    Ok(rows
        .iter()
        .skip(1)
        .filter_map(|r| {
            let c = class(r.get(l)?.trim())?;
            let text = r.get(t)?;
            let end = text.find(". ").map_or(text.len(), |e| e + 1);
            Some((text[..end].trim().to_string(), c))
        })
        .collect())
}

/// The rules' class of a sentence (none when no event was found) and why, for error listings.
type RulePrediction = (Option<usize>, String);

/// The held-out fifth: every fifth item.
fn held_out(i: usize) -> bool {
    i % 5 == 4
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Spans `(type, start, end)` of a BIO sequence, seqeval-style.
fn bio_spans(tags: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, usize)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (bi, ty) = match t.split_once('-') {
            Some((b, ty)) => (b, ty),
            None => ("O", ""),
        };
        let continues = bi == "I" && cur.as_ref().is_some_and(|(c, _)| c == ty);
        if !continues {
            if let Some((c, s)) = cur.take() {
                out.push((c, s, i));
            }
            if bi == "B" || bi == "I" {
                cur = Some((ty.to_string(), i));
            }
        }
    }
    if let Some((c, s)) = cur {
        out.push((c, s, tags.len()));
    }
    out
}

pub fn run(
    data: &Path,
    verbose: bool,
    learn: bool,
    train_out: Option<&Path>,
) -> anyhow::Result<serde_json::Value> {
    let learn = learn || train_out.is_some();
    let dir = data.join("events");
    let model = sitrep_nlp::default_model_dir();
    let nlp = sitrep_nlp::Pipeline::load(&model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let mut report = serde_json::Map::new();

    // --- 5-way class
    let path = dir.join("conflibert/data_cameo_class_train.tsv");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let items: Vec<(String, usize)> = text
        .lines()
        .filter_map(|l| {
            let (s, c) = l.rsplit_once('\t')?;
            Some((s.trim().to_string(), c.trim().parse().ok()?))
        })
        .collect();
    let started = Instant::now();
    let analysed: Vec<(RulePrediction, Vec<String>)> = items
        .par_iter()
        .map(|(s, _)| {
            let doc = nlp.analyze(s);
            let mentions = detect::detect(&doc);
            let gist = detect::gist(&doc, &mentions);
            let class = classify::rule_class(&doc, &mentions, gist);
            let why = match gist {
                Some(Gist::Event(i)) => {
                    let coded = detect::cameo_coding(&mentions[i]);
                    format!("{} {}", coded.kind, doc.token_text(mentions[i].trigger))
                }
                Some(Gist::Statement(t)) if class == Some(3) => {
                    format!("must {}", doc.token_text(t))
                }
                Some(Gist::Statement(t)) => format!("say {}", doc.token_text(t)),
                None => "-".to_string(),
            };
            let rule = (class, why);
            let feats = if learn {
                classify::features(&doc, &mentions, gist)
            } else {
                Vec::new()
            };
            (rule, feats)
        })
        .collect();
    let (preds, feats): (Vec<RulePrediction>, Vec<Vec<String>>) = analysed.into_iter().unzip();
    let secs = started.elapsed().as_secs_f64();
    let gold: Vec<usize> = items.iter().map(|(_, c)| *c).collect();
    // Sentences with no event found get the most frequent class.
    let pred: Vec<usize> = preds.iter().map(|(p, _)| p.unwrap_or(3)).collect();
    let (f1, per_class) = macro_f1(&gold, &pred, 5);
    // The rules are tuned looking only at the first four of every five sentences; the fifth
    // is held out (never read while writing rules) and reported on its own.
    let part = |keep: bool| -> (Vec<usize>, Vec<usize>) {
        gold.iter()
            .zip(&pred)
            .enumerate()
            .filter(|(i, _)| held_out(*i) == keep)
            .map(|(_, (g, p))| (*g, *p))
            .unzip()
    };
    let (g_held, p_held) = part(true);
    let (g_tune, p_tune) = part(false);
    let accuracy =
        gold.iter().zip(&pred).filter(|(g, p)| g == p).count() as f64 / gold.len().max(1) as f64;
    let mut confusion = vec![vec![0usize; 5]; 5];
    for (g, p) in gold.iter().zip(&pred) {
        confusion[*g][*p] += 1;
    }
    if verbose {
        let all = std::env::var_os("SITREP_EVENTS_ALL").is_some();
        for (n, ((s, g), (p, why))) in items.iter().zip(&preds).enumerate() {
            if (all || Some(*g) != *p) && !held_out(n) {
                eprintln!("class gold {g} ours {p:?} [{why}] {s}");
            }
        }
    }
    report.insert(
        "conflibert_class".into(),
        json!({
            "sentences": items.len(),
            "macro_f1": round3(f1),
            "macro_f1_held_out_fifth": round3(macro_f1(&g_held, &p_held, 5).0),
            "macro_f1_tuning_four_fifths": round3(macro_f1(&g_tune, &p_tune, 5).0),
            "per_class_f1": per_class.iter().map(|f| round3(*f)).collect::<Vec<_>>(),
            "accuracy": round3(accuracy),
            "no_event_found": preds.iter().filter(|(p, _)| p.is_none()).count(),
            "confusion_gold_rows": confusion,
            "sentences_per_s_2_threads": round3(items.len() as f64 / secs),
        }),
    );

    // Optionally the synthetic NGEC stories' first sentences as extra training data.
    let extra: Vec<(Vec<String>, usize)> = if learn && std::env::var_os("SITREP_NGEC").is_some() {
        ngec_ledes(&dir.join("ngec_synth.zip"))?
            .par_iter()
            .map(|(text, c)| {
                let doc = nlp.analyze(text);
                let mentions = detect::detect(&doc);
                let gist = detect::gist(&doc, &mentions);
                (classify::features(&doc, &mentions, gist), *c)
            })
            .collect()
    } else {
        Vec::new()
    };
    if learn {
        report.insert(
            "learned_class".into(),
            learned::evaluate(&feats, &gold, &pred, secs, &extra),
        );
    }
    if let Some(out) = train_out {
        let model = learned::train_all(&feats, &gold, &extra);
        let comment = format!(
            "Event class weights (sitrep-extract events::classify): multinomial logistic regression,\n\
             trained by `sitrep-eval events --train-out` on the four tuning fifths (index % 5 != 4)\n\
             of ConfliBERT's data_cameo_class_train.tsv ({} sentences), {:?}.\n\
             Columns: feature, then weights of classes 0-4 (statement, verbal coop., material coop.,\n\
             verbal conflict, material conflict).",
            gold.iter()
                .enumerate()
                .filter(|(i, _)| !held_out(*i))
                .count(),
            classify::Settings::default()
        );
        std::fs::write(out, model.to_tsv(&comment))
            .with_context(|| format!("cannot write {}", out.display()))?;
    }

    // --- actor spans
    let path = dir.join("conflibert/data_cameo_ner_train.txt");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let sentences: Vec<Vec<(String, String)>> = text
        .split("\n\n")
        .map(|block| {
            block
                .lines()
                .filter_map(|l| {
                    let (w, t) = l.trim_end().rsplit_once(char::is_whitespace)?;
                    Some((w.trim().to_string(), t.to_string()))
                })
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let predicted: Vec<(Vec<String>, String)> = sentences
        .par_iter()
        .map(|s| {
            let words: Vec<&str> = s.iter().map(|(w, _)| w.as_str()).collect();
            let doc = nlp.analyze_words(&words, None);
            let mut tags = vec!["O".to_string(); words.len()];
            let mentions = detect::detect(&doc);
            let gist = detect::gist(&doc, &mentions);
            let why = match gist {
                Some(Gist::Event(i)) => format!(
                    "{} {}",
                    mentions[i].frame.kind,
                    doc.token_text(mentions[i].trigger)
                ),
                Some(Gist::Statement(t)) => format!("say {}", doc.token_text(t)),
                None => "-".to_string(),
            };
            // A statement: the speaker is the source, the subject of what is said (not a pronoun)
            // the target.
            if let Some(Gist::Statement(t)) = gist {
                let tree = detect::Tree::new(&doc);
                let mut put = |spans: Vec<std::ops::Range<usize>>, ty: &str| {
                    for r in spans {
                        for (k, x) in r.enumerate() {
                            if x < tags.len() {
                                tags[x] = format!("{}-{ty}", if k == 0 { "B" } else { "I" });
                            }
                        }
                    }
                };
                if let Some(sp) = tree.kid(t, "nsubj").filter(|&x| tree.can_be_actor(x)) {
                    put(tree.actor_spans(sp), "S");
                }
                if let Some(sp) = tree
                    .kid(t, "ccomp")
                    .and_then(|c| tree.kid(c, "nsubj"))
                    .filter(|&x| tree.can_be_actor(x) && tree.pos(x) != "PRON")
                {
                    put(tree.actor_spans(sp), "T");
                }
            }
            if let Some(Gist::Event(i)) = gist {
                let m = &mentions[i];
                // The data's conventions: meetings between peers are reciprocal (R), and
                // "X says it has ..." has X as the source.
                let peers = m.frame.kind == "CONSULT"
                    && matches!(
                        doc.tokens[m.trigger].lemma.as_str(),
                        "meet" | "talk" | "negotiate" | "discuss" | "talks" | "meeting"
                    );
                let sources = match m.sources.as_slice() {
                    [one] if one.len() == 1 && doc.tokens[one.start].pos.as_str() == "PRON" => {
                        speaker_span(&doc, m.anchor).unwrap_or_else(|| m.sources.clone())
                    }
                    _ => m.sources.clone(),
                };
                let (s_tag, t_tag) = if peers { ("R", "R") } else { ("S", "T") };
                // Conjoined actors of a symmetric event with no one else as target ("Canada and
                // Costa Rica agreed ...", "Britain and Germany held talks") are one reciprocal
                // span.
                let symmetric = matches!(m.frame.kind, "CONSULT" | "AGREE" | "COOPERATE")
                    || doc.tokens[m.trigger].lemma == "clash";
                let actor_targets: Vec<_> = m
                    .targets
                    .iter()
                    .filter(|r| {
                        let head = r.end.saturating_sub(1).max(r.start);
                        sitrep_extract::events::lexicon::LEXICON
                            .noun(&doc.tokens[head].lemma.to_lowercase())
                            .is_none()
                    })
                    .cloned()
                    .collect();
                let (sources, targets, s_tag, t_tag) =
                    if symmetric && sources.len() >= 2 && actor_targets.is_empty() {
                        let all = sources[0].start..sources[sources.len() - 1].end;
                        (vec![all], Vec::new(), "R", "R")
                    } else {
                        (sources, m.targets.clone(), s_tag, t_tag)
                    };
                for (spans, ty) in [(&sources, s_tag), (&targets, t_tag)] {
                    for r in spans.iter() {
                        for (k, t) in r.clone().enumerate() {
                            if t < tags.len() {
                                tags[t] = format!("{}-{ty}", if k == 0 { "B" } else { "I" });
                            }
                        }
                    }
                }
            }
            (tags, why)
        })
        .collect();
    let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new(); // tp, pred, gold
    let mut held = [0usize; 3];
    for (n, (s, (p, why))) in sentences.iter().zip(&predicted).enumerate() {
        let g: Vec<String> = s.iter().map(|(_, t)| t.clone()).collect();
        let gs = bio_spans(&g);
        let ps = bio_spans(p);
        for span in &ps {
            counts.entry(span.0.clone()).or_default()[1] += 1;
            if gs.contains(span) {
                counts.entry(span.0.clone()).or_default()[0] += 1;
            }
        }
        for span in &gs {
            counts.entry(span.0.clone()).or_default()[2] += 1;
        }
        if held_out(n) {
            held[0] += ps.iter().filter(|x| gs.contains(x)).count();
            held[1] += ps.len();
            held[2] += gs.len();
            continue;
        }
        if verbose {
            let words: Vec<&str> = s.iter().map(|(w, _)| w.as_str()).collect();
            let show = |spans: &[(String, usize, usize)]| {
                spans
                    .iter()
                    .map(|(t, a, b)| format!("{t}:{}", words[*a..*b].join(" ")))
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            if gs != ps {
                eprintln!("actors gold [{}] ours [{}] [{why}]", show(&gs), show(&ps));
            }
        }
    }
    let prf = |tp: usize, np: usize, ng: usize| {
        let p = tp as f64 / np.max(1) as f64;
        let r = tp as f64 / ng.max(1) as f64;
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        json!({"p": round3(p), "r": round3(r), "f1": round3(f)})
    };
    let total = counts
        .values()
        .fold([0; 3], |a, c| [a[0] + c[0], a[1] + c[1], a[2] + c[2]]);
    let mut per_type = serde_json::Map::new();
    for (t, c) in &counts {
        per_type.insert(t.clone(), prf(c[0], c[1], c[2]));
    }
    report.insert(
        "conflibert_actors".into(),
        json!({
            "sentences": sentences.len(),
            "micro": prf(total[0], total[1], total[2]),
            "micro_held_out_fifth": prf(held[0], held[1], held[2]),
            "per_type": per_type,
        }),
    );

    // --- PLOVER gold standard
    let path = dir.join("plover_gsr_v2cats.jsonl");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let rows: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some((
                v["text"].as_str()?.to_string(),
                v["event_plover_2"].as_str()?.to_string(),
            ))
        })
        .collect();
    let preds: Vec<String> = rows
        .par_iter()
        .map(|(s, _)| {
            let doc = nlp.analyze(s);
            let mentions = detect::detect(&doc);
            match detect::gist(&doc, &mentions) {
                Some(Gist::Event(i)) => match detect::cameo_coding(&mentions[i]).kind {
                    "APPEAL" => "REQUEST".to_string(),
                    k => k.to_string(),
                },
                _ => "-".to_string(),
            }
        })
        .collect();
    let mut per: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for ((s, g), p) in rows.iter().zip(&preds) {
        per.entry(g.clone()).or_default()[2] += 1;
        per.entry(p.clone()).or_default()[1] += 1;
        if g == p {
            per.entry(g.clone()).or_default()[0] += 1;
        } else if verbose {
            eprintln!("plover gold {g} ours {p} {s}");
        }
    }
    per.remove("-");
    let correct = rows
        .iter()
        .zip(&preds)
        .filter(|((_, g), p)| g == *p)
        .count();
    let mut types = serde_json::Map::new();
    let mut f_sum = 0.0;
    let n_types = per.values().filter(|c| c[2] > 0).count();
    for (t, c) in &per {
        if c[2] == 0 {
            continue;
        }
        let v = prf(c[0], c[1], c[2]);
        f_sum += v["f1"].as_f64().unwrap_or(0.0);
        types.insert(t.clone(), json!({"n": c[2], "prf": v}));
    }
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for p in &preds {
        *kinds.entry(p.as_str()).or_default() += 1;
    }
    let countries = actor_countries(&text, &model, verbose)?;
    report.insert(
        "plover_gsr".into(),
        json!({
            "sentences": rows.len(),
            "accuracy": round3(correct as f64 / rows.len().max(1) as f64),
            "macro_f1": round3(f_sum / n_types.max(1) as f64),
            "no_event_found": kinds.get("-").copied().unwrap_or(0),
            "per_type": types,
            "actor_country": countries,
        }),
    );
    Ok(serde_json::Value::Object(report))
}

/// Actor country accuracy on the PLOVER gold sentences: the full extraction (entities, events,
/// actor coding with the country table and the gazetteer) is run on each sentence; the main
/// event's source countries must include one of the gold source actors' codes. Gold codes that
/// are no country (NGO) are skipped; CAMEO's legacy codes are read as ISO (ITL = ITA, JAP = JPN).
fn actor_countries(
    jsonl: &str,
    model: &std::path::Path,
    verbose: bool,
) -> anyhow::Result<serde_json::Value> {
    let analyzer = sitrep_extract::Analyzer::load(model)
        .with_context(|| format!("cannot load the model from {}", model.display()))?;
    let iso = |c: &str| match c {
        "ITL" => "ITA".to_string(),
        "JAP" => "JPN".to_string(),
        c => c.to_string(),
    };
    let rows: Vec<(String, Vec<String>)> = jsonl
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let codes: Vec<String> = v["actor"]
                .as_array()?
                .iter()
                .filter_map(|a| a["code"].as_str())
                .filter(|c| c.len() == 3 && *c != "NGO")
                .map(iso)
                .collect();
            (!codes.is_empty()).then(|| (v["text"].as_str().unwrap_or("").to_string(), codes))
        })
        .collect();
    let results: Vec<(bool, bool, String)> = rows
        .par_iter()
        .map(|(text, gold)| {
            let doc = analyzer.pipeline().analyze(text);
            let mentions = detect::detect(&doc);
            let trigger = match detect::gist(&doc, &mentions) {
                Some(Gist::Event(i)) => Some(doc.tokens[mentions[i].trigger].start),
                _ => None,
            };
            let x = analyzer.extract_dated(None, text, None);
            let event = x
                .events
                .iter()
                .find(|e| e.trigger.as_ref().map(|t| t.start) == trigger)
                .or_else(|| x.events.iter().find(|e| !e.source.is_empty()));
            let ours: Vec<String> = event
                .map(|e| e.source.iter().filter_map(|a| a.country.clone()).collect())
                .unwrap_or_default();
            let right = ours.iter().any(|c| gold.contains(c));
            (
                !ours.is_empty(),
                right,
                format!("gold {gold:?} ours {ours:?}"),
            )
        })
        .collect();
    let n = results.len();
    let coded = results.iter().filter(|r| r.0).count();
    let right = results.iter().filter(|r| r.1).count();
    if verbose {
        for ((text, _), (_, ok, why)) in rows.iter().zip(&results) {
            if !ok {
                eprintln!("country {why} {text}");
            }
        }
    }
    Ok(json!({
        "sentences_with_a_country_coded_gold_source": n,
        "accuracy": round3(right as f64 / n.max(1) as f64),
        "coded": coded,
        "accuracy_where_coded": round3(right as f64 / coded.max(1) as f64),
    }))
}

/// The learned class ([`classify`]) beside the rules: 5-fold cross-validation on the four
/// tuning fifths, and the held-out fifth with a model trained on all tuning items.
mod learned {
    use std::time::Instant;

    use serde_json::json;
    use sitrep_extract::events::detect::classify::{K, Model, Settings};

    use super::{held_out, macro_f1, round3};

    fn settings() -> Settings {
        let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<f64>().ok());
        let d = Settings::default();
        Settings {
            epochs: env("SITREP_EPOCHS").map_or(d.epochs, |e| e as usize),
            l2: env("SITREP_L2").unwrap_or(d.l2),
            ..d
        }
    }

    /// The model trained on every tuning item (never the held-out fifth).
    pub fn train_all(
        feats: &[Vec<String>],
        gold: &[usize],
        extra: &[(Vec<String>, usize)],
    ) -> Model {
        let train: Vec<(&[String], usize)> = (0..gold.len())
            .filter(|&i| !held_out(i))
            .map(|i| (feats[i].as_slice(), gold[i]))
            .chain(extra.iter().map(|(f, c)| (f.as_slice(), *c)))
            .collect();
        Model::train(&train, settings())
    }

    pub fn evaluate(
        feats: &[Vec<String>],
        gold: &[usize],
        rules: &[usize],
        rule_secs: f64,
        extra: &[(Vec<String>, usize)],
    ) -> serde_json::Value {
        let tune: Vec<usize> = (0..gold.len()).filter(|&i| !held_out(i)).collect();
        let held: Vec<usize> = (0..gold.len()).filter(|&i| held_out(i)).collect();
        let mut cv_pred = vec![0usize; gold.len()];
        for fold in 0..5 {
            let train: Vec<(&[String], usize)> = tune
                .iter()
                .enumerate()
                .filter(|(k, _)| k % 5 != fold)
                .map(|(_, &i)| (feats[i].as_slice(), gold[i]))
                .chain(extra.iter().map(|(f, c)| (f.as_slice(), *c)))
                .collect();
            let model = Model::train(&train, settings());
            for (k, &i) in tune.iter().enumerate() {
                if k % 5 == fold {
                    cv_pred[i] = model.predict(&feats[i]);
                }
            }
        }
        let pick = |idx: &[usize], p: &[usize]| -> (Vec<usize>, Vec<usize>) {
            idx.iter().map(|&i| (gold[i], p[i])).unzip()
        };
        let f1 = |idx: &[usize], p: &[usize]| {
            let (g, p) = pick(idx, p);
            round3(macro_f1(&g, &p, K).0)
        };
        let started = Instant::now();
        let model = train_all(feats, gold, extra);
        let train_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let held_pred: Vec<usize> = (0..gold.len())
            .map(|i| {
                if held_out(i) {
                    model.predict(&feats[i])
                } else {
                    0
                }
            })
            .collect();
        let per_sentence = started.elapsed().as_secs_f64() / held.len().max(1) as f64;
        let committed = sitrep_extract::events::detect::classify::MODEL
            .predict(&feats[held.first().copied().unwrap_or(0)]);
        let committed_pred: Vec<usize> = (0..gold.len())
            .map(|i| {
                if held_out(i) {
                    sitrep_extract::events::detect::classify::MODEL.predict(&feats[i])
                } else {
                    committed
                }
            })
            .collect();
        let n = gold.len() as f64;
        json!({
            "model": "multinomial logistic regression (Adam) over the rules' main event, root-verb lemmas, lemma uni/bigrams",
            "settings": format!("{:?}", settings()),
            "features": model.index.len(),
            "extra_training_sentences": extra.len(),
            "tuning_cv5_macro_f1": {"rules": f1(&tune, rules), "rules_plus_learned": f1(&tune, &cv_pred)},
            "held_out_fifth_macro_f1": {
                "rules": f1(&held, rules),
                "rules_plus_learned": f1(&held, &held_pred),
                "committed_weights": f1(&held, &committed_pred),
            },
            "sentences_per_s_2_threads": {
                "rules": round3(n / rule_secs),
                "rules_plus_learned": round3(n / (rule_secs + per_sentence * n)),
            },
            "train_s": round3(train_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_spans_follow_seqeval() {
        let tags: Vec<String> = ["B-S", "I-S", "O", "I-T", "I-T", "B-T", "B-S"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            bio_spans(&tags),
            vec![
                ("S".to_string(), 0, 2),
                ("T".to_string(), 3, 5),
                ("T".to_string(), 5, 6),
                ("S".to_string(), 6, 7)
            ]
        );
    }

    #[test]
    fn macro_f1_averages_classes() {
        let (f, per) = macro_f1(&[0, 0, 1, 1], &[0, 1, 1, 1], 2);
        assert!((per[0] - 2.0 / 3.0).abs() < 1e-9);
        assert!((per[1] - 0.8).abs() < 1e-9);
        assert!((f - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-9);
    }
}
