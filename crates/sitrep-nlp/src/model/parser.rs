//! spaCy's `parser` component: `TransitionBasedParser.v2` (state type `parser`, 8 feature
//! tokens, maxout hidden layer, upper layer) driving the arc-eager transition system greedily.
//!
//! Per document the tok2vec rows go through the parser's linear layer and then through every
//! (feature, hidden, piece) slice of the precomputable lower layer at once, so each step only
//! sums 8 precomputed rows (or the learned padding for missing tokens), adds the bias, takes
//! the maxout and applies the small upper layer; the best-scoring valid move is taken.

use std::path::Path;
use std::sync::Arc;

use super::step_net::{StepNet, intern_labels};
use super::transition::{self, MoveKind, State};
use super::weights::ThincModel;
use super::{Tok2Vec, TokenIn};
use crate::NlpError;

/// One token's analysis: its head (absolute index; a root is its own head), its dependency
/// label, and whether it starts a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub head: usize,
    pub dep: String,
    pub sent_start: bool,
}

#[derive(Debug, Clone)]
struct Move {
    kind: MoveKind,
    /// Index into `Parser::labels` (0 = no label).
    label: u32,
}

/// spaCy's dependency parser, with the tok2vec it listens to. Read-only once loaded.
#[derive(Debug, Clone)]
pub struct Parser {
    tok2vec: Arc<Tok2Vec>,
    net: StepNet,
    moves: Vec<Move>,
    /// Label strings; index 0 is the empty label.
    labels: Vec<String>,
}

/// Reads the transition system's moves from a `moves` file: msgpack holding the JSON of
/// `{move: {label: freq}}`, ordered as spaCy's `initialize_actions` does.
fn read_moves(path: &Path) -> Result<Vec<(MoveKind, String)>, NlpError> {
    let bytes = crate::read_file(path)?;
    let root = rmpv::decode::read_value(&mut &bytes[..])
        .map_err(|e| NlpError::format(path, format!("invalid msgpack: {e}")))?;
    let json = super::weights::map_get(&root, "moves")
        .and_then(|v| v.as_str())
        .ok_or_else(|| NlpError::format(path, "no moves string"))?;
    let by_action: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| NlpError::format(path, format!("invalid moves JSON: {e}")))?;
    let mut actions: Vec<(&String, &serde_json::Value)> = by_action.iter().collect();
    actions.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(MoveKind, String)> = Vec::new();
    let mut added: Vec<(i64, String, MoveKind)> = Vec::new();
    for (action, freqs) in actions {
        let kind = action
            .parse::<u64>()
            .ok()
            .and_then(MoveKind::from_index)
            .ok_or_else(|| NlpError::format(path, format!("unknown move {action:?}")))?;
        let freqs = freqs
            .as_object()
            .ok_or_else(|| NlpError::format(path, "move labels are not a map"))?;
        let mut sorted: Vec<(i64, &String)> = freqs
            .iter()
            .map(|(label, f)| (f.as_i64().unwrap_or(0), label))
            .collect();
        sorted.sort();
        sorted.reverse();
        for (freq, label) in sorted {
            if freq < 0 {
                added.push((freq, label.clone(), kind));
            } else if !out.iter().any(|(k, l)| *k == kind && l == label) {
                out.push((kind, label.clone()));
            }
        }
    }
    // Labels added after training (negative counts) come last, as in spaCy.
    added.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    for (_, label, kind) in added {
        if !out.iter().any(|(k, l)| *k == kind && *l == label) {
            out.push((kind, label));
        }
    }
    Ok(out)
}

impl Parser {
    /// Loads the parser and the tok2vec it listens to from a pipeline folder
    /// (e.g. `models/en_core_web_sm`).
    pub fn load(model_dir: &Path) -> Result<Self, NlpError> {
        let tok2vec = Arc::new(Tok2Vec::load(&model_dir.join("tok2vec"))?);
        Self::from_parts(tok2vec, &model_dir.join("parser"))
    }

    /// Builds the parser from its component folder (`model`, `moves`) and a loaded tok2vec.
    pub fn from_parts(tok2vec: Arc<Tok2Vec>, dir: &Path) -> Result<Self, NlpError> {
        let model = ThincModel::read(&dir.join("model"))?;
        let net = StepNet::from_thinc(&model, tok2vec.width(), 8, "parser")?;
        let moves_path = dir.join("moves");
        let (moves, labels) = intern_labels(read_moves(&moves_path)?);
        let moves: Vec<Move> = moves
            .into_iter()
            .map(|(kind, label)| Move { kind, label })
            .collect();
        if moves.len() != net.n_moves() {
            return Err(NlpError::format(
                &moves_path,
                format!("{} moves for {} outputs", moves.len(), net.n_moves()),
            ));
        }
        Ok(Parser {
            tok2vec,
            net,
            moves,
            labels,
        })
    }

    /// The tok2vec this parser listens to.
    pub fn tok2vec(&self) -> &Tok2Vec {
        &self.tok2vec
    }

    /// The dependency labels (index 0 is the empty label).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The move names in output order, as spaCy's `moves.class_name(i)` ("S", "L-det", ...).
    pub fn move_names(&self) -> Vec<String> {
        self.moves
            .iter()
            .map(|m| {
                let label = &self.labels[m.label as usize];
                if label.is_empty() {
                    m.kind.letter().to_string()
                } else {
                    format!("{}-{label}", m.kind.letter())
                }
            })
            .collect()
    }

    /// Parses one document from its tokens (running tok2vec first).
    pub fn parse_tokens(&self, tokens: &[TokenIn<'_>]) -> Vec<Dependency> {
        let hidden = self.tok2vec.forward_tokens(tokens);
        let is_space: Vec<bool> = tokens
            .iter()
            .map(|t| super::lex::is_space(t.text))
            .collect();
        self.parse(&hidden, &is_space)
    }

    /// Parses one document from its tok2vec output (`tok2vec().width()` values per token);
    /// `is_space` flags whitespace tokens (skipped when re-attaching non-projective arcs) and
    /// gives the number of tokens.
    ///
    /// # Panics
    ///
    /// If `hidden` holds fewer than `is_space.len()` rows.
    pub fn parse(&self, hidden: &[f32], is_space: &[bool]) -> Vec<Dependency> {
        let n = is_space.len();
        if n == 0 {
            return Vec::new();
        }
        assert!(
            hidden.len() >= n * self.net.n_in(),
            "parser input has {} values for {n} tokens of width {}",
            hidden.len(),
            self.net.n_in()
        );
        let (mut heads, mut labels) = self.greedy(hidden, n);
        transition::deprojectivize(&mut heads, &mut labels, is_space);
        let starts = transition::sentence_starts(&heads);
        heads
            .into_iter()
            .zip(labels)
            .zip(starts)
            .map(|((head, dep), sent_start)| Dependency {
                head,
                dep,
                sent_start,
            })
            .collect()
    }

    /// Greedy decoding: heads and (possibly decorated) labels before deprojectivization.
    fn greedy(&self, hidden: &[f32], n: usize) -> (Vec<usize>, Vec<String>) {
        let mut steps = self.net.start(hidden, n);
        let mut state = State::new(n);
        // Each step moves a word or the stack; bound the loop all the same.
        let mut budget = 10 * n + 10;
        while !state.is_final() && budget > 0 {
            budget -= 1;
            let scores = steps.scores(state.context_tokens().map(i64::from));
            let valid = state.valid();
            let mut guess: Option<usize> = None;
            for (i, m) in self.moves.iter().enumerate() {
                if valid[m.kind as usize] && guess.is_none_or(|g| scores[i] > scores[g]) {
                    guess = Some(i);
                }
            }
            match guess {
                Some(g) => state.apply(self.moves[g].kind, self.moves[g].label),
                None => state.force_final(),
            }
        }
        state
            .arcs()
            .into_iter()
            .map(|(head, label)| {
                let label = match label {
                    Some(l) => self.labels[l as usize].clone(),
                    None => "ROOT".to_string(),
                };
                (head, label)
            })
            .unzip()
    }
}
