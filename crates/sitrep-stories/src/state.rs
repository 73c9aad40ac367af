//! The clusterer's state behind a trait: feature vocabulary and document frequencies, stories,
//! threads, and the inverted indexes from features to stories and threads.
//!
//! [`MemoryStore`] keeps it all in memory; it is the one implementation (the CLI's
//! incremental refresh re-clusters a window of stored articles rather than keeping this state
//! in the store).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use sitrep_model::NaiveDate;

/// A fixed, fast hasher (FxHash's mixing step): deterministic across runs, so iteration order
/// and float sums never change from one run to the next.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A hash map with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Number of feature kinds.
pub const KINDS: usize = 6;

/// The kinds of features, each with its own vector and weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Word = 0,
    Entity = 1,
    Place = 2,
    Event = 3,
    Number = 4,
    /// Words of the title and the body's opening (the lead names the event).
    Lead = 5,
}

impl Kind {
    pub const ALL: [Kind; KINDS] = [
        Kind::Word,
        Kind::Entity,
        Kind::Place,
        Kind::Event,
        Kind::Number,
        Kind::Lead,
    ];

    fn tag(self) -> char {
        match self {
            Kind::Word => 'w',
            Kind::Entity => 'e',
            Kind::Place => 'p',
            Kind::Event => 'v',
            Kind::Number => 'n',
            Kind::Lead => 'l',
        }
    }

    fn from_tag(c: char) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.tag() == c)
    }
}

/// Id of a story (dense, in creation order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoryId(pub u32);

/// Id of a thread (dense, in creation order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId(pub u32);

impl std::fmt::Display for StoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s{}", self.0)
    }
}

impl std::fmt::Display for ThreadId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "t{}", self.0)
    }
}

/// Sparse vector: feature id -> summed sublinear term frequency (idf applied when compared,
/// with the document frequencies of that moment).
pub type Vector = FxMap<u32, f32>;

/// The aggregated signals of an article, a story or a thread: the publication span, article
/// count and length inline, the vectors, sets, norms and embedding in a boxed [`ProfileBody`]
/// that a compacted profile (a closed story or thread) does not hold, so such a record costs a
/// few dozen bytes. The body's fields read through `Deref` (an absent body reads as empty) and
/// writing one allocates it.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Span of the publication dates.
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub articles: u32,
    /// Sum over the articles of their number of distinct content words (the mean article
    /// length the length-aware similarity uses).
    pub words_sum: f32,
    body: Option<Box<ProfileBody>>,
}

/// The bulk of a [`Profile`].
#[derive(Debug, Clone, Default)]
pub struct ProfileBody {
    pub vecs: [Vector; KINDS],
    /// Years named (sorted, unique).
    pub years: Vec<u16>,
    /// Event dates (sorted, unique).
    pub dates: Vec<NaiveDate>,
    /// Death tolls (sorted, unique).
    pub killed: Vec<u64>,
    /// Cached squared idf-weighted norm of each vector (kept up to date incrementally by the
    /// clusterer, recomputed in full as document frequencies drift).
    pub norms2: [f32; KINDS],
    /// Number of documents when `norms2` was last computed in full (0: never).
    pub norm_docs: u32,
    /// Sum of the articles' sentence embeddings (empty: none, or embeddings off).
    pub embedding: Vec<f32>,
}

const EMPTY_VECTOR: Vector = HashMap::with_hasher(BuildHasherDefault::new());

/// What a profile without a body reads as.
static EMPTY_BODY: ProfileBody = ProfileBody {
    vecs: [EMPTY_VECTOR; KINDS],
    years: Vec::new(),
    dates: Vec::new(),
    killed: Vec::new(),
    norms2: [0.0; KINDS],
    norm_docs: 0,
    embedding: Vec::new(),
};

impl std::ops::Deref for Profile {
    type Target = ProfileBody;
    fn deref(&self) -> &ProfileBody {
        self.body.as_deref().unwrap_or(&EMPTY_BODY)
    }
}

impl std::ops::DerefMut for Profile {
    fn deref_mut(&mut self) -> &mut ProfileBody {
        self.body.get_or_insert_with(Box::default)
    }
}

impl Profile {
    /// Adds another profile's signals (a joining article, a merged story).
    pub fn absorb(&mut self, other: &Profile) {
        self.absorb_kinds(other, &[true; KINDS]);
    }

    /// As [`absorb`](Self::absorb), with the vectors of the kinds in `kinds` only (a thread
    /// keeps the kinds its similarity weighs).
    pub fn absorb_kinds(&mut self, other: &Profile, kinds: &[bool; KINDS]) {
        for ((mine, theirs), &keep) in self.vecs.iter_mut().zip(&other.vecs).zip(kinds) {
            if !keep {
                continue;
            }
            for (&f, &v) in theirs {
                *mine.entry(f).or_insert(0.0) += v;
            }
        }
        merge_sorted(&mut self.years, &other.years);
        merge_sorted(&mut self.dates, &other.dates);
        merge_sorted(&mut self.killed, &other.killed);
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        self.articles += other.articles;
        self.words_sum += other.words_sum;
        if self.embedding.is_empty() {
            self.embedding.clone_from(&other.embedding);
        } else if self.embedding.len() == other.embedding.len() {
            for (x, y) in self.embedding.iter_mut().zip(&other.embedding) {
                *x += y;
            }
        }
    }

    /// Takes an article's signals out again (the reassignment pass moves it elsewhere):
    /// vectors, article count, length and embedding. Years, dates, tolls and the publication
    /// span are sets and stay as they are (the caller rebuilds them where they matter).
    pub fn subtract(&mut self, other: &Profile) {
        for (mine, theirs) in self.vecs.iter_mut().zip(&other.vecs) {
            for (f, v) in theirs {
                if let Some(x) = mine.get_mut(f) {
                    *x -= v;
                    if *x <= 1e-4 {
                        mine.remove(f);
                    }
                }
            }
        }
        self.articles = self.articles.saturating_sub(other.articles);
        self.words_sum = (self.words_sum - other.words_sum).max(0.0);
        if self.embedding.len() == other.embedding.len() {
            for (x, y) in self.embedding.iter_mut().zip(&other.embedding) {
                *x -= y;
            }
        }
    }

    /// Mean distinct content words per article (0 for an empty profile).
    pub fn mean_words(&self) -> f32 {
        if self.articles == 0 {
            0.0
        } else {
            self.words_sum / self.articles as f32
        }
    }
}

fn merge_sorted<T: Ord + Copy>(a: &mut Vec<T>, b: &[T]) {
    if b.is_empty() {
        return;
    }
    a.extend_from_slice(b);
    a.sort_unstable();
    a.dedup();
}

fn min_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// One article as the clusterer remembers it.
#[derive(Debug, Clone)]
pub struct ArticleEntry {
    pub id: String,
    pub outlet: Option<String>,
    /// The story it was put in (follow merges with `Clusterer::resolve_story`).
    pub story: StoryId,
}

/// A story: one real-world event.
#[derive(Debug, Clone)]
pub struct StoryState {
    pub thread: ThreadId,
    pub profile: Profile,
    /// Indexes of its articles (see [`StoryStore::article`]).
    pub articles: Vec<u32>,
    pub title: Option<String>,
    /// Entity feature -> number of articles naming it.
    pub entity_articles: FxMap<u32, u32>,
    /// Changed since the last merge pass.
    pub dirty: bool,
    /// Merged into this story, if it was merged away.
    pub merged_into: Option<StoryId>,
    /// Stories split off this one (or it off them): the merge pass never joins them again.
    pub apart: Vec<StoryId>,
    /// Closed for good and compacted: its profile keeps only the publication span and the
    /// article count, its postings are gone, and no article or story is compared with it
    /// again (what the output needs, articles, title, entities and span, stays).
    pub evicted: bool,
}

impl StoryState {
    /// A story of no articles yet, in `thread`.
    pub fn empty(thread: ThreadId) -> Self {
        StoryState {
            thread,
            profile: Profile::default(),
            articles: Vec::new(),
            title: None,
            entity_articles: FxMap::default(),
            dirty: false,
            merged_into: None,
            apart: Vec::new(),
            evicted: false,
        }
    }
}

/// A thread: the storyline its stories belong to.
#[derive(Debug, Clone)]
pub struct ThreadState {
    pub profile: Profile,
    pub stories: Vec<StoryId>,
    pub merged_into: Option<ThreadId>,
    /// Closed for good and compacted, as [`StoryState::evicted`].
    pub evicted: bool,
}

impl Profile {
    /// What a closed story or thread keeps of its profile: the publication span and the
    /// article count (the body, vectors, sets, norms and embedding, freed).
    pub fn compacted(&self) -> Profile {
        Profile {
            first: self.first,
            last: self.last,
            articles: self.articles,
            words_sum: self.words_sum,
            body: None,
        }
    }

    /// Whether it holds a body (vectors, sets, norms or embedding were written).
    pub fn has_body(&self) -> bool {
        self.body.is_some()
    }

    /// Number of entries in its vectors.
    pub fn entries(&self) -> usize {
        self.vecs.iter().map(|v| v.len()).sum()
    }
}

/// Which inverted index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Story,
    Thread,
}

/// A posting list: the stories (or threads) whose profile has a feature.
#[derive(Debug, Clone, Default)]
pub struct Postings {
    pub ids: Vec<u32>,
    /// Length at which the list is next pruned of closed and merged entries (amortised).
    pub next_prune: u32,
}

/// Everything the clusterer keeps. Ids are dense: stories and threads are never deleted, only
/// marked merged.
pub trait StoryStore {
    /// The id of a feature, created on first sight.
    fn intern(&mut self, kind: Kind, name: &str) -> u32;
    /// The kind and name of a feature.
    fn feature(&self, id: u32) -> Option<(Kind, &str)>;
    /// Number of articles seen with this feature.
    fn df(&self, feature: u32) -> u32;
    /// `ln(df + 1)`, cached.
    fn ln_df(&self, feature: u32) -> f32;
    fn bump_df(&mut self, feature: u32);
    /// Counts `n` more articles with this feature.
    fn add_df(&mut self, feature: u32, n: u32) {
        for _ in 0..n {
            self.bump_df(feature);
        }
    }
    /// Number of articles seen.
    fn docs(&self) -> u32;
    fn push_article(&mut self, article: ArticleEntry) -> u32;
    /// Counts a document seen but not stored ([`Clusterer::observe`](crate::Clusterer::observe)).
    fn count_document(&mut self);
    /// Counts `n` documents seen but not stored.
    fn count_documents(&mut self, n: u32) {
        for _ in 0..n {
            self.count_document();
        }
    }
    fn article(&self, index: u32) -> Option<&ArticleEntry>;
    fn article_mut(&mut self, index: u32) -> Option<&mut ArticleEntry>;
    fn article_count(&self) -> u32;
    fn story(&self, id: StoryId) -> Option<&StoryState>;
    fn story_mut(&mut self, id: StoryId) -> Option<&mut StoryState>;
    fn push_story(&mut self, story: StoryState) -> StoryId;
    fn story_count(&self) -> u32;
    fn thread(&self, id: ThreadId) -> Option<&ThreadState>;
    fn thread_mut(&mut self, id: ThreadId) -> Option<&mut ThreadState>;
    fn push_thread(&mut self, thread: ThreadState) -> ThreadId;
    fn thread_count(&self) -> u32;
    fn postings(&self, level: Level, feature: u32) -> Option<&Postings>;
    fn postings_mut(&mut self, level: Level, feature: u32) -> &mut Postings;
}

/// All state in memory.
#[derive(Default)]
pub struct MemoryStore {
    vocab: FxMap<String, u32>,
    names: Vec<String>,
    df: Vec<u32>,
    ln_df: Vec<f32>,
    docs: u32,
    articles: Vec<ArticleEntry>,
    stories: Vec<StoryState>,
    threads: Vec<ThreadState>,
    story_index: Vec<Postings>,
    thread_index: Vec<Postings>,
    /// Reused buffer for vocabulary keys (no allocation per known feature).
    key: String,
}

impl StoryStore for MemoryStore {
    fn intern(&mut self, kind: Kind, name: &str) -> u32 {
        self.key.clear();
        self.key.push(kind.tag());
        self.key.push_str(name);
        if let Some(&id) = self.vocab.get(&self.key) {
            return id;
        }
        let key = self.key.clone();
        let id = self.names.len() as u32;
        self.vocab.insert(key.clone(), id);
        self.names.push(key);
        self.df.push(0);
        self.ln_df.push(0.0);
        self.story_index.push(Postings::default());
        self.thread_index.push(Postings::default());
        id
    }

    fn feature(&self, id: u32) -> Option<(Kind, &str)> {
        let key = self.names.get(id as usize)?;
        let kind = Kind::from_tag(key.chars().next()?)?;
        Some((kind, &key[1..]))
    }

    fn df(&self, feature: u32) -> u32 {
        self.df.get(feature as usize).copied().unwrap_or(0)
    }

    fn ln_df(&self, feature: u32) -> f32 {
        self.ln_df.get(feature as usize).copied().unwrap_or(0.0)
    }

    fn bump_df(&mut self, feature: u32) {
        if let Some(d) = self.df.get_mut(feature as usize) {
            *d += 1;
            self.ln_df[feature as usize] = ((*d + 1) as f32).ln();
        }
        // A document is counted by the caller through push_article.
    }

    fn add_df(&mut self, feature: u32, n: u32) {
        if let Some(d) = self.df.get_mut(feature as usize) {
            *d += n;
            self.ln_df[feature as usize] = ((*d + 1) as f32).ln();
        }
    }

    fn docs(&self) -> u32 {
        self.docs
    }

    fn push_article(&mut self, article: ArticleEntry) -> u32 {
        self.articles.push(article);
        self.docs += 1;
        self.articles.len() as u32 - 1
    }

    fn count_documents(&mut self, n: u32) {
        self.docs += n;
    }

    fn count_document(&mut self) {
        self.docs += 1;
    }

    fn article(&self, index: u32) -> Option<&ArticleEntry> {
        self.articles.get(index as usize)
    }

    fn article_mut(&mut self, index: u32) -> Option<&mut ArticleEntry> {
        self.articles.get_mut(index as usize)
    }

    fn article_count(&self) -> u32 {
        self.articles.len() as u32
    }

    fn story(&self, id: StoryId) -> Option<&StoryState> {
        self.stories.get(id.0 as usize)
    }

    fn story_mut(&mut self, id: StoryId) -> Option<&mut StoryState> {
        self.stories.get_mut(id.0 as usize)
    }

    fn push_story(&mut self, story: StoryState) -> StoryId {
        self.stories.push(story);
        StoryId(self.stories.len() as u32 - 1)
    }

    fn story_count(&self) -> u32 {
        self.stories.len() as u32
    }

    fn thread(&self, id: ThreadId) -> Option<&ThreadState> {
        self.threads.get(id.0 as usize)
    }

    fn thread_mut(&mut self, id: ThreadId) -> Option<&mut ThreadState> {
        self.threads.get_mut(id.0 as usize)
    }

    fn push_thread(&mut self, thread: ThreadState) -> ThreadId {
        self.threads.push(thread);
        ThreadId(self.threads.len() as u32 - 1)
    }

    fn thread_count(&self) -> u32 {
        self.threads.len() as u32
    }

    fn postings(&self, level: Level, feature: u32) -> Option<&Postings> {
        match level {
            Level::Story => self.story_index.get(feature as usize),
            Level::Thread => self.thread_index.get(feature as usize),
        }
    }

    fn postings_mut(&mut self, level: Level, feature: u32) -> &mut Postings {
        let index = match level {
            Level::Story => &mut self.story_index,
            Level::Thread => &mut self.thread_index,
        };
        let i = feature as usize;
        if i >= index.len() {
            index.resize_with(i + 1, Postings::default);
        }
        &mut index[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compacted_profile_keeps_the_span_and_count_without_a_body() {
        let day = |d| NaiveDate::from_ymd_opt(2031, 3, d);
        let empty = Profile::default();
        // Reading an empty profile's body allocates nothing.
        assert!(empty.vecs.iter().all(|v| v.is_empty()) && empty.years.is_empty());
        assert!(!empty.has_body());
        let mut p = Profile {
            first: day(2),
            last: day(9),
            articles: 3,
            words_sum: 42.0,
            ..Profile::default()
        };
        p.vecs[0].insert(7, 1.5);
        p.years.push(2030);
        p.norms2[0] = 2.25;
        assert!(p.has_body());
        let c = p.compacted();
        assert!(!c.has_body());
        assert_eq!((c.first, c.last, c.articles), (day(2), day(9), 3));
        assert_eq!(c.mean_words(), 14.0);
        assert_eq!((c.entries(), c.norms2[0], c.years.len()), (0, 0.0, 0));
        // What a closed story's record keeps inline is small (the body was ~0.35 KB).
        assert!(std::mem::size_of::<Profile>() <= 48);
        // Writing to a compacted profile gives it a body again.
        let mut c = c;
        c.vecs[1].insert(3, 1.0);
        assert!(c.has_body() && c.entries() == 1);
    }
}
