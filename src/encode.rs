//! The merge step: turning one chunk's bytes into token ids.
//!
//! Start with one token per byte; repeatedly merge the adjacent pair with the
//! lowest rank (the leftmost one on a tie) until no adjacent pair can merge.
//! This is tiktoken's `byte_pair_merge` and, for minbpe vocabularies, gives the
//! same result as minbpe's `encode` (which merges every occurrence of the best
//! pair at once: a merge never enables a pair of lower rank, so both orders
//! agree).
//!
//! Which pairs merge is up to a [`MergeRule`]: minbpe and Hugging Face
//! vocabularies merge pairs of ids, tiktoken vocabularies merge any two
//! neighbours whose concatenated bytes are a token.
//!
//! Complexity: short chunks use a flat scan, O(n²) with a tiny constant (the
//! common case: words are short). Longer chunks use a min-heap over a linked
//! list of tokens, O(n log n), so a chunk of a million identical bytes costs
//! about as much as a million bytes of prose.

use crate::vocab::Vocab;
use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

/// Decides whether two adjacent tokens merge.
pub trait MergeRule {
    /// The `(rank, id)` of the token made by merging `left` and `right`,
    /// whose concatenated bytes are `bytes`, or `None` if they do not merge.
    /// Lower ranks merge first.
    fn merge(&self, left: u32, right: u32, bytes: &[u8]) -> Option<(u32, u32)>;
}

/// Chunks up to this many bytes use the flat scan.
const FLAT_LIMIT: usize = 128;

/// Merges `bytes` (one chunk) and appends the token ids to `ids` and each
/// token's start offset (relative to `bytes`) to `starts`.
///
/// `byte_ids[b]` is the id of the single byte `b`.
pub fn merge_chunk<R: MergeRule + ?Sized>(
    bytes: &[u8],
    byte_ids: &[u32; 256],
    rule: &R,
    ids: &mut Vec<u32>,
    starts: &mut Vec<u32>,
) {
    match bytes.len() {
        0 => {}
        1 => {
            ids.push(byte_ids[bytes[0] as usize]);
            starts.push(0);
        }
        n if n <= FLAT_LIMIT => merge_flat(bytes, byte_ids, rule, ids, starts),
        _ => merge_heap(bytes, byte_ids, rule, ids, starts),
    }
}

const NO_RANK: u32 = u32::MAX;

fn merge_flat<R: MergeRule + ?Sized>(
    bytes: &[u8],
    byte_ids: &[u32; 256],
    rule: &R,
    ids: &mut Vec<u32>,
    starts: &mut Vec<u32>,
) {
    let mut parts = Vec::with_capacity(bytes.len());
    merge_scan(bytes, byte_ids, rule, &mut parts, |p| {
        ids.push(p.id);
        starts.push(p.start);
    });
}

/// The pairs waiting to merge in a long chunk, popped by rank, then
/// position (leftmost first).
///
/// Pairs are kept in one position list per rank and the ranks in a small
/// binary heap; a rank's list is sorted once when its turn comes. In a real
/// BPE vocabulary a merge only creates pairs of later rank, so the lists are
/// the whole story and a chunk of a million equal bytes costs a few sorts of
/// nearly sorted lists instead of millions of heap operations. A pair that
/// ranks at or before the rank being processed (possible with an arbitrary
/// rank file) goes to a binary heap that is merged in by key.
struct PairQueue {
    levels: HashMap<u32, Vec<u32>, FastBuild>,
    ranks: BinaryHeap<Reverse<u32>>,
    urgent: BinaryHeap<Reverse<u64>>,
    current: Vec<u32>,
    current_rank: Option<u32>,
    at: usize,
}

impl PairQueue {
    fn new() -> PairQueue {
        PairQueue {
            levels: HashMap::default(),
            ranks: BinaryHeap::new(),
            urgent: BinaryHeap::new(),
            current: Vec::new(),
            current_rank: None,
            at: 0,
        }
    }

    #[inline]
    fn push(&mut self, rank: u32, pos: u32) {
        if self.current_rank.is_some_and(|r| rank <= r) {
            self.urgent.push(Reverse((rank as u64) << 32 | pos as u64));
            return;
        }
        let ranks = &mut self.ranks;
        self.levels
            .entry(rank)
            .or_insert_with(|| {
                ranks.push(Reverse(rank));
                Vec::new()
            })
            .push(pos);
    }

    /// The next `(rank, position)`.
    #[inline]
    fn pop(&mut self) -> Option<(u32, u32)> {
        loop {
            let level = match (self.current_rank, self.current.get(self.at)) {
                (Some(r), Some(&p)) => Some((r as u64) << 32 | p as u64),
                _ => None,
            };
            let urgent = self.urgent.peek().map(|r| r.0);
            let key = match (level, urgent) {
                (Some(a), Some(b)) if b < a => {
                    self.urgent.pop();
                    b
                }
                (Some(a), _) => {
                    self.at += 1;
                    a
                }
                (None, Some(b)) => {
                    self.urgent.pop();
                    b
                }
                (None, None) => {
                    let Reverse(r) = self.ranks.pop()?;
                    let mut list = self.levels.remove(&r).unwrap_or_default();
                    if !list.is_sorted() {
                        list.sort_unstable();
                    }
                    self.current = list;
                    self.current_rank = Some(r);
                    self.at = 0;
                    continue;
                }
            };
            return Some(((key >> 32) as u32, key as u32));
        }
    }
}

/// One token of a long chunk while merging: it starts at its index in the
/// chunk; `next`/`prev` link the live tokens; `rank`/`merged` describe the
/// pair it forms with the next token (`NO_RANK`: none).
#[derive(Clone, Copy)]
struct Node {
    id: u32,
    next: u32,
    prev: u32,
    rank: u32,
    merged: u32,
}

fn merge_heap<R: MergeRule + ?Sized>(
    bytes: &[u8],
    byte_ids: &[u32; 256],
    rule: &R,
    ids: &mut Vec<u32>,
    starts: &mut Vec<u32>,
) {
    let n = bytes.len();
    const NONE: u32 = u32::MAX;
    // Removed tokens get `id == NONE`.
    let mut nodes: Vec<Node> = (0..n)
        .map(|i| Node {
            id: byte_ids[bytes[i] as usize],
            next: if i + 1 < n { i as u32 + 1 } else { NONE },
            prev: if i > 0 { i as u32 - 1 } else { NONE },
            rank: NO_RANK,
            merged: 0,
        })
        .collect();
    // Sets the pair of `left` and its successor; returns its rank.
    let pair = |nodes: &mut [Node], left: usize| -> Option<u32> {
        let right = nodes[left].next;
        nodes[left].rank = NO_RANK;
        if right == NONE {
            return None;
        }
        let end = match nodes[right as usize].next {
            NONE => n,
            j => j as usize,
        };
        let (rank, merged) =
            rule.merge(nodes[left].id, nodes[right as usize].id, &bytes[left..end])?;
        nodes[left].rank = rank;
        nodes[left].merged = merged;
        Some(rank)
    };
    // Pairs pop by rank, then position (the leftmost pair on a tie). A
    // popped pair is current when its token is alive and still has that
    // pair rank; a stale entry with an equal rank describes the same current
    // pair, which is then rightly merged (merging depends on rank and
    // position only).
    let mut queue = PairQueue::new();
    for i in 0..n.saturating_sub(1) {
        if let Some(rank) = pair(&mut nodes, i) {
            queue.push(rank, i as u32);
        }
    }
    while let Some((rank, left)) = queue.pop() {
        let left = left as usize;
        let node = nodes[left];
        if node.id == NONE || node.rank != rank || rank == NO_RANK {
            continue;
        }
        let right = node.next as usize;
        let after = nodes[right].next;
        nodes[left].id = node.merged;
        nodes[left].next = after;
        nodes[right].id = NONE;
        if after != NONE {
            nodes[after as usize].prev = left as u32;
        }
        if let Some(r) = pair(&mut nodes, left) {
            queue.push(r, left as u32);
        }
        if node.prev != NONE {
            if let Some(r) = pair(&mut nodes, node.prev as usize) {
                queue.push(r, node.prev);
            }
        }
    }
    let mut i = 0u32;
    while i != NONE {
        ids.push(nodes[i as usize].id);
        starts.push(i);
        i = nodes[i as usize].next;
    }
}

// ---------------------------------------------------------------------------
// Fast hashing and the rank table.

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The bytes of `b` (at most 8) as a u64 that, together with the length,
/// identifies them: short strings are read with overlapping loads.
#[inline(always)]
fn load_short(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | (hi << 32)
    } else if n > 0 {
        b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16
    } else {
        0
    }
}

/// A fast, non-cryptographic hash of a byte string (multiply–rotate over
/// 8-byte words, a final fold so the high bits depend on every input bit).
/// Not DoS-resistant: the keys are a fixed vocabulary and text chunks.
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut rest = b;
    while rest.len() > 8 {
        let w = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes"));
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
        rest = &rest[8..];
    }
    h = (h.rotate_left(23) ^ load_short(rest)).wrapping_mul(K);
    h ^ (h >> 31)
}

/// A [`std::hash::Hasher`] over [`hash_bytes`] (for maps keyed by pairs or
/// byte slices).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0 = (self.0.rotate_left(23) ^ hash_bytes(bytes)).wrapping_mul(K);
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(23) ^ n as u64).wrapping_mul(K);
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(23) ^ n).wrapping_mul(K);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 31)
    }
}

/// Builds [`FastHasher`]s.
pub type FastBuild = std::hash::BuildHasherDefault<FastHasher>;

/// Byte string → id, for tiktoken rank files: open addressing with linear
/// probing over a power-of-two slot array at most half full.
///
/// A slot is two words: `(hash tag: 24 bits, length: 8 bits, id + 1: 32
/// bits)` and the key's bytes packed by `load_short` when it has at most 8
/// bytes. A lookup of a short key therefore never leaves the slot array;
/// longer keys are compared against the tokens' bytes in the [`Vocab`],
/// which the table shares with the tokenizer.
///
/// Tokens of two, three or four bytes, which make up most lookups while
/// merging, are also kept in small tables of their own (`two`, `short`)
/// that stay in the CPU's L2 cache across calls, where the slot array of a
/// large vocabulary does not.
///
/// Memory: 16 bytes per slot (2 × tokens, rounded up to a power of two), a
/// 256 KB table of the two-byte tokens, 8 bytes per slot of the three- and
/// four-byte ones (at most 70 % full) and the filter: about 5.1 MB for
/// cl100k and 9.4 MB for o200k. The token bytes and their offsets live in
/// the shared [`Vocab`].
#[derive(Debug, Clone, Default)]
pub struct RankTable {
    /// `[meta, packed]` per slot; `meta == 0` is an empty slot.
    slots: Vec<[u64; 2]>,
    /// The tokens' bytes, by id (shared with the tokenizer).
    vocab: Arc<Vocab>,
    /// Ids of the two-byte tokens, indexed by `first << 8 | second`
    /// (`u32::MAX`: none): the first round of every merge looks up only
    /// byte pairs, and this answers them from 256 KB instead of the slots.
    two: Vec<u32>,
    /// The tokens of three and four bytes, open addressing with linear
    /// probing: one word per slot, `key << SHORT_ID_BITS | id + 1` with
    /// `key` from [`short_key`] (0: empty). 512 KB for cl100k and o200k.
    short: Vec<u64>,
    short_shift: u32,
    /// A blocked Bloom filter of the tokens of five bytes or more: three
    /// bits in one word per token (see [`filter_bits`]), a word per eight
    /// such tokens rounded up to a power of two (128 KB for cl100k, 256 KB
    /// for o200k). Most longer pairs asked about while merging are not
    /// tokens; the filter, which stays in cache, turns away all but about 2 %
    /// of those before they reach the slots, which do not.
    filter: Vec<u64>,
    len: usize,
    shift: u32,
}

/// The filter word and the three filter bits of a key's hash (bits the slot
/// index and tag do not use first).
#[inline(always)]
fn filter_bits(h: u64, mask: usize) -> (usize, u64) {
    let word = (h >> 8) as usize & mask;
    let bits = 1u64 << (h >> 26 & 63) | 1u64 << (h >> 32 & 63) | 1u64 << (h >> 38 & 63);
    (word, bits)
}

/// The key of a token of three or four bytes in [`RankTable`]'s `short`
/// table: its bytes (little-endian), plus bit 32 for four bytes.
#[inline(always)]
fn short_key(b: &[u8]) -> u64 {
    match *b {
        [x, y, z] => u32::from_le_bytes([x, y, z, 0]) as u64,
        [x, y, z, w] => u32::from_le_bytes([x, y, z, w]) as u64 | 1 << 32,
        _ => 0,
    }
}

/// Bits of a `short` slot below the key: the id + 1 (ids are below
/// [`MAX_RANK`](crate::formats::tiktoken::MAX_RANK) = 2^24).
const SHORT_ID_BITS: u32 = 25;

/// The meta word of a key: hash tag, length (saturated) and no id.
#[inline(always)]
fn meta_of(h: u64, len: usize) -> u64 {
    (h & 0xFFFF_FF00_0000_0000) | ((len.min(255) as u64) << 32)
}

impl RankTable {
    /// A table of `tokens[id]` (`None` for gaps). Returns the first id whose
    /// bytes repeat an earlier token's, as an error.
    pub fn new(vocab: Arc<Vocab>) -> std::result::Result<RankTable, u32> {
        let tokens = &*vocab;
        // Tokens by length: all, three or four bytes, five or more.
        let (mut count, mut short_count, mut long_count) = (0usize, 0usize, 0usize);
        for b in tokens.iter().flatten() {
            count += 1;
            match b.len() {
                3 | 4 => short_count += 1,
                5.. => long_count += 1,
                _ => {}
            }
        }
        let bits = (count.max(1) * 2)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        // At most 70 % full: 10 slots per 7 keys, rounded up. Ids must fit
        // in `SHORT_ID_BITS` (always true of a parsed rank file); without
        // the table, lookups go to the slots.
        let fits = tokens.len() < 1 << (SHORT_ID_BITS - 1);
        let short_bits = match short_count * 10 / 7 {
            0 => 0,
            n if fits => (n + 1).next_power_of_two().trailing_zeros(),
            _ => 0,
        };
        let mut t = RankTable {
            filter: vec![0; long_count.div_ceil(8).next_power_of_two()],
            slots: vec![[0, 0]; 1 << bits],
            vocab: Arc::clone(&vocab),
            two: vec![u32::MAX; 1 << 16],
            short: if short_bits == 0 {
                Vec::new()
            } else {
                vec![0; 1 << short_bits]
            },
            short_shift: 64 - short_bits,
            len: 0,
            shift: 64 - bits,
        };
        let mask = t.slots.len() - 1;
        for (id, tok) in tokens.iter().enumerate() {
            let Some(b) = tok else { continue };
            // One probe both finds a repeated token and the free slot.
            let h = hash_bytes(b);
            let want = meta_of(h, b.len());
            let mut i = (h >> t.shift) as usize;
            loop {
                let meta = t.slots[i][0];
                if meta == 0 {
                    break;
                }
                let other = meta as u32 - 1;
                if meta & !0xFFFF_FFFF == want && tokens.get(other) == Some(b) {
                    return Err(id as u32);
                }
                i = (i + 1) & mask;
            }
            t.slots[i] = [want | (id as u64 + 1), load_short(b)];
            if let [x, y] = b[..] {
                t.two[(x as usize) << 8 | y as usize] = id as u32;
            }
            if b.len() >= 5 {
                let (w, bits) = filter_bits(h, t.filter.len() - 1);
                t.filter[w] |= bits;
            }
            if matches!(b.len(), 3 | 4) && !t.short.is_empty() {
                // Keys are unique here: the probe above found no equal token.
                let key = short_key(b);
                let mask = t.short.len() - 1;
                let mut i = (key.wrapping_mul(K) >> t.short_shift) as usize;
                while t.short[i] != 0 {
                    i = (i + 1) & mask;
                }
                t.short[i] = key << SHORT_ID_BITS | (id as u64 + 1);
            }
            t.len += 1;
        }
        Ok(t)
    }

    /// The id of the token with these bytes.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        if let [x, y] = key[..] {
            let id = self.two[(x as usize) << 8 | y as usize];
            return (id != u32::MAX).then_some(id);
        }
        self.get_hashed(key, hash_bytes(key))
    }

    /// [`RankTable::get`] of a key whose [`hash_bytes`] is `h`, for callers
    /// that hashed it already.
    #[inline]
    pub fn get_hashed(&self, key: &[u8], h: u64) -> Option<u32> {
        match key.len() {
            2 => {
                let id = self.two[(key[0] as usize) << 8 | key[1] as usize];
                return (id != u32::MAX).then_some(id);
            }
            3 | 4 if !self.short.is_empty() => return self.get_short(short_key(key)),
            n if n >= 5 && !self.filter.is_empty() => {
                let (w, bits) = filter_bits(h, self.filter.len() - 1);
                if self.filter[w] & bits != bits {
                    return None;
                }
            }
            _ => {}
        }
        let want = meta_of(h, key.len());
        let short = key.len() <= 8;
        let packed = if short { load_short(key) } else { 0 };
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let [meta, word] = self.slots[i];
            if meta == 0 {
                return None;
            }
            if meta & !0xFFFF_FFFF == want {
                let id = meta as u32 - 1;
                if short {
                    if word == packed {
                        return Some(id);
                    }
                } else if self.vocab.get(id) == Some(key) {
                    return Some(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of the token of three or four bytes whose [`short_key`] is
    /// `key`, from the `short` table.
    #[inline(always)]
    fn get_short(&self, key: u64) -> Option<u32> {
        let mask = self.short.len() - 1;
        let mut i = (key.wrapping_mul(K) >> self.short_shift) as usize;
        loop {
            let slot = self.short[i];
            if slot == 0 {
                return None;
            }
            if slot >> SHORT_ID_BITS == key {
                return Some((slot & ((1 << SHORT_ID_BITS) - 1)) as u32 - 1);
            }
            i = (i + 1) & mask;
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes used by the table (the shared [`Vocab`] not counted).
    pub fn heap_bytes(&self) -> usize {
        self.slots.len() * 16 + self.two.len() * 4 + self.short.len() * 8 + self.filter.len() * 8
    }
}

/// A [`MergeRule`] over a [`RankTable`] that remembers the pairs it was
/// asked about, for one encode call.
///
/// The rank table of a large vocabulary (4–8 MB of slots) does not fit in the
/// CPU's L2 cache, and text asks about the same few thousand pairs again and
/// again (on `multilingual.txt`, o200k: 52 k lookups of 3+ bytes, 23 k
/// distinct pairs), found or not. This is a direct-mapped cache keyed by the
/// two ids (left, right), so a repeated pair costs one multiply and one load
/// from a table of at most 128 KB, instead of hashing the bytes and probing
/// the big table. A pair of two bytes is answered from the rank table's
/// 256 KB table of two-byte tokens, which needs no cache.
///
/// The two ids determine the bytes of the pair, so a cached answer is the
/// table's answer. O(1) per lookup; memory 16 bytes × slots.
pub struct CachedRanks<'a> {
    table: &'a RankTable,
    /// `(left << 32 | right, rank or NO_RANK)`; `EMPTY` keys are unused.
    slots: Vec<Cell<(u64, u32)>>,
    shift: u32,
}

impl<'a> CachedRanks<'a> {
    const EMPTY: u64 = u64::MAX;
    /// At most 2^13 slots (128 KB): big enough for a long text's distinct
    /// pairs to mostly stay, small enough to stay in L2 next to the rest.
    const MAX_BITS: u32 = 13;

    /// A cache for encoding about `text_len` bytes: from 2^6 slots for a
    /// short text to 2^13, so short calls do not pay for a big table.
    pub fn new(table: &'a RankTable, text_len: usize) -> CachedRanks<'a> {
        let bits = (text_len / 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(6, Self::MAX_BITS);
        CachedRanks {
            table,
            slots: vec![Cell::new((Self::EMPTY, NO_RANK)); 1 << bits],
            shift: 64 - bits,
        }
    }
}

impl MergeRule for CachedRanks<'_> {
    #[inline(always)]
    fn merge(&self, left: u32, right: u32, bytes: &[u8]) -> Option<(u32, u32)> {
        let rank = if bytes.len() == 2 {
            self.table.get(bytes).unwrap_or(NO_RANK)
        } else {
            let key = (left as u64) << 32 | right as u64;
            let slot = &self.slots[(key.wrapping_mul(K) >> self.shift) as usize];
            let (k, rank) = slot.get();
            if k == key {
                rank
            } else {
                let rank = self.table.get(bytes).unwrap_or(NO_RANK);
                slot.set((key, rank));
                rank
            }
        };
        (rank != NO_RANK).then_some((rank, rank))
    }
}

/// The chunks already encoded in one text: chunk bytes → ids.
///
/// Text repeats its words, so most chunks were seen before (on
/// `multilingual.txt`, 53 k chunks of two or more bytes, 10 k distinct). A
/// hit costs one hash and one probe in a table that stays in cache (and,
/// for a chunk of more than 8 bytes, a compare against its first occurrence
/// in the text), instead of a probe in the rank table (megabytes, mostly
/// outside the L2 cache) and a merge. Chunks that are a single token are
/// remembered too.
///
/// Open addressing with linear probing over a power-of-two slot array at most
/// half full; at most [`ChunkCache::MAX_ENTRIES`] chunks of at most
/// [`ChunkCache::MAX_CHUNK`] bytes (later new chunks are not remembered).
/// O(chunk length) per lookup or insert; memory 16 bytes per slot plus the
/// ids of the chunks that are more than one token.
pub struct ChunkCache<'t> {
    text: &'t [u8],
    slots: Vec<CacheSlot>,
    /// The ids of every remembered chunk of two or more tokens, end to end.
    ids: Vec<u32>,
    len: usize,
    shift: u32,
}

/// One chunk in 16 bytes: `tag` is the top 24 bits of its hash and its
/// length (0: an empty slot); `key` is the chunk itself ([`load_short`])
/// when it has at most 8 bytes, else where it first occurs in the text, so
/// that most hits read nothing but the slot. `val` is its one id, or, with
/// [`CacheSlot::MANY`] set, where its ids are in `ChunkCache::ids`: their
/// count, then the ids.
#[derive(Clone, Copy, Default)]
struct CacheSlot {
    tag: u32,
    val: u32,
    key: u64,
}

impl CacheSlot {
    const MANY: u32 = 1 << 31;
}

impl<'t> ChunkCache<'t> {
    /// Longer chunks are neither looked up nor remembered.
    pub const MAX_CHUNK: usize = 128;
    /// At most this many chunks are remembered.
    pub const MAX_ENTRIES: usize = 1 << 16;
    const MIN_BITS: u32 = 8;
    const START_MAX_BITS: u32 = 15;

    /// An empty cache for the chunks of `text`, sized for one slot per 16
    /// bytes of text (between 2^8 and 2^15 slots), so a text with the usual
    /// repetition never has to grow it.
    pub fn new(text: &'t [u8]) -> ChunkCache<'t> {
        let bits = (text.len() / 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(Self::MIN_BITS, Self::START_MAX_BITS);
        ChunkCache {
            text,
            slots: vec![CacheSlot::default(); 1 << bits],
            ids: Vec::new(),
            len: 0,
            shift: 64 - bits,
        }
    }

    #[inline(always)]
    fn tag(h: u64, len: usize) -> u32 {
        (h >> 32) as u32 & 0xFFFF_FF00 | len as u32
    }

    /// Appends the ids of the chunk `text[range]` (2 to [`Self::MAX_CHUNK`]
    /// bytes) to `out` from the cache and returns true, or returns false and
    /// leaves the slot to fill in `at` (`None`: the cache is full).
    /// `h` is [`hash_bytes`] of the chunk.
    #[inline]
    pub fn lookup(
        &self,
        range: std::ops::Range<usize>,
        h: u64,
        out: &mut Vec<u32>,
    ) -> Result<(), Option<usize>> {
        let chunk = &self.text[range];
        let len = chunk.len();
        let want = Self::tag(h, len);
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let s = self.slots[i];
            if s.tag == 0 {
                return Err((self.len < Self::MAX_ENTRIES).then_some(i));
            }
            if s.tag == want {
                let same = if len <= 8 {
                    s.key == load_short(chunk)
                } else {
                    &self.text[s.key as usize..][..len] == chunk
                };
                if same {
                    if s.val & CacheSlot::MANY == 0 {
                        out.push(s.val);
                    } else {
                        let at = (s.val & !CacheSlot::MANY) as usize;
                        let n = self.ids[at] as usize;
                        let ids = &self.ids[at + 1..][..n];
                        // Short copies by hand: a call to memcpy costs more
                        // than a few ids, and branches on the size.
                        if n <= 8 {
                            for &id in ids {
                                out.push(id);
                            }
                        } else {
                            out.extend_from_slice(ids);
                        }
                    }
                    return Ok(());
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Remembers that the chunk `text[range]`, with hash `h`, is `made`, in
    /// the free slot `at` that [`ChunkCache::lookup`] returned.
    #[inline]
    pub fn insert(&mut self, at: usize, range: std::ops::Range<usize>, h: u64, made: &[u32]) {
        let val = match made {
            [id] if id & CacheSlot::MANY == 0 => *id,
            _ => {
                // (At most MAX_ENTRIES chunks of at most MAX_CHUNK ids each,
                // with their counts: far below 2^31.)
                let at = self.ids.len() as u32;
                self.ids.push(made.len() as u32);
                self.ids.extend_from_slice(made);
                CacheSlot::MANY | at
            }
        };
        self.slots[at] = CacheSlot {
            tag: Self::tag(h, range.len()),
            val,
            key: if range.len() <= 8 {
                load_short(&self.text[range])
            } else {
                range.start as u64
            },
        };
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
    }

    /// Doubles the slot array, moving every chunk. O(entries). A slot's
    /// place is the top bits of its hash, which its tag keeps (at most 2^17
    /// slots: 17 of the tag's 24 bits).
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![CacheSlot::default(); size]);
        self.shift -= 1;
        let mask = size - 1;
        for s in old.into_iter().filter(|s| s.tag != 0) {
            let h = ((s.tag & 0xFFFF_FF00) as u64) << 32;
            let mut i = (h >> self.shift) as usize;
            while self.slots[i].tag != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

/// One token while merging a short chunk: where it starts, its id, and the
/// `(rank, id)` of merging it with the token after it.
#[derive(Clone, Copy)]
pub struct Slot {
    /// Offset of the token's first byte in the chunk.
    pub start: u32,
    /// The token's id.
    pub id: u32,
    rank: u32,
    merged: u32,
}

/// Like [`merge_chunk`] without spans, reusing `scratch` between calls so a
/// short chunk allocates nothing.
#[inline]
pub fn merge_chunk_ids<R: MergeRule + ?Sized>(
    bytes: &[u8],
    byte_ids: &[u32; 256],
    rule: &R,
    ids: &mut Vec<u32>,
    scratch: &mut Vec<Slot>,
) {
    match bytes.len() {
        0 => {}
        1 => ids.push(byte_ids[bytes[0] as usize]),
        n if n <= FLAT_LIMIT => merge_scan(bytes, byte_ids, rule, scratch, |s| ids.push(s.id)),
        _ => {
            let mut starts = Vec::new();
            merge_heap(bytes, byte_ids, rule, ids, &mut starts)
        }
    }
}

/// The flat merge over a reusable buffer; `emit` receives the final tokens.
#[inline]
pub fn merge_scan<R: MergeRule + ?Sized>(
    bytes: &[u8],
    byte_ids: &[u32; 256],
    rule: &R,
    parts: &mut Vec<Slot>,
    mut emit: impl FnMut(&Slot),
) {
    let n = bytes.len();
    parts.clear();
    if n == 0 {
        return;
    }
    parts.extend(bytes.iter().enumerate().map(|(i, &b)| Slot {
        start: i as u32,
        id: byte_ids[b as usize],
        rank: NO_RANK,
        merged: 0,
    }));
    #[inline(always)]
    fn pair<R: MergeRule + ?Sized>(bytes: &[u8], rule: &R, parts: &mut [Slot], i: usize) {
        let end = parts.get(i + 2).map_or(bytes.len(), |p| p.start as usize);
        let (rank, merged) = rule
            .merge(
                parts[i].id,
                parts[i + 1].id,
                &bytes[parts[i].start as usize..end],
            )
            .unwrap_or((NO_RANK, 0));
        parts[i].rank = rank;
        parts[i].merged = merged;
    }
    for i in 0..n - 1 {
        pair(bytes, rule, parts, i);
    }
    loop {
        let mut best = (NO_RANK, 0usize);
        for (i, p) in parts[..parts.len() - 1].iter().enumerate() {
            if p.rank < best.0 {
                best = (p.rank, i);
            }
        }
        if best.0 == NO_RANK {
            break;
        }
        let i = best.1;
        parts[i].id = parts[i].merged;
        parts.remove(i + 1);
        let last = parts.len() - 1;
        if i < last {
            pair(bytes, rule, parts, i);
        } else {
            parts[i].rank = NO_RANK;
        }
        if i > 0 {
            pair(bytes, rule, parts, i - 1);
        }
    }
    for p in parts.iter() {
        emit(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Pairs(HashMap<(u32, u32), u32>);
    impl MergeRule for Pairs {
        fn merge(&self, l: u32, r: u32, _: &[u8]) -> Option<(u32, u32)> {
            self.0.get(&(l, r)).map(|&id| (id, id))
        }
    }

    /// Every chunk the cache took is found again, with its ids, after the
    /// slot array grew (it doubles at half full): short chunks (kept in the
    /// slot) and long ones (kept as an offset), of one id and of several.
    #[test]
    fn chunk_cache_finds_what_it_took_after_growing() {
        let words: Vec<String> = (0..3000)
            .map(|i| format!("w{i}{}", "x".repeat(i % 20)))
            .collect();
        let text = words.join(" ");
        let mut cache = ChunkCache::new(text.as_bytes());
        let initial = cache.slots.len();
        let mut spans = Vec::new();
        let mut at = 0;
        for (i, w) in words.iter().enumerate() {
            let r = at..at + w.len();
            at += w.len() + 1;
            let ids: Vec<u32> = (0..(i % 4 + 1) as u32).map(|k| i as u32 * 10 + k).collect();
            let h = hash_bytes(&text.as_bytes()[r.clone()]);
            let free = cache
                .lookup(r.clone(), h, &mut Vec::new())
                .expect_err("not seen yet");
            cache.insert(free.expect("room"), r.clone(), h, &ids);
            spans.push((r, ids));
        }
        assert!(
            cache.slots.len() >= 2 * initial,
            "{} slots from {initial}",
            cache.slots.len()
        );
        for (r, ids) in spans {
            let mut out = Vec::new();
            let h = hash_bytes(&text.as_bytes()[r.clone()]);
            assert!(
                cache.lookup(r.clone(), h, &mut out).is_ok(),
                "{:?} lost",
                &text[r]
            );
            assert_eq!(out, ids);
        }
    }

    fn identity() -> [u32; 256] {
        std::array::from_fn(|i| i as u32)
    }

    fn run(bytes: &[u8], rule: &Pairs, flat: bool) -> (Vec<u32>, Vec<u32>) {
        let (mut ids, mut starts) = (vec![], vec![]);
        if flat {
            merge_flat(bytes, &identity(), rule, &mut ids, &mut starts);
        } else {
            merge_heap(bytes, &identity(), rule, &mut ids, &mut starts);
        }
        (ids, starts)
    }

    #[test]
    fn flat_and_heap_agree() {
        // a=97 b=98: aa -> 256, ab -> 257, 256 a -> 258, 257 256 -> 259
        let rule = Pairs(HashMap::from([
            ((97, 97), 256),
            ((97, 98), 257),
            ((256, 97), 258),
            ((257, 256), 259),
        ]));
        for text in [
            "aaa",
            "aaaa",
            "abaab",
            "aaaaab",
            "babababaaaab",
            "abaaaaaaaaa",
        ] {
            assert_eq!(
                run(text.as_bytes(), &rule, true),
                run(text.as_bytes(), &rule, false),
                "{text}"
            );
        }
        assert_eq!(run(b"aaa", &rule, false).0, vec![258]);
        assert_eq!(run(b"abaa", &rule, false), (vec![259], vec![0]));
    }

    #[test]
    fn lower_ranks_made_by_a_merge_still_go_first() {
        // An arbitrary rank file may rank a pair made by a merge before that
        // merge: (aa, b) ranks 1, but aa itself ranks 5.
        struct Ranked(HashMap<(u32, u32), (u32, u32)>);
        impl MergeRule for Ranked {
            fn merge(&self, l: u32, r: u32, _: &[u8]) -> Option<(u32, u32)> {
                self.0.get(&(l, r)).copied()
            }
        }
        let rule = Ranked(HashMap::from([
            ((97, 97), (5, 256)),
            ((256, 98), (1, 257)),
            ((98, 97), (3, 258)),
            ((257, 258), (2, 259)),
        ]));
        for text in ["aab", "aabaab", "baabaa", "aaaabbaab", "abababaabaabaaab"] {
            let long = text.repeat(40);
            for t in [text.to_string(), long] {
                let (mut a, mut sa) = (vec![], vec![]);
                merge_flat(t.as_bytes(), &identity(), &rule, &mut a, &mut sa);
                let (mut b, mut sb) = (vec![], vec![]);
                merge_heap(t.as_bytes(), &identity(), &rule, &mut b, &mut sb);
                assert_eq!((a, sa), (b, sb), "{t}");
            }
        }
    }

    #[test]
    fn rank_table_agrees_with_a_map() {
        // Tokens of every length class (two-byte table, short table, slots
        // with and without the filter), and keys that are not tokens.
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut tokens: Vec<Option<Box<[u8]>>> =
            (0..=255u8).map(|b| Some(Box::from([b]))).collect();
        let mut map = HashMap::new();
        for _ in 0..20_000 {
            let len = 2 + (next() % 14) as usize;
            // A small alphabet so that many keys share prefixes.
            let t: Vec<u8> = (0..len)
                .map(|_| b"ab\xc3\xa9\xe4\xb8"[next() as usize % 6])
                .collect();
            if map.contains_key(&t) || t.len() == 1 {
                continue;
            }
            map.insert(t.clone(), tokens.len() as u32);
            tokens.push(Some(t.into()));
            if next() % 7 == 0 {
                tokens.push(None); // a gap in the ids
            }
        }
        let table = RankTable::new(Arc::new(Vocab::from_slots(&tokens).unwrap())).unwrap();
        for (id, t) in tokens.iter().enumerate() {
            if let Some(t) = t {
                assert_eq!(table.get(t), Some(id as u32), "{t:?}");
                assert_eq!(table.get_hashed(t, hash_bytes(t)), Some(id as u32));
            }
        }
        for _ in 0..100_000 {
            let len = 2 + (next() % 14) as usize;
            let k: Vec<u8> = (0..len)
                .map(|_| b"ab\xc3\xa9\xe4\xb8"[next() as usize % 6])
                .collect();
            assert_eq!(table.get(&k), map.get(&k).copied(), "{k:?}");
        }
        let dup = vec![Some(Box::from(&b"abc"[..])), Some(Box::from(&b"abc"[..]))];
        assert_eq!(
            RankTable::new(Arc::new(Vocab::from_slots(&dup).unwrap())).unwrap_err(),
            1
        );
    }

    #[test]
    fn long_runs_merge_fully() {
        let rule = Pairs(HashMap::from([((97, 97), 256), ((256, 256), 257)]));
        let text = vec![b'a'; 100_001];
        let (ids, starts) = run(&text, &rule, false);
        assert_eq!(ids.len(), 25_001);
        assert_eq!(ids[..25_000], vec![257; 25_000][..]);
        assert_eq!(ids[25_000], 97);
        assert_eq!(starts[1], 4);
    }
}
