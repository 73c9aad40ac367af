//! spaCy's `ner` component: `TransitionBasedParser.v2` with state type `ner` (3 feature
//! tokens) driving the BILUO transition system (`BiluoPushDown`) greedily.
//!
//! Unlike the parser, the NER network embeds its own tok2vec. Per document the tok2vec rows go
//! through the linear layer and every (feature, hidden, piece) slice of the precomputable lower
//! layer at once; each step then sums 3 precomputed rows (or the learned padding for missing
//! feature tokens), adds the bias, takes the maxout, applies the upper layer and takes the
//! best-scoring valid move. Every move consumes one token.
//!
//! The feature tokens (spaCy `_state.pxd`, `set_context_tokens` with 3 features) are the first
//! buffer token, the first token of the open entity, and the token before the first buffer
//! token when both of the others exist.
//!
//! No entities are preset (spaCy's pipeline has no entity ruler before `ner`), so the validity
//! rules reduce to: `B` needs no open entity, at least two buffer tokens, a non-space token and
//! no sentence start on the next token; `I` needs an open entity of the same label, at least two
//! buffer tokens and no sentence start on the next token; `L` needs an open entity of the same
//! label; `U` needs no open entity, a label and a non-space token; `O` needs no open entity.

use std::path::Path;

use super::lex::{self, Lexicon};
use super::step_net::{StepNet, intern_labels};
use super::weights::ThincModel;
use super::{Tok2Vec, TokenIn};
use crate::NlpError;

/// One recognized entity: tokens `start..end` of the document, with its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySpan {
    /// The first token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The entity type ("PERSON", "GPE", ...).
    pub label: String,
}

/// The BILUO move types, numbered as in spaCy's `ner.pyx` (0 is the unused `MISSING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Biluo {
    Begin,
    In,
    Last,
    Unit,
    Out,
}

impl Biluo {
    fn from_index(i: u64) -> Option<Option<Biluo>> {
        Some(match i {
            0 => None,
            1 => Some(Biluo::Begin),
            2 => Some(Biluo::In),
            3 => Some(Biluo::Last),
            4 => Some(Biluo::Unit),
            5 => Some(Biluo::Out),
            _ => return None,
        })
    }

    fn letter(self) -> &'static str {
        match self {
            Biluo::Begin => "B",
            Biluo::In => "I",
            Biluo::Last => "L",
            Biluo::Unit => "U",
            Biluo::Out => "O",
        }
    }
}

#[derive(Debug, Clone)]
struct Move {
    kind: Biluo,
    /// Index into `Ner::labels` (0 = no label).
    label: u32,
}

/// spaCy's named entity recognizer, with its own tok2vec. Read-only once loaded.
#[derive(Debug, Clone)]
pub struct Ner {
    tok2vec: Tok2Vec,
    net: StepNet,
    moves: Vec<Move>,
    /// Label strings; index 0 is the empty label.
    labels: Vec<String>,
}

/// Reads the moves from a `moves` file (msgpack holding the JSON of `{move: {label: freq}}`)
/// in the order of spaCy's `initialize_actions` and `BiluoPushDown.add_action`.
fn read_moves(path: &Path) -> Result<Vec<(Biluo, String)>, NlpError> {
    let bytes = crate::read_file(path)?;
    let root = rmpv::decode::read_value(&mut &bytes[..])
        .map_err(|e| NlpError::format(path, format!("invalid msgpack: {e}")))?;
    let json = super::weights::map_get(&root, "moves")
        .and_then(|v| v.as_str())
        .ok_or_else(|| NlpError::format(path, "no moves string"))?;
    let by_action: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| NlpError::format(path, format!("invalid moves JSON: {e}")))?;
    let mut actions: Vec<(u64, &serde_json::Value)> = Vec::new();
    for (action, freqs) in &by_action {
        let index = action
            .parse::<u64>()
            .map_err(|_| NlpError::format(path, format!("unknown move {action:?}")))?;
        actions.push((index, freqs));
    }
    actions.sort_by_key(|a| a.0);
    let mut out: Vec<(Biluo, String)> = Vec::new();
    let mut added: Vec<(i64, String, Biluo)> = Vec::new();
    for (index, freqs) in actions {
        let kind = Biluo::from_index(index)
            .ok_or_else(|| NlpError::format(path, format!("unknown move {index}")))?;
        let Some(kind) = kind else {
            continue; // MISSING is never a move
        };
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
            } else if (kind != Biluo::Out || label.is_empty())
                && !out.iter().any(|(k, l)| *k == kind && l == label)
            {
                out.push((kind, label.clone()));
            }
        }
    }
    added.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    for (_, label, kind) in added {
        if (kind != Biluo::Out || label.is_empty())
            && !out.iter().any(|(k, l)| *k == kind && *l == label)
        {
            out.push((kind, label));
        }
    }
    Ok(out)
}

/// The greedy BILUO state: position in the document and the open entity, if any.
struct State<'a> {
    n: usize,
    /// The first buffer token.
    b0: usize,
    /// Start and label of the open entity.
    open: Option<(usize, u32)>,
    is_space: &'a [bool],
    sent_starts: Option<&'a [bool]>,
    ents: Vec<(usize, usize, u32)>,
}

impl State<'_> {
    fn buffer_length(&self) -> usize {
        self.n - self.b0
    }

    fn next_starts_sentence(&self) -> bool {
        self.sent_starts
            .and_then(|s| s.get(self.b0 + 1).copied())
            .unwrap_or(false)
    }

    fn context(&self) -> [isize; 3] {
        let b0 = if self.b0 < self.n {
            self.b0 as isize
        } else {
            -1
        };
        let e0 = self.open.map_or(-1, |(start, _)| start as isize);
        let prev = if b0 == -1 || e0 == -1 { -1 } else { b0 - 1 };
        [b0, e0, prev]
    }

    fn is_valid(&self, m: &Move) -> bool {
        let space = self.is_space[self.b0];
        match m.kind {
            Biluo::Begin => {
                self.open.is_none()
                    && self.buffer_length() >= 2
                    && m.label != 0
                    && !self.next_starts_sentence()
                    && !space
            }
            Biluo::In => {
                matches!(self.open, Some((_, l)) if l == m.label)
                    && self.buffer_length() >= 2
                    && m.label != 0
                    && !self.next_starts_sentence()
            }
            Biluo::Last => m.label != 0 && matches!(self.open, Some((_, l)) if l == m.label),
            Biluo::Unit => m.label != 0 && self.open.is_none() && !space,
            Biluo::Out => self.open.is_none(),
        }
    }

    fn apply(&mut self, m: &Move) {
        match m.kind {
            Biluo::Begin => self.open = Some((self.b0, m.label)),
            Biluo::In | Biluo::Out => {}
            Biluo::Last => {
                if let Some((start, label)) = self.open.take() {
                    self.ents.push((start, self.b0 + 1, label));
                }
            }
            Biluo::Unit => self.ents.push((self.b0, self.b0 + 1, m.label)),
        }
        self.b0 += 1;
    }
}

impl Ner {
    /// Loads the recognizer from a pipeline folder (e.g. `models/en_core_web_sm`): its
    /// `ner/model`, `ner/moves`, and the `vocab` its tok2vec features need.
    pub fn load(model_dir: &Path) -> Result<Self, NlpError> {
        let dir = model_dir.join("ner");
        let model = ThincModel::read(&dir.join("model"))?;
        let lexicon = Lexicon::load(&model_dir.join("vocab"))?;
        let tok2vec = Tok2Vec::from_thinc(&model, lexicon)?;
        let net = StepNet::from_thinc(&model, tok2vec.width(), 3, "ner")?;
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
        Ok(Ner {
            tok2vec,
            net,
            moves,
            labels,
        })
    }

    /// The NER's own tok2vec.
    pub fn tok2vec(&self) -> &Tok2Vec {
        &self.tok2vec
    }

    /// The entity labels (index 0 is the empty label).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The move names in output order, as spaCy's `moves.get_class_name(i)`
    /// ("B-ORG", ..., "U-", "O").
    pub fn move_names(&self) -> Vec<String> {
        self.moves
            .iter()
            .map(|m| match m.kind {
                Biluo::Out => "O".to_string(),
                kind => format!("{}-{}", kind.letter(), self.labels[m.label as usize]),
            })
            .collect()
    }

    /// Entities of one document with no sentence boundaries known (as spaCy's `ner` run
    /// without a parser before it).
    pub fn recognize_tokens(&self, tokens: &[TokenIn<'_>]) -> Vec<EntitySpan> {
        self.recognize_in_sentences(tokens, None)
    }

    /// Entities of one document; `sent_starts` (one flag per token, e.g. from the parser, as in
    /// spaCy's pipeline where `ner` runs after `parser`) keeps entities within sentences.
    pub fn recognize_in_sentences(
        &self,
        tokens: &[TokenIn<'_>],
        sent_starts: Option<&[bool]>,
    ) -> Vec<EntitySpan> {
        if tokens.is_empty() {
            return Vec::new();
        }
        let hidden = self.tok2vec.forward_tokens(tokens);
        let is_space: Vec<bool> = tokens.iter().map(|t| lex::is_space(t.text)).collect();
        self.recognize(&hidden, &is_space, sent_starts)
    }

    /// Entities from the NER tok2vec's output (`tok2vec().width()` values per token);
    /// `is_space` flags whitespace tokens and gives the number of tokens.
    ///
    /// # Panics
    ///
    /// If `hidden` holds fewer than `is_space.len()` rows.
    pub fn recognize(
        &self,
        hidden: &[f32],
        is_space: &[bool],
        sent_starts: Option<&[bool]>,
    ) -> Vec<EntitySpan> {
        let n = is_space.len();
        if n == 0 {
            return Vec::new();
        }
        assert!(
            hidden.len() >= n * self.net.n_in(),
            "ner input has {} values for {n} tokens of width {}",
            hidden.len(),
            self.net.n_in()
        );
        let mut steps = self.net.start(hidden, n);
        let mut state = State {
            n,
            b0: 0,
            open: None,
            is_space,
            sent_starts,
            ents: Vec::new(),
        };
        while state.b0 < n {
            let scores = steps.scores(state.context().map(|id| id as i64));
            let mut guess: Option<usize> = None;
            for (i, m) in self.moves.iter().enumerate() {
                if state.is_valid(m) && guess.is_none_or(|g| scores[i] > scores[g]) {
                    guess = Some(i);
                }
            }
            match guess {
                Some(g) => state.apply(&self.moves[g]),
                None => break,
            }
        }
        state
            .ents
            .into_iter()
            .map(|(start, end, label)| EntitySpan {
                start,
                end,
                label: self.labels[label as usize].clone(),
            })
            .collect()
    }
}
