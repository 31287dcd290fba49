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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Decides whether two adjacent tokens merge.
pub trait MergeRule {
    /// The `(rank, id)` of the token made by merging `left` and `right`,
    /// whose concatenated bytes are `bytes`, or `None` if they do not merge.
    /// Lower ranks merge first.
    fn merge(&self, left: u32, right: u32, bytes: &[u8]) -> Option<(u32, u32)>;
}

/// Chunks up to this many bytes use the flat scan.
const FLAT_LIMIT: usize = 64;

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

/// One token during merging: its start in the chunk and its id.
#[derive(Clone, Copy)]
struct Part {
    start: u32,
    id: u32,
}

const NO_RANK: u32 = u32::MAX;

fn merge_flat<R: MergeRule + ?Sized>(
    bytes: &[u8],
    byte_ids: &[u32; 256],
    rule: &R,
    ids: &mut Vec<u32>,
    starts: &mut Vec<u32>,
) {
    let mut parts: Vec<Part> = (0..bytes.len())
        .map(|i| Part {
            start: i as u32,
            id: byte_ids[bytes[i] as usize],
        })
        .collect();
    // ranks[i]: (rank, id) of merging parts[i] and parts[i + 1].
    let pair = |parts: &[Part], i: usize| -> (u32, u32) {
        let end = parts.get(i + 2).map_or(bytes.len(), |p| p.start as usize);
        rule.merge(
            parts[i].id,
            parts[i + 1].id,
            &bytes[parts[i].start as usize..end],
        )
        .unwrap_or((NO_RANK, 0))
    };
    let mut ranks: Vec<(u32, u32)> = (0..parts.len() - 1).map(|i| pair(&parts, i)).collect();
    loop {
        let mut best = (NO_RANK, 0usize);
        for (i, &(rank, _)) in ranks.iter().enumerate() {
            if rank < best.0 {
                best = (rank, i);
            }
        }
        if best.0 == NO_RANK {
            break;
        }
        let i = best.1;
        parts[i].id = ranks[i].1;
        parts.remove(i + 1);
        ranks.remove(i);
        if i < ranks.len() {
            ranks[i] = pair(&parts, i);
        }
        if i > 0 {
            ranks[i - 1] = pair(&parts, i - 1);
        }
    }
    for p in parts {
        ids.push(p.id);
        starts.push(p.start);
    }
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
    // Tokens live at the index of their first byte; `next`/`prev` link the
    // live ones, `id[i]` is the id of the token starting at byte i.
    let mut id: Vec<u32> = bytes.iter().map(|&b| byte_ids[b as usize]).collect();
    let mut next: Vec<u32> = (1..=n as u32).collect();
    next[n - 1] = NONE;
    let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
    prev[0] = NONE;
    let mut alive = vec![true; n];
    let end_of = |next: &[u32], i: usize| -> usize {
        match next[i] {
            NONE => n,
            j => j as usize,
        }
    };
    // Heap entries: (rank, left start, left id, right id, merged id); the
    // smallest rank pops first, the leftmost on a tie.
    let mut heap: BinaryHeap<Reverse<(u32, u32, u32, u32, u32)>> = BinaryHeap::new();
    let push = |heap: &mut BinaryHeap<_>, id: &[u32], next: &[u32], left: usize| {
        let right = next[left];
        if right == NONE {
            return;
        }
        let right = right as usize;
        let end = end_of(next, right);
        if let Some((rank, merged)) = rule.merge(id[left], id[right], &bytes[left..end]) {
            heap.push(Reverse((rank, left as u32, id[left], id[right], merged)));
        }
    };
    for i in 0..n - 1 {
        push(&mut heap, &id, &next, i);
    }
    while let Some(Reverse((_, left, left_id, right_id, merged))) = heap.pop() {
        let left = left as usize;
        // Skip stale entries: the pair must still be exactly these two tokens.
        if !alive[left] || id[left] != left_id || next[left] == NONE {
            continue;
        }
        let right = next[left] as usize;
        if id[right] != right_id {
            continue;
        }
        id[left] = merged;
        alive[right] = false;
        next[left] = next[right];
        if next[right] != NONE {
            prev[next[right] as usize] = left as u32;
        }
        if prev[left] != NONE {
            push(&mut heap, &id, &next, prev[left] as usize);
        }
        push(&mut heap, &id, &next, left);
    }
    let mut i = 0u32;
    while i != NONE {
        ids.push(id[i as usize]);
        starts.push(i);
        i = next[i as usize];
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
