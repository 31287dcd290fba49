//! Training: learning merges from a corpus, merge for merge as minbpe does.
//!
//! minbpe recounts every pair of the whole text for every merge (O(merges ×
//! text)). This trainer counts once and then updates only what a merge
//! touches:
//!
//! * the corpus is split into chunks and identical chunks are stored once,
//!   weighted by how often they occur, in order of first appearance;
//! * the chunks sit end to end in one linked list of tokens, so a position in
//!   that list orders occurrences exactly as the text does;
//! * every pair keeps its weighted count and the sorted positions where it
//!   occurs; a merge visits only the positions of its pair and adjusts the
//!   counts of the neighbouring pairs;
//! * a max-heap orders pairs by count, then by first occurrence (earliest
//!   wins, as `max(stats, key=stats.get)` over minbpe's insertion-ordered
//!   dict); stale heap entries are skipped when popped.
//!
//! One merge costs O(k log p) for k occurrences of the merged pair and p
//! distinct pairs, so a whole training run is near-linear in the corpus.
//!
//! ```
//! use bpe_playground::{train, Pattern};
//! let result = train(b"aaabdaaabac", 259, &Pattern::None, |_, _| true).unwrap();
//! assert_eq!(result.merges.len(), 3);
//! assert_eq!(result.merges[0].pair, (97, 97)); // "aa" is the most frequent pair
//! ```

use crate::encode::FastBuild;
use crate::error::{Error, Result};
use crate::pretokenize::Pattern;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// The smallest vocabulary: the 256 byte tokens.
pub const MIN_VOCAB_SIZE: usize = 256;
/// The largest vocabulary the trainer accepts.
pub const MAX_VOCAB_SIZE: usize = 1 << 20;

/// One learned merge: `pair.0` followed by `pair.1` becomes `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub pair: (u32, u32),
    pub id: u32,
    /// How often the pair occurred in the corpus when it was merged.
    pub count: u64,
}

/// What training produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trained {
    pub pattern: Pattern,
    pub merges: Vec<Merge>,
    /// The vocab size asked for; `merges.len() + 256` is smaller when the
    /// corpus ran out of pairs first.
    pub requested_vocab_size: usize,
}

/// Trains `vocab_size - 256` merges on `corpus` (any bytes).
///
/// `progress(done, total)` is called after every merge; returning `false`
/// cancels training with [`Error::Cancelled`].
pub fn train(
    corpus: &[u8],
    vocab_size: usize,
    pattern: &Pattern,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<Trained> {
    let mut trainer = Trainer::new(corpus, vocab_size, pattern)?;
    let total = trainer.total();
    while trainer.step().is_some() {
        if !progress(trainer.done(), total) {
            return Err(Error::Cancelled);
        }
    }
    Ok(trainer.finish())
}

type Pair = (u32, u32);
const NONE: u32 = u32::MAX;

/// Sorted positions of one pair; entries before `head` are known stale.
#[derive(Default)]
struct Occurrences {
    positions: Vec<u32>,
    head: usize,
}

/// Incremental trainer: call [`Trainer::step`] until it returns `None`.
///
/// Stepping lets a caller interleave training with other work (the page's
/// worker answers messages between steps) and stop at any merge.
pub struct Trainer {
    pattern: Pattern,
    vocab_size: usize,
    /// Token id at each position (a position is the token's first byte).
    id: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    /// Weight (occurrences in the corpus) of the chunk holding each position.
    weight: Vec<u32>,
    counts: HashMap<Pair, i64, FastBuild>,
    occurrences: HashMap<Pair, Occurrences, FastBuild>,
    heap: BinaryHeap<(i64, Reverse<u32>, Pair)>,
    merges: Vec<Merge>,
    exhausted: bool,
}

impl Trainer {
    /// Splits and counts the corpus. Errors on a bad vocab size or pattern.
    pub fn new(corpus: &[u8], vocab_size: usize, pattern: &Pattern) -> Result<Trainer> {
        if !(MIN_VOCAB_SIZE..=MAX_VOCAB_SIZE).contains(&vocab_size) {
            return Err(Error::VocabSize {
                requested: vocab_size,
                min: MIN_VOCAB_SIZE,
                max: MAX_VOCAB_SIZE,
            });
        }
        if corpus.len() >= NONE as usize {
            return Err(Error::TooLarge {
                what: "training corpus",
                size: corpus.len(),
                limit: NONE as usize - 1,
            });
        }
        // Distinct chunks in order of first appearance, with their counts.
        let splitter = pattern.splitter()?;
        let mut index: HashMap<&[u8], usize, FastBuild> = HashMap::default();
        let mut chunks: Vec<(&[u8], u32)> = Vec::new();
        splitter.for_each_chunk_bytes(corpus, |r| {
            let chunk = &corpus[r];
            match index.get(chunk) {
                Some(&i) => chunks[i].1 = chunks[i].1.saturating_add(1),
                None => {
                    index.insert(chunk, chunks.len());
                    chunks.push((chunk, 1));
                }
            }
        })?;
        drop(index);
        let len: usize = chunks.iter().map(|c| c.0.len()).sum();
        let mut t = Trainer {
            pattern: pattern.clone(),
            vocab_size,
            id: Vec::with_capacity(len),
            next: Vec::with_capacity(len),
            prev: Vec::with_capacity(len),
            weight: Vec::with_capacity(len),
            counts: HashMap::default(),
            occurrences: HashMap::default(),
            heap: BinaryHeap::new(),
            merges: Vec::new(),
            exhausted: false,
        };
        for (chunk, weight) in chunks {
            let start = t.id.len() as u32;
            for (i, &b) in chunk.iter().enumerate() {
                let pos = start + i as u32;
                t.id.push(b as u32);
                t.weight.push(weight);
                t.prev.push(if i == 0 { NONE } else { pos - 1 });
                t.next
                    .push(if i + 1 == chunk.len() { NONE } else { pos + 1 });
                if i > 0 {
                    t.add(pos - 1, (chunk[i - 1] as u32, b as u32), weight);
                }
            }
        }
        let pairs: Vec<Pair> = t.counts.keys().copied().collect();
        for pair in pairs {
            t.push(pair);
        }
        Ok(t)
    }

    /// Merges to make in all: `vocab_size - 256`.
    pub fn total(&self) -> usize {
        self.vocab_size - MIN_VOCAB_SIZE
    }

    /// Merges made so far.
    pub fn done(&self) -> usize {
        self.merges.len()
    }

    /// The merges made so far.
    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// True once all merges are made or the corpus has no pair left.
    pub fn is_finished(&self) -> bool {
        self.exhausted || self.merges.len() >= self.total()
    }

    /// Makes the next merge and returns it, or `None` when finished.
    pub fn step(&mut self) -> Option<Merge> {
        if self.is_finished() {
            return None;
        }
        let Some((count, pair)) = self.pop_best() else {
            self.exhausted = true;
            return None;
        };
        let new_id = (MIN_VOCAB_SIZE + self.merges.len()) as u32;
        self.apply(pair, new_id);
        let merge = Merge {
            pair,
            id: new_id,
            count: count as u64,
        };
        self.merges.push(merge);
        Some(merge)
    }

    /// The result so far.
    pub fn finish(self) -> Trained {
        Trained {
            pattern: self.pattern,
            merges: self.merges,
            requested_vocab_size: self.vocab_size,
        }
    }

    fn is_at(&self, pos: u32, pair: Pair) -> bool {
        let p = pos as usize;
        self.id[p] == pair.0 && self.next[p] != NONE && self.id[self.next[p] as usize] == pair.1
    }

    /// The first position where `pair` still occurs, dropping stale ones.
    fn first_position(&mut self, pair: Pair) -> Option<u32> {
        let mut occ = self.occurrences.remove(&pair)?;
        while occ.head < occ.positions.len() && !self.is_at(occ.positions[occ.head], pair) {
            occ.head += 1;
        }
        let first = occ.positions.get(occ.head).copied();
        self.occurrences.insert(pair, occ);
        first
    }

    fn push(&mut self, pair: Pair) {
        let count = self.counts.get(&pair).copied().unwrap_or(0);
        if count <= 0 {
            self.counts.remove(&pair);
            self.occurrences.remove(&pair);
            return;
        }
        if let Some(first) = self.first_position(pair) {
            self.heap.push((count, Reverse(first), pair));
        }
    }

    /// Pops the pair with the highest count, earliest first occurrence on a tie.
    fn pop_best(&mut self) -> Option<(i64, Pair)> {
        while let Some((count, Reverse(first), pair)) = self.heap.pop() {
            if self.counts.get(&pair) == Some(&count) && self.first_position(pair) == Some(first) {
                return Some((count, pair));
            }
        }
        None
    }

    fn add(&mut self, pos: u32, pair: Pair, weight: u32) {
        *self.counts.entry(pair).or_insert(0) += weight as i64;
        self.occurrences
            .entry(pair)
            .or_default()
            .positions
            .push(pos);
    }

    fn sub(&mut self, pair: Pair, weight: u32, touched: &mut Vec<Pair>) {
        if let Some(c) = self.counts.get_mut(&pair) {
            *c -= weight as i64;
        }
        touched.push(pair);
    }

    /// Replaces every occurrence of `pair`, left to right, by `new_id`.
    fn apply(&mut self, pair: Pair, new_id: u32) {
        let Some(occ) = self.occurrences.remove(&pair) else {
            return;
        };
        let mut touched = Vec::new();
        for &p in &occ.positions[occ.head..] {
            // Occurrences overlapped by an earlier merge (e.g. "aaa") are gone.
            if !self.is_at(p, pair) {
                continue;
            }
            let pu = p as usize;
            let q = self.next[pu];
            let w = self.weight[pu];
            let x = self.prev[pu];
            let y = self.next[q as usize];
            if x != NONE {
                self.sub((self.id[x as usize], pair.0), w, &mut touched);
            }
            if y != NONE {
                self.sub((pair.1, self.id[y as usize]), w, &mut touched);
            }
            self.id[pu] = new_id;
            self.next[pu] = y;
            if y != NONE {
                self.prev[y as usize] = p;
            }
            self.id[q as usize] = NONE;
            if x != NONE {
                let left = (self.id[x as usize], new_id);
                self.add(x, left, w);
                touched.push(left);
            }
            if y != NONE {
                let right = (new_id, self.id[y as usize]);
                self.add(p, right, w);
                touched.push(right);
            }
        }
        self.counts.remove(&pair);
        touched.sort_unstable();
        touched.dedup();
        for t in touched {
            if t != pair {
                self.push(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_size_below_256_is_an_error() {
        let err = train(b"abc", 255, &Pattern::None, |_, _| true).unwrap_err();
        assert_eq!(
            err,
            Error::VocabSize {
                requested: 255,
                min: 256,
                max: MAX_VOCAB_SIZE
            }
        );
    }

    #[test]
    fn stops_when_pairs_run_out() {
        let t = train(b"abab", 300, &Pattern::None, |_, _| true).unwrap();
        // ab -> 256, then (256, 256) -> 257, then nothing is left.
        assert_eq!(t.merges.len(), 2);
        assert_eq!(t.merges[1].pair, (256, 256));
    }

    #[test]
    fn cancel_stops_training() {
        let err = train(b"abcdefgh", 300, &Pattern::None, |done, _| done < 2).unwrap_err();
        assert_eq!(err, Error::Cancelled);
    }

    #[test]
    fn overlapping_pairs_merge_left_to_right() {
        // "aaa" counts (a,a) twice, merges to [aa, a].
        let t = train(b"aaa", 258, &Pattern::None, |_, _| true).unwrap();
        assert_eq!(t.merges[0].pair, (97, 97));
        assert_eq!(t.merges[0].count, 2);
        assert_eq!(t.merges[1].pair, (256, 97));
    }

    #[test]
    fn ties_go_to_the_first_occurrence() {
        // (c,d) and (a,b) both occur twice; (c,d) comes first in the text.
        let t = train(b"cd ab cd ab", 257, &Pattern::Gpt4, |_, _| true).unwrap();
        assert_eq!(t.merges[0].pair, (b'c' as u32, b'd' as u32));
    }
}
