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

/// One distinct pair: its weighted count and the sorted positions where it
/// occurs (entries before `head` are known stale).
struct PairStat {
    pair: Pair,
    count: u64,
    head: usize,
    positions: Vec<u32>,
}

/// Incremental trainer: call [`Trainer::step`] until it returns `None`.
///
/// Stepping lets a caller interleave training with other work (the page's
/// worker answers messages between steps) and stop at any merge.
///
/// Pairs are numbered as they appear and every position knows the number of
/// the pair that starts there (`pair_at`), so a merge updates its neighbours'
/// counts by indexing, without hashing. Only the pairs a merge creates are
/// hashed, in a small map that lives for one merge (each contains the new id,
/// so no later merge can create them again).
pub struct Trainer {
    pattern: Pattern,
    vocab_size: usize,
    /// Token id at each position (a position is the token's first byte).
    id: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    /// Weight (occurrences in the corpus) of the chunk holding each position.
    weight: Vec<u32>,
    /// Number of the pair starting at each position (`NONE`: none).
    pair_at: Vec<u32>,
    stats: Vec<PairStat>,
    /// `(count << 32 | !first position, pair number)`: the max is the pair
    /// with the highest count, the earliest on a tie. Stale entries are
    /// skipped when popped.
    heap: BinaryHeap<(u64, u32)>,
    merges: Vec<Merge>,
    exhausted: bool,
    /// Scratch for [`Trainer::apply`]: pairs made by the current merge (keyed
    /// by side and neighbour id) and pairs whose count changed.
    made: HashMap<u64, u32, FastBuild>,
    touched: Vec<u32>,
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
            pair_at: Vec::with_capacity(len),
            stats: Vec::new(),
            heap: BinaryHeap::new(),
            merges: Vec::with_capacity(vocab_size - MIN_VOCAB_SIZE),
            exhausted: false,
            made: HashMap::default(),
            touched: Vec::new(),
        };
        // Byte pairs are numbered through a dense table instead of a map.
        let mut byte_pair = vec![NONE; 1 << 16];
        for (chunk, weight) in chunks {
            let start = t.id.len() as u32;
            for (i, &b) in chunk.iter().enumerate() {
                let pos = start + i as u32;
                let last = i + 1 == chunk.len();
                t.id.push(b as u32);
                t.weight.push(weight);
                t.prev.push(if i == 0 { NONE } else { pos - 1 });
                t.next.push(if last { NONE } else { pos + 1 });
                t.pair_at.push(NONE);
                if !last {
                    let slot = &mut byte_pair[(b as usize) << 8 | chunk[i + 1] as usize];
                    if *slot == NONE {
                        *slot = t.new_pair((b as u32, chunk[i + 1] as u32));
                    }
                    t.add(pos, *slot, weight);
                }
            }
        }
        let entries: Vec<(u64, u32)> = (0..t.stats.len() as u32)
            .filter_map(|n| t.entry(n))
            .collect();
        t.heap = BinaryHeap::from(entries);
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
        let Some(n) = self.pop_best() else {
            self.exhausted = true;
            return None;
        };
        let new_id = (MIN_VOCAB_SIZE + self.merges.len()) as u32;
        let stat = &self.stats[n as usize];
        let merge = Merge {
            pair: stat.pair,
            id: new_id,
            count: stat.count,
        };
        self.apply(n, new_id);
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

    fn new_pair(&mut self, pair: Pair) -> u32 {
        self.stats.push(PairStat {
            pair,
            count: 0,
            head: 0,
            positions: Vec::new(),
        });
        (self.stats.len() - 1) as u32
    }

    /// The first position where pair `n` still occurs, dropping stale ones.
    fn first_position(&mut self, n: u32) -> Option<u32> {
        let stat = &mut self.stats[n as usize];
        while let Some(&p) = stat.positions.get(stat.head) {
            if self.pair_at[p as usize] == n {
                return Some(p);
            }
            stat.head += 1;
        }
        None
    }

    /// The heap entry of pair `n`, or `None` if it no longer occurs.
    fn entry(&mut self, n: u32) -> Option<(u64, u32)> {
        let count = self.stats[n as usize].count;
        let first = self.first_position(n).filter(|_| count > 0);
        if first.is_none() {
            // Gone for good (every later pair contains a newer id): free it.
            let stat = &mut self.stats[n as usize];
            stat.positions = Vec::new();
            stat.head = 0;
        }
        Some((count << 32 | (NONE - first?) as u64, n))
    }

    /// Pops the pair with the highest count, earliest first occurrence on a tie.
    fn pop_best(&mut self) -> Option<u32> {
        while let Some((key, n)) = self.heap.pop() {
            if self.entry(n) == Some((key, n)) {
                return Some(n);
            }
        }
        None
    }

    fn add(&mut self, pos: u32, n: u32, weight: u32) {
        let stat = &mut self.stats[n as usize];
        stat.count += weight as u64;
        stat.positions.push(pos);
        self.pair_at[pos as usize] = n;
    }

    fn sub(&mut self, n: u32, weight: u32) {
        self.stats[n as usize].count -= weight as u64;
        self.touched.push(n);
    }

    /// The number of the pair `(left, right)` made by the current merge;
    /// `key` tells the side and the neighbour's id apart.
    fn made_pair(&mut self, key: u64, pair: Pair) -> u32 {
        if let Some(&n) = self.made.get(&key) {
            return n;
        }
        let n = self.new_pair(pair);
        self.made.insert(key, n);
        self.touched.push(n);
        n
    }

    /// Replaces every occurrence of pair `n`, left to right, by `new_id`.
    /// O(k) for its k positions, plus a heap push per pair whose count changed.
    fn apply(&mut self, n: u32, new_id: u32) {
        let stat = &mut self.stats[n as usize];
        let positions = std::mem::take(&mut stat.positions);
        let head = stat.head;
        self.made.clear();
        self.touched.clear();
        for &p in &positions[head..] {
            // Occurrences overlapped by an earlier merge (e.g. "aaa") are gone.
            let pu = p as usize;
            if self.pair_at[pu] != n {
                continue;
            }
            let q = self.next[pu];
            let w = self.weight[pu];
            let x = self.prev[pu];
            let y = self.next[q as usize];
            if x != NONE {
                self.sub(self.pair_at[x as usize], w);
            }
            if y != NONE {
                self.sub(self.pair_at[q as usize], w);
            }
            self.id[pu] = new_id;
            self.next[pu] = y;
            self.pair_at[pu] = NONE;
            self.pair_at[q as usize] = NONE;
            self.id[q as usize] = NONE;
            if y != NONE {
                self.prev[y as usize] = p;
            }
            if x != NONE {
                let left = self.id[x as usize];
                let m = self.made_pair(left as u64, (left, new_id));
                self.add(x, m, w);
            }
            if y != NONE {
                let right = self.id[y as usize];
                let m = self.made_pair(1 << 32 | right as u64, (new_id, right));
                self.add(p, m, w);
            }
        }
        // Overlapping occurrences ("aaa") subtracted from it too; it is gone now.
        self.stats[n as usize].count = 0;
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        touched.dedup();
        for &t in &touched {
            if t != n {
                if let Some(e) = self.entry(t) {
                    self.heap.push(e);
                }
            }
        }
        self.touched = touched;
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
