//! spaCy's arc-eager transition system (`arc_eager.pyx`, `_state.pxd`) for greedy parsing,
//! and the post-processing that turns a final state into heads, labels and sentence starts
//! (`ArcEager.set_annotations`, `nonproj.deprojectivize`, `set_children_from_heads`).

/// The arc-eager move kinds, in spaCy's numbering (the keys of `parser/moves`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoveKind {
    Shift,
    Reduce,
    Left,
    Right,
    Break,
}

impl MoveKind {
    pub(crate) fn from_index(i: u64) -> Option<MoveKind> {
        Some(match i {
            0 => MoveKind::Shift,
            1 => MoveKind::Reduce,
            2 => MoveKind::Left,
            3 => MoveKind::Right,
            4 => MoveKind::Break,
            _ => return None,
        })
    }

    pub(crate) fn letter(self) -> &'static str {
        match self {
            MoveKind::Shift => "S",
            MoveKind::Reduce => "D",
            MoveKind::Left => "L",
            MoveKind::Right => "R",
            MoveKind::Break => "B",
        }
    }
}

/// No token (spaCy's -1).
const NONE: i32 = -1;

/// One arc as spaCy stores it: deleted arcs that were not the head's last one stay in place
/// (spaCy's `map_del_arc` clears a copy), so they keep counting as children.
#[derive(Debug, Clone, Copy)]
struct Arc {
    child: i32,
}

/// A parse state (`StateC`): the stack, the buffer (with pushed-back words), the arcs.
#[derive(Debug, Clone)]
pub(crate) struct State {
    length: i32,
    stack: Vec<i32>,
    rebuffer: Vec<i32>,
    b_i: i32,
    heads: Vec<i32>,
    labels: Vec<u32>,
    left_arcs: Vec<Vec<Arc>>,
    right_arcs: Vec<Vec<Arc>>,
    unshiftable: Vec<bool>,
    sent_starts: Vec<bool>,
}

impl State {
    pub(crate) fn new(length: usize) -> State {
        State {
            length: length as i32,
            stack: Vec::new(),
            rebuffer: Vec::new(),
            b_i: 0,
            heads: vec![NONE; length],
            labels: vec![0; length],
            left_arcs: vec![Vec::new(); length],
            right_arcs: vec![Vec::new(); length],
            unshiftable: vec![false; length],
            sent_starts: vec![false; length],
        }
    }

    fn s(&self, i: usize) -> i32 {
        if i >= self.stack.len() {
            NONE
        } else {
            self.stack[self.stack.len() - 1 - i]
        }
    }

    fn b(&self, i: usize) -> i32 {
        if i < self.rebuffer.len() {
            return self.rebuffer[self.rebuffer.len() - 1 - i];
        }
        let b_i = self.b_i + (i - self.rebuffer.len()) as i32;
        if b_i >= self.length { NONE } else { b_i }
    }

    /// The `idx`-th most recently attached child in `arcs` of `head` (1-based).
    fn nth_child(arcs: &[Vec<Arc>], head: i32, idx: usize) -> i32 {
        if head < 0 {
            return NONE;
        }
        arcs[head as usize]
            .iter()
            .rev()
            .filter(|a| a.child != NONE)
            .nth(idx - 1)
            .map_or(NONE, |a| a.child)
    }

    fn l(&self, head: i32, idx: usize) -> i32 {
        Self::nth_child(&self.left_arcs, head, idx)
    }

    fn r(&self, head: i32, idx: usize) -> i32 {
        Self::nth_child(&self.right_arcs, head, idx)
    }

    /// The 8 feature tokens of spaCy's parser state (`set_context_tokens` with n = 8):
    /// B0, B1, S0, S1, S2, L(B0), L(S0), R(S0); -1 where missing.
    pub(crate) fn context_tokens(&self) -> [i32; 8] {
        let (b0, s0) = (self.b(0), self.s(0));
        [
            b0,
            self.b(1),
            s0,
            self.s(1),
            self.s(2),
            self.l(b0, 1),
            self.l(s0, 1),
            self.r(s0, 1),
        ]
    }

    fn buffer_length(&self) -> i32 {
        (self.length - self.b_i) + self.rebuffer.len() as i32
    }

    pub(crate) fn is_final(&self) -> bool {
        self.stack.is_empty() && self.buffer_length() == 0
    }

    fn is_sent_start(&self, word: i32) -> bool {
        word >= 0 && word < self.length && self.sent_starts[word as usize]
    }

    fn has_head(&self, child: i32) -> bool {
        self.heads[child as usize] >= 0
    }

    fn is_unshiftable(&self, item: i32) -> bool {
        item >= 0 && (item as usize) < self.unshiftable.len() && self.unshiftable[item as usize]
    }

    fn push(&mut self) {
        let b0 = match self.rebuffer.pop() {
            Some(b) => b,
            None => {
                self.b_i += 1;
                self.b_i - 1
            }
        };
        self.stack.push(b0);
    }

    fn unshift(&mut self) {
        if let Some(s0) = self.stack.pop() {
            self.unshiftable[s0 as usize] = true;
            self.rebuffer.push(s0);
        }
    }

    fn add_arc(&mut self, head: i32, child: i32, label: u32) {
        if self.has_head(child) {
            let old = self.heads[child as usize];
            let arcs = if old > child {
                &mut self.left_arcs[old as usize]
            } else {
                &mut self.right_arcs[old as usize]
            };
            // Only the last arc is really removed (see `Arc`).
            if arcs.last().is_some_and(|a| a.child == child) {
                arcs.pop();
            }
        }
        let arc = Arc { child };
        if head > child {
            self.left_arcs[head as usize].push(arc);
        } else {
            self.right_arcs[head as usize].push(arc);
        }
        self.heads[child as usize] = head;
        self.labels[child as usize] = label;
    }

    /// Whether each move kind is valid now (`ArcEager.set_valid`; no `subtok` label here).
    pub(crate) fn valid(&self) -> [bool; 5] {
        let depth = self.stack.len();
        let blen = self.buffer_length();
        let (b0, b1) = (self.b(0), self.b(1));
        let shift = if depth == 0 {
            true
        } else {
            !(blen < 2 || self.is_sent_start(b0) || self.is_unshiftable(b0))
        };
        // `cannot_sent_start` is never true: the documents carry no preset boundaries.
        let reduce = depth != 0;
        let arc = depth != 0 && blen != 0 && !self.is_sent_start(b0);
        let brk = blen >= 2 && b1 == b0 + 1 && !self.is_sent_start(b1);
        [shift, reduce, arc, arc, brk]
    }

    pub(crate) fn apply(&mut self, kind: MoveKind, label: u32) {
        match kind {
            MoveKind::Shift => self.push(),
            MoveKind::Reduce => {
                let s0 = self.s(0);
                if self.has_head(s0) || self.stack.len() == 1 {
                    self.stack.pop();
                } else {
                    self.unshift();
                }
            }
            MoveKind::Left => {
                let (b0, s0) = (self.b(0), self.s(0));
                self.add_arc(b0, s0, label);
                if b0 >= 0 {
                    self.unshiftable[b0 as usize] = false;
                }
                self.stack.pop();
            }
            MoveKind::Right => {
                let (s0, b0) = (self.s(0), self.b(0));
                self.add_arc(s0, b0, label);
                self.push();
            }
            MoveKind::Break => {
                let b1 = self.b(1);
                if b1 >= 0 {
                    self.sent_starts[b1 as usize] = true;
                }
            }
        }
    }

    /// spaCy's `force_final`, for a state with no valid move.
    pub(crate) fn force_final(&mut self) {
        self.stack.clear();
        self.rebuffer.clear();
        self.b_i = self.length;
    }

    /// The head (absolute, a root is its own head) and label index of each token, `None` for
    /// the root label.
    pub(crate) fn arcs(&self) -> Vec<(usize, Option<u32>)> {
        self.heads
            .iter()
            .zip(&self.labels)
            .enumerate()
            .map(|(i, (&h, &l))| {
                if h < 0 || h as usize == i {
                    (i, None)
                } else {
                    (h as usize, Some(l))
                }
            })
            .collect()
    }
}

/// Left and right edges of each token's subtree as spaCy's `set_children_from_heads` leaves
/// them (up to 11 propagation rounds, stopping once every head lies in its sentence).
pub(crate) fn edges(heads: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let n = heads.len();
    let mut l_edge: Vec<usize> = (0..n).collect();
    let mut r_edge: Vec<usize> = (0..n).collect();
    let mut rounds = 0;
    loop {
        for i in 0..n {
            let h = heads[i];
            l_edge[h] = l_edge[h].min(l_edge[i]);
            r_edge[h] = r_edge[h].max(r_edge[i]);
        }
        for i in (0..n).rev() {
            let h = heads[i];
            r_edge[h] = r_edge[h].max(r_edge[i]);
            l_edge[h] = l_edge[h].min(l_edge[i]);
        }
        if heads_within_sents(heads, &l_edge) || rounds > 10 {
            break;
        }
        rounds += 1;
    }
    (l_edge, r_edge)
}

fn heads_within_sents(heads: &[usize], l_edge: &[usize]) -> bool {
    let n = heads.len();
    let mut starts = vec![false; n];
    for i in 0..n {
        if heads[i] == i {
            starts[l_edge[i]] = true;
        }
    }
    let mut start = 0;
    for i in 0..n {
        if (i > 0 && starts[i]) || i == n - 1 {
            for &h in &heads[start..i] {
                if h < start || h > i {
                    return false;
                }
            }
            start = i;
        }
    }
    true
}

/// Sentence starts from heads: the left edge of each root's subtree.
pub(crate) fn sentence_starts(heads: &[usize]) -> Vec<bool> {
    let (l_edge, _) = edges(heads);
    let mut starts = vec![false; heads.len()];
    for (i, &h) in heads.iter().enumerate() {
        if h == i {
            starts[l_edge[i]] = true;
        }
    }
    starts
}

/// spaCy's `nonproj.deprojectivize`: each label `X||Y` becomes `X`, its token re-attached to
/// the first token labelled `Y` found breadth-first below its head (children left to right,
/// skipping whitespace tokens); without one the head stays.
pub(crate) fn deprojectivize(heads: &mut [usize], labels: &mut [String], is_space: &[bool]) {
    const DELIMITER: &str = "||";
    if !labels.iter().any(|l| l.contains(DELIMITER)) {
        return;
    }
    // Children are looked up within the edges of the tree before the loop, as spaCy's
    // `Token.lefts`/`rights` do.
    let (l_edge, r_edge) = edges(heads);
    for i in 0..heads.len() {
        let Some((new_label, head_label)) = labels[i].split_once(DELIMITER) else {
            continue;
        };
        let (new_label, head_label) = (new_label.to_string(), head_label.to_string());
        let mut new_head = heads[i];
        let mut queue = vec![heads[i]];
        let mut visited = 0usize;
        'search: while !queue.is_empty() && visited <= heads.len() * heads.len() {
            let mut next = Vec::new();
            for &q in &queue {
                visited += 1;
                let children = (l_edge[q]..q)
                    .chain(q + 1..=r_edge[q])
                    .filter(|&c| heads[c] == q && c != q);
                for c in children {
                    if is_space[c] || c == i {
                        continue;
                    }
                    if labels[c] == head_label {
                        new_head = c;
                        break 'search;
                    }
                    next.push(c);
                }
            }
            queue = next;
        }
        heads[i] = new_head;
        labels[i] = new_label;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(labels: &[&str]) -> Vec<String> {
        labels.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn deprojectivize_reattaches_to_the_labelled_descendant() {
        // "X||Y": find the first Y below the current head, breadth-first, left to right.
        let mut heads = vec![1, 1, 1, 1];
        let mut labels = strings(&["nsubj", "ROOT", "dobj", "prep||dobj"]);
        deprojectivize(&mut heads, &mut labels, &[false; 4]);
        assert_eq!(heads, [1, 1, 1, 2]);
        assert_eq!(labels, strings(&["nsubj", "ROOT", "dobj", "prep"]));
        let mut heads = vec![1, 1, 1, 2, 1];
        let mut labels = strings(&["nsubj", "ROOT", "dobj", "det", "acl||det"]);
        deprojectivize(&mut heads, &mut labels, &[false; 5]);
        assert_eq!((heads[4], labels[4].as_str()), (3, "acl"));

        // No such descendant: the head stays; whitespace tokens are never chosen.
        let mut heads = vec![1, 1, 1];
        let mut labels = strings(&["nsubj", "ROOT", "prep||pobj"]);
        deprojectivize(&mut heads, &mut labels, &[false; 3]);
        assert_eq!((heads[2], labels[2].as_str()), (1, "prep"));
        let mut heads = vec![1, 1, 1];
        let mut labels = strings(&["nsubj", "ROOT", "prep||nsubj"]);
        deprojectivize(&mut heads, &mut labels, &[true, false, false]);
        assert_eq!((heads[2], labels[2].as_str()), (1, "prep"));
    }

    #[test]
    fn sentence_starts_are_left_edges_of_roots() {
        // Two sentences: 0..3 rooted at 1, 3..5 rooted at 4.
        let heads = [1, 1, 1, 4, 4];
        assert_eq!(sentence_starts(&heads), [true, false, false, true, false]);
    }

    #[test]
    fn greedy_moves_build_a_tree() {
        // S, R, D, then L: 0 -> 1 (right arc), reduce 1, 0 <- 2 (left arc), 2 shifted, done.
        let mut state = State::new(3);
        assert_eq!(state.valid(), [true, false, false, false, true]);
        state.apply(MoveKind::Shift, 0);
        assert_eq!(state.context_tokens(), [1, 2, 0, -1, -1, -1, -1, -1]);
        state.apply(MoveKind::Right, 7);
        assert_eq!(state.context_tokens(), [2, -1, 1, 0, -1, -1, -1, -1]);
        state.apply(MoveKind::Reduce, 0);
        assert_eq!(state.context_tokens(), [2, -1, 0, -1, -1, -1, -1, 1]);
        state.apply(MoveKind::Left, 3);
        assert_eq!(state.context_tokens(), [2, -1, -1, -1, -1, 0, -1, -1]);
        // B0 = 2 alone with an empty stack: only shift.
        assert_eq!(state.valid(), [true, false, false, false, false]);
        state.apply(MoveKind::Shift, 0);
        state.apply(MoveKind::Reduce, 0);
        assert!(state.is_final());
        assert_eq!(state.arcs(), [(2, Some(3)), (0, Some(7)), (2, None)]);
    }
}
