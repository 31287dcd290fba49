//! The tokenizer: vocabulary, merge rule, split pattern and special tokens,
//! with encode, decode and per-token introspection.
//!
//! ```
//! use bpe_playground::{train, AllowedSpecial, Pattern, Tokenizer};
//! let corpus = "the cat sat on the mat with the hat";
//! let trained = train(corpus.as_bytes(), 270, &Pattern::Gpt4, |_, _| true).unwrap();
//! let tok = Tokenizer::from_trained("toy", &trained, vec![]).unwrap();
//! let enc = tok.encode("the hat", &AllowedSpecial::None).unwrap();
//! assert_eq!(tok.decode(&enc.ids).unwrap(), "the hat");
//! assert_eq!(enc.ends.last(), Some(&7)); // byte spans cover the input
//! ```

use crate::encode::{
    hash_bytes, merge_chunk, merge_chunk_ids, merge_scan, CachedRanks, ChunkCache, FastBuild,
    MergeRule, RankTable, Slot,
};
use crate::error::{Error, Result};
use crate::formats::tiktoken::{RankFile, MAX_RANK};
use crate::pretokenize::{Pattern, Splitter};
use crate::train::{Trained, MIN_VOCAB_SIZE};
use crate::vocab::Vocab;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The longest text `encode` accepts, in bytes: token spans are `u32`
/// offsets (4 GiB − 1).
pub const MAX_TEXT_LEN: usize = u32::MAX as usize;

/// Which special tokens `encode` recognises (minbpe's and tiktoken's choices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedSpecial {
    /// Every registered special token.
    All,
    /// None: special-token text is encoded as ordinary text.
    None,
    /// None, and special-token text in the input is an error.
    NoneRaise,
    /// Only these; any other registered special token in the text is an error.
    Set(HashSet<String>),
}

impl AllowedSpecial {
    /// Parses `all`, `none` or `none_raise`.
    pub fn parse(s: &str) -> Result<AllowedSpecial> {
        match s {
            "all" => Ok(AllowedSpecial::All),
            "none" => Ok(AllowedSpecial::None),
            "none_raise" => Ok(AllowedSpecial::NoneRaise),
            other => Err(Error::InvalidSpecial(format!(
                "allowed special must be all, none or none_raise, not {other:?}"
            ))),
        }
    }
}

/// The result of encoding: ids and each token's byte span in the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoding {
    pub ids: Vec<u32>,
    /// Byte offset where each token starts in the input.
    pub starts: Vec<u32>,
    /// Byte offset where each token ends (exclusive).
    pub ends: Vec<u32>,
}

/// Everything a page needs to explain one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: u32,
    pub bytes: Vec<u8>,
    /// Merge priority: lower merges first. `None` for special tokens.
    pub rank: Option<u32>,
    /// The two tokens this one was merged from; `None` for bytes and specials.
    pub parents: Option<(u32, u32)>,
    pub special: bool,
}

type Pair = (u32, u32);

/// How adjacent tokens merge.
#[derive(Debug, Clone)]
pub(crate) enum Model {
    /// Explicit merges (minbpe, Hugging Face): pair → (rank, merged id), and
    /// the merges in rank order.
    Merges {
        pairs: HashMap<Pair, (u32, u32)>,
        order: Vec<(Pair, u32)>,
        /// Corpus count of each merge when it was learned (trained vocabularies).
        counts: Option<Vec<u64>>,
    },
    /// Byte strings with ranks (tiktoken): two neighbours merge when their
    /// concatenation is a token; the rank is the id.
    Ranks { ranks: RankTable },
}

impl MergeRule for Model {
    #[inline]
    fn merge(&self, left: u32, right: u32, bytes: &[u8]) -> Option<(u32, u32)> {
        match self {
            Model::Merges { pairs, .. } => pairs.get(&(left, right)).copied(),
            Model::Ranks { ranks } => ranks.get(bytes).map(|r| (r, r)),
        }
    }
}

/// Explicit merges keyed by `(left << 32) | right`, with a fast hasher.
type PairIndex = HashMap<u64, (u32, u32), FastBuild>;

/// The merge rule of a rank file: the concatenation must be a token.
struct RankRule<'a>(&'a RankTable);
impl MergeRule for RankRule<'_> {
    #[inline(always)]
    fn merge(&self, _: u32, _: u32, bytes: &[u8]) -> Option<(u32, u32)> {
        self.0.get(bytes).map(|r| (r, r))
    }
}

/// The merge rule of explicit merges, over the fast pair index.
struct PairRule<'a>(&'a PairIndex);
impl MergeRule for PairRule<'_> {
    #[inline(always)]
    fn merge(&self, left: u32, right: u32, _: &[u8]) -> Option<(u32, u32)> {
        self.0.get(&((left as u64) << 32 | right as u64)).copied()
    }
}

/// Chunks up to this many bytes are remembered by the per-call chunk cache.
const CACHE_CHUNK_LIMIT: usize = 128;

/// A rule that only allows merges ranked below `limit`.
struct Limited<'a, R: ?Sized>(&'a R, u32);
impl<R: MergeRule + ?Sized> MergeRule for Limited<'_, R> {
    fn merge(&self, left: u32, right: u32, bytes: &[u8]) -> Option<(u32, u32)> {
        self.0
            .merge(left, right, bytes)
            .filter(|&(rank, _)| rank < self.1)
    }
}

/// A byte-level BPE tokenizer.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    name: String,
    splitter: Splitter,
    /// Bytes of every ordinary token, indexed by id (gaps have none); a
    /// rank table shares it.
    vocab: Arc<Vocab>,
    byte_ids: [u32; 256],
    model: Model,
    /// Special tokens in registration order.
    special: Vec<(String, u32)>,
    special_ids: HashMap<u32, usize>,
    /// Chunks emitted whole as one id without merging (Hugging Face's
    /// `ignore_merges`); consulted only when no rank limit is given.
    pub(crate) whole_chunks: Option<HashMap<Box<[u8]>, u32>>,
    /// The explicit merges again, keyed for speed (empty for rank files).
    pair_index: PairIndex,
}

impl Tokenizer {
    /// A tokenizer from minbpe-style merges: merge `i` makes id `256 + i`.
    pub fn from_merges(
        name: &str,
        pattern: &Pattern,
        merges: &[Pair],
        special: Vec<(String, u32)>,
    ) -> Result<Tokenizer> {
        let mut vocab = Vocab::with_capacity(MIN_VOCAB_SIZE + merges.len(), 0);
        for b in 0..=255u8 {
            vocab.push(Some(&[b]))?;
        }
        let mut pairs = HashMap::with_capacity(merges.len());
        let mut order = Vec::with_capacity(merges.len());
        for (i, &(a, b)) in merges.iter().enumerate() {
            let id = (MIN_VOCAB_SIZE + i) as u32;
            if vocab.get(a).is_none() || vocab.get(b).is_none() {
                return Err(Error::Format {
                    format: "merges",
                    message: format!("merge {i} ({a} {b}) uses an id that does not exist yet"),
                });
            }
            vocab.push_concat(a, b)?;
            pairs.insert((a, b), (id, id));
            order.push(((a, b), id));
        }
        let model = Model::Merges {
            pairs,
            order,
            counts: None,
        };
        Tokenizer::assemble(
            name,
            pattern,
            Arc::new(vocab),
            std::array::from_fn(|i| i as u32),
            model,
            special,
        )
    }

    /// A tokenizer from a training result.
    pub fn from_trained(
        name: &str,
        trained: &Trained,
        special: Vec<(String, u32)>,
    ) -> Result<Tokenizer> {
        let pairs: Vec<Pair> = trained.merges.iter().map(|m| m.pair).collect();
        let mut tok = Tokenizer::from_merges(name, &trained.pattern, &pairs, special)?;
        if let Model::Merges { counts, .. } = &mut tok.model {
            *counts = Some(trained.merges.iter().map(|m| m.count).collect());
        }
        Ok(tok)
    }

    /// A tokenizer from tiktoken-style ranks: every byte string with its rank,
    /// which is also its id. All 256 single bytes must be present.
    pub fn from_ranks(
        name: &str,
        pattern: &Pattern,
        ranks: Vec<(Vec<u8>, u32)>,
        special: Vec<(String, u32)>,
    ) -> Result<Tokenizer> {
        let mut file = RankFile::default();
        for (bytes, rank) in ranks {
            file.tokens.push(Some(&bytes))?;
            file.ranks.push(rank);
        }
        Tokenizer::from_rank_file(name, pattern, file, special)
    }

    /// [`Tokenizer::from_ranks`] from a parsed rank file. O(tokens + bytes).
    pub fn from_rank_file(
        name: &str,
        pattern: &Pattern,
        file: RankFile,
        special: Vec<(String, u32)>,
    ) -> Result<Tokenizer> {
        let bad = |message: String| Error::Format {
            format: "tiktoken",
            message,
        };
        // One pass: the largest rank, whether line i has rank i, the
        // single-byte tokens, and no empty token.
        let (mut max, mut in_order) = (0, true);
        let mut byte_ids = [u32::MAX; 256];
        for (i, (bytes, rank)) in file.iter().enumerate() {
            max = max.max(rank as usize + 1);
            in_order &= rank as usize == i;
            match bytes {
                [] => return Err(bad(format!("rank {rank} has an empty token"))),
                [b] => byte_ids[*b as usize] = rank,
                _ => {}
            }
        }
        // Ids index a dense table: refuse ranks that would allocate gigabytes.
        if max > MAX_RANK as usize {
            return Err(bad(format!(
                "rank {} is too large (ranks must be below {MAX_RANK})",
                max - 1
            )));
        }
        let vocab = if in_order {
            // Line i has rank i (every OpenAI file): the file's tokens are
            // the vocabulary already.
            let mut tokens = file.tokens;
            tokens.shrink_to_fit();
            tokens
        } else {
            // Each rank's token, borrowed from the file, then copied into
            // the vocabulary in id order.
            let mut slots: Vec<Option<&[u8]>> = vec![None; max];
            for (bytes, rank) in file.iter() {
                if slots[rank as usize].replace(bytes).is_some() {
                    return Err(bad(format!("rank {rank} appears twice")));
                }
            }
            let mut vocab = Vocab::with_capacity(max, file.tokens.byte_len());
            for slot in slots {
                vocab.push(slot)?;
            }
            vocab
        };
        if let Some(b) = byte_ids.iter().position(|&r| r == u32::MAX) {
            return Err(bad(format!(
                "byte 0x{b:02X} has no token, so some text could not be encoded"
            )));
        }
        let vocab = Arc::new(vocab);
        let table = RankTable::new(Arc::clone(&vocab))
            .map_err(|rank| bad(format!("the token of rank {rank} appears twice")))?;
        let model = Model::Ranks { ranks: table };
        Tokenizer::assemble(name, pattern, vocab, byte_ids, model, special)
    }

    pub(crate) fn assemble(
        name: &str,
        pattern: &Pattern,
        vocab: Arc<Vocab>,
        byte_ids: [u32; 256],
        model: Model,
        special: Vec<(String, u32)>,
    ) -> Result<Tokenizer> {
        let mut special_ids = HashMap::new();
        let mut seen = HashSet::new();
        for (i, (text, id)) in special.iter().enumerate() {
            if text.is_empty() {
                return Err(Error::InvalidSpecial(
                    "a special token cannot be empty".into(),
                ));
            }
            if !seen.insert(text.as_str()) {
                return Err(Error::InvalidSpecial(format!("{text:?} is given twice")));
            }
            if vocab.get(*id).is_some() {
                return Err(Error::InvalidSpecial(format!(
                    "{text:?} has id {id}, which is already an ordinary token"
                )));
            }
            if special_ids.insert(*id, i).is_some() {
                return Err(Error::InvalidSpecial(format!("id {id} is used twice")));
            }
        }
        let pair_index = match &model {
            Model::Merges { pairs, .. } => pairs
                .iter()
                .map(|(&(a, b), &v)| ((a as u64) << 32 | b as u64, v))
                .collect(),
            Model::Ranks { .. } => PairIndex::default(),
        };
        Ok(Tokenizer {
            pair_index,
            name: name.to_string(),
            splitter: pattern.splitter()?,
            vocab,
            byte_ids,
            model,
            special,
            special_ids,
            whole_chunks: None,
        })
    }

    /// The tokenizer's name (e.g. `cl100k_base`, or a toy vocabulary's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the tokenizer.
    pub fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }

    /// The split pattern.
    pub fn pattern(&self) -> &Pattern {
        self.splitter.pattern()
    }

    /// The compiled split pattern (for showing chunks).
    pub fn splitter(&self) -> &Splitter {
        &self.splitter
    }

    /// Special tokens in registration order.
    pub fn special_tokens(&self) -> &[(String, u32)] {
        &self.special
    }

    /// One more than the largest id, special tokens included.
    pub fn vocab_size(&self) -> usize {
        let special_max = self.special.iter().map(|s| s.1 as usize + 1).max();
        self.vocab.len().max(special_max.unwrap_or(0))
    }

    /// Number of ordinary tokens (bytes and merges).
    pub fn ordinary_count(&self) -> usize {
        self.vocab.iter().flatten().count()
    }

    /// True if this tokenizer was built from explicit merges (minbpe, HF).
    pub fn has_explicit_merges(&self) -> bool {
        matches!(self.model, Model::Merges { .. })
    }

    /// The bytes of an ordinary or special token.
    pub fn token_bytes(&self, id: u32) -> Result<&[u8]> {
        if let Some(b) = self.vocab.get(id) {
            return Ok(b);
        }
        match self.special_ids.get(&id) {
            Some(&i) => Ok(self.special[i].0.as_bytes()),
            None => Err(Error::UnknownId(id)),
        }
    }

    /// True if `id` is a special token.
    pub fn is_special(&self, id: u32) -> bool {
        self.special_ids.contains_key(&id)
    }

    /// Encodes `text`; special tokens are recognised as `allowed` says.
    pub fn encode(&self, text: &str, allowed: &AllowedSpecial) -> Result<Encoding> {
        self.encode_limited(text, allowed, None)
    }

    /// Encodes `text` ignoring special tokens (all text is ordinary).
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<u32>> {
        Ok(self.encode(text, &AllowedSpecial::None)?.ids)
    }

    /// Encodes `text` as ordinary text (special tokens are not recognised),
    /// returning only the ids: the span-free fast path used by the CLI and the
    /// benchmarks. Same ids as `encode(text, &AllowedSpecial::None)`; fails
    /// only where that fails (a custom pattern that gives up).
    pub fn encode_ordinary_ids(&self, text: &str) -> Result<Vec<u32>> {
        match &self.model {
            Model::Ranks { ranks } => self.ids_with(text, &CachedRanks::new(ranks, text.len())),
            Model::Merges { .. } => self.ids_with(text, &PairRule(&self.pair_index)),
        }
    }

    fn ids_with<R: MergeRule>(&self, text: &str, rule: &R) -> Result<Vec<u32>> {
        // Room for one id per two bytes: more than prose and most other text
        // needs (cl100k on multilingual.txt: 2.9 bytes per id), so the ids are
        // not copied by a reallocation; capacity never touched costs no memory.
        let mut ids = Vec::with_capacity(text.len() / 2 + 16);
        let mut scratch: Vec<Slot> = Vec::with_capacity(ChunkCache::MAX_CHUNK);
        let bytes = text.as_bytes();
        let mut cache = ChunkCache::new(bytes);
        let ranks = match &self.model {
            Model::Ranks { ranks } if self.whole_chunks.is_none() => Some(ranks),
            _ => None,
        };
        self.splitter.for_each_chunk(text, |r| {
            let chunk = &bytes[r.clone()];
            if chunk.len() <= 2 || chunk.len() > ChunkCache::MAX_CHUNK {
                if let [b] = chunk[..] {
                    ids.push(self.byte_ids[b as usize]);
                } else if let Some(id) = self.whole_chunk(chunk) {
                    ids.push(id);
                } else {
                    merge_chunk_ids(chunk, &self.byte_ids, rule, &mut ids, &mut scratch);
                }
                return;
            }
            // The cache first: most chunks were seen before, and it stays in
            // cache where the rank table does not.
            let h = hash_bytes(chunk);
            let Err(free) = cache.lookup(r.clone(), h, &mut ids) else {
                return;
            };
            let before = ids.len();
            let whole = match ranks {
                Some(ranks) => ranks.get_hashed(chunk, h),
                None => self.whole_chunk(chunk),
            };
            match whole {
                Some(id) => ids.push(id),
                None => merge_chunk_ids(chunk, &self.byte_ids, rule, &mut ids, &mut scratch),
            }
            if let Some(at) = free {
                cache.insert(at, r, h, &ids[before..]);
            }
        })?;
        Ok(ids)
    }

    /// Encodes using only merges of rank below `max_rank` (`None`: all).
    /// With [`Tokenizer::merge_rank_limit`] this replays the first k merges.
    pub fn encode_limited(
        &self,
        text: &str,
        allowed: &AllowedSpecial,
        max_rank: Option<u32>,
    ) -> Result<Encoding> {
        // Spans are u32 byte offsets.
        if u32::try_from(text.len()).is_err() {
            return Err(Error::TooLarge {
                what: "text to encode",
                size: text.len(),
                limit: MAX_TEXT_LEN,
            });
        }
        self.check_disallowed(text, allowed)?;
        let mut enc = Encoding::default();
        let mut rest = 0;
        for (start, end, id) in self.find_allowed_special(text, allowed) {
            self.encode_ordinary_into(&text[rest..start], rest, max_rank, &mut enc)?;
            enc.ids.push(id);
            enc.starts.push(start as u32);
            enc.ends.push(end as u32);
            rest = end;
        }
        self.encode_ordinary_into(&text[rest..], rest, max_rank, &mut enc)?;
        Ok(enc)
    }

    fn encode_ordinary_into(
        &self,
        text: &str,
        offset: usize,
        max_rank: Option<u32>,
        enc: &mut Encoding,
    ) -> Result<()> {
        match (&self.model, max_rank) {
            (Model::Ranks { ranks }, None) => {
                self.spans_with(text, offset, &RankRule(ranks), true, enc)
            }
            (Model::Ranks { ranks }, Some(limit)) => {
                self.spans_with(text, offset, &Limited(&RankRule(ranks), limit), false, enc)
            }
            (Model::Merges { .. }, None) => {
                self.spans_with(text, offset, &PairRule(&self.pair_index), true, enc)
            }
            (Model::Merges { .. }, Some(limit)) => self.spans_with(
                text,
                offset,
                &Limited(&PairRule(&self.pair_index), limit),
                false,
                enc,
            ),
        }
    }

    fn spans_with<R: MergeRule + ?Sized>(
        &self,
        text: &str,
        offset: usize,
        rule: &R,
        whole: bool,
        enc: &mut Encoding,
    ) -> Result<()> {
        let bytes = text.as_bytes();
        let mut scratch: Vec<Slot> = Vec::with_capacity(ChunkCache::MAX_CHUNK);
        let mut starts = Vec::new();
        self.splitter.for_each_chunk(text, |r| {
            let chunk = &bytes[r.clone()];
            let base = (offset + r.start) as u32;
            let end = (offset + r.end) as u32;
            if let Some(id) = whole.then(|| self.whole_chunk(chunk)).flatten() {
                enc.ids.push(id);
                enc.starts.push(base);
                enc.ends.push(end);
                return;
            }
            if chunk.len() <= CACHE_CHUNK_LIMIT {
                let first = enc.starts.len();
                merge_scan(chunk, &self.byte_ids, rule, &mut scratch, |p| {
                    enc.ids.push(p.id);
                    enc.starts.push(base + p.start);
                });
                let made = enc.starts.len();
                for i in first..made {
                    enc.ends
                        .push(if i + 1 < made { enc.starts[i + 1] } else { end });
                }
                return;
            }
            starts.clear();
            merge_chunk(chunk, &self.byte_ids, rule, &mut enc.ids, &mut starts);
            for (i, &s) in starts.iter().enumerate() {
                enc.starts.push(base + s);
                enc.ends.push(starts.get(i + 1).map_or(end, |&n| base + n));
            }
        })
    }

    /// A chunk that is emitted as one token without merging: tiktoken does
    /// this for any chunk that is itself a token, Hugging Face with
    /// `ignore_merges`.
    fn whole_chunk(&self, chunk: &[u8]) -> Option<u32> {
        if let Some(map) = &self.whole_chunks {
            return map.get(chunk).copied();
        }
        match &self.model {
            Model::Ranks { ranks } => ranks.get(chunk),
            Model::Merges { .. } => None,
        }
    }

    pub(crate) fn check_disallowed(&self, text: &str, allowed: &AllowedSpecial) -> Result<()> {
        let disallowed = |s: &str| match allowed {
            AllowedSpecial::All | AllowedSpecial::None => false,
            AllowedSpecial::NoneRaise => true,
            AllowedSpecial::Set(set) => !set.contains(s),
        };
        match self
            .special
            .iter()
            .find(|(s, _)| disallowed(s) && text.contains(s.as_str()))
        {
            Some((s, _)) => Err(Error::DisallowedSpecial(s.clone())),
            None => Ok(()),
        }
    }

    /// Allowed special tokens in `text`: leftmost first, the longest at a
    /// position, never overlapping. O(n × s) for s special tokens.
    pub(crate) fn find_allowed_special(
        &self,
        text: &str,
        allowed: &AllowedSpecial,
    ) -> Vec<(usize, usize, u32)> {
        let candidates: Vec<&(String, u32)> = self
            .special
            .iter()
            .filter(|(s, _)| match allowed {
                AllowedSpecial::All => true,
                AllowedSpecial::Set(set) => set.contains(s),
                AllowedSpecial::None | AllowedSpecial::NoneRaise => false,
            })
            .collect();
        let mut found = Vec::new();
        if candidates.is_empty() {
            return found;
        }
        // Next occurrence of each candidate at or after `pos`.
        let mut next: Vec<Option<usize>> = candidates
            .iter()
            .map(|(s, _)| text.find(s.as_str()))
            .collect();
        loop {
            let best = (0..candidates.len())
                .filter_map(|i| next[i].map(|at| (at, usize::MAX - candidates[i].0.len(), i)))
                .min();
            let Some((at, _, i)) = best else { break };
            let end = at + candidates[i].0.len();
            found.push((at, end, candidates[i].1));
            for (j, n) in next.iter_mut().enumerate() {
                if matches!(n, Some(at) if *at < end) {
                    *n = text[end..].find(candidates[j].0.as_str()).map(|k| k + end);
                }
            }
        }
        found
    }

    /// Decodes ids to bytes, losslessly. Errors on an unknown id.
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            out.extend_from_slice(self.token_bytes(id)?);
        }
        Ok(out)
    }

    /// Decodes ids to text; invalid UTF-8 becomes U+FFFD (as minbpe does).
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.decode_bytes(ids)?).into_owned())
    }

    /// The rank of an ordinary token (its merge priority).
    pub fn rank(&self, id: u32) -> Option<u32> {
        let bytes = self.vocab.get(id)?;
        match &self.model {
            Model::Ranks { .. } => Some(id),
            // Single bytes come before every merge.
            Model::Merges { .. } if bytes.len() == 1 && self.byte_ids[bytes[0] as usize] == id => {
                Some(id)
            }
            Model::Merges { .. } => self.merge_of(id).map(|m| m.1),
        }
    }

    /// The pair an explicit-merge token was made from, and its rank.
    fn merge_of(&self, id: u32) -> Option<(Pair, u32)> {
        let Model::Merges { order, pairs, .. } = &self.model else {
            return None;
        };
        // Ids of minbpe merges are 256 + index; others need a search.
        let guess = (id as usize).checked_sub(MIN_VOCAB_SIZE);
        if let Some(&(pair, new)) = guess.and_then(|i| order.get(i)) {
            if new == id {
                return Some((pair, pairs[&pair].0));
            }
        }
        order
            .iter()
            .find(|(_, new)| *new == id)
            .map(|&(pair, _)| (pair, pairs[&pair].0))
    }

    /// The two tokens `id` was merged from. For tiktoken ranks this replays
    /// BPE on the token's bytes with only lower-ranked merges (as minbpe's
    /// `recover_merges` does).
    pub fn parents(&self, id: u32) -> Option<(u32, u32)> {
        let bytes = self.vocab.get(id).filter(|b| b.len() > 1)?;
        match &self.model {
            Model::Merges { .. } => self.merge_of(id).map(|m| m.0),
            Model::Ranks { .. } => {
                let (mut ids, mut starts) = (Vec::new(), Vec::new());
                merge_chunk(
                    bytes,
                    &self.byte_ids,
                    &Limited(&self.model, id),
                    &mut ids,
                    &mut starts,
                );
                match ids[..] {
                    [a, b] => Some((a, b)),
                    _ => None,
                }
            }
        }
    }

    /// Bytes, rank, parents and kind of a token.
    pub fn token_info(&self, id: u32) -> Result<TokenInfo> {
        let bytes = self.token_bytes(id)?.to_vec();
        let special = self.is_special(id);
        Ok(TokenInfo {
            id,
            bytes,
            rank: if special { None } else { self.rank(id) },
            parents: if special { None } else { self.parents(id) },
            special,
        })
    }

    /// All merges in rank order as `(left, right, new)`. For tiktoken ranks
    /// they are recovered from the ranks (O(vocab × token length²)).
    pub fn merges(&self) -> Vec<(u32, u32, u32)> {
        match &self.model {
            Model::Merges { order, .. } => order.iter().map(|&((a, b), n)| (a, b, n)).collect(),
            Model::Ranks { .. } => (0..self.vocab.len() as u32)
                .filter_map(|id| self.parents(id).map(|(a, b)| (a, b, id)))
                .collect(),
        }
    }

    /// Corpus count of each merge when it was learned, for trained vocabularies.
    pub fn merge_counts(&self) -> Option<&[u64]> {
        match &self.model {
            Model::Merges { counts, .. } => counts.as_deref(),
            Model::Ranks { .. } => None,
        }
    }

    /// The `max_rank` for [`Tokenizer::encode_limited`] that allows exactly the
    /// first `k` merges (single bytes are always allowed).
    pub fn merge_rank_limit(&self, k: usize) -> u32 {
        match &self.model {
            Model::Merges { order, pairs, .. } => {
                order.get(k).map_or(u32::MAX, |(pair, _)| pairs[pair].0)
            }
            Model::Ranks { .. } => {
                let mut multi = self
                    .vocab
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| matches!(b, Some(b) if b.len() > 1))
                    .map(|(i, _)| i as u32);
                multi.nth(k).unwrap_or(u32::MAX)
            }
        }
    }

    /// Number of merges (multi-byte ordinary tokens).
    pub fn merge_count(&self) -> usize {
        match &self.model {
            Model::Merges { order, .. } => order.len(),
            Model::Ranks { .. } => self
                .vocab
                .iter()
                .filter(|b| matches!(b, Some(b) if b.len() > 1))
                .count(),
        }
    }

    /// Ordinary tokens as `(bytes, id)` in id order (for writing files).
    pub fn ordinary_tokens(&self) -> impl Iterator<Item = (&[u8], u32)> {
        self.vocab
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|b| (b, i as u32)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Tokenizer {
        // "ab" -> 256, "abab"? no: (256, 256) -> 257
        Tokenizer::from_merges(
            "toy",
            &Pattern::None,
            &[(97, 98), (256, 256)],
            vec![("<|end|>".into(), 300)],
        )
        .unwrap()
    }

    #[test]
    fn encode_decode_with_offsets() {
        let t = toy();
        let e = t.encode("ababab", &AllowedSpecial::None).unwrap();
        assert_eq!(e.ids, vec![257, 256]);
        assert_eq!(e.starts, vec![0, 4]);
        assert_eq!(e.ends, vec![4, 6]);
        assert_eq!(t.decode(&e.ids).unwrap(), "ababab");
    }

    #[test]
    fn special_token_modes() {
        let t = toy();
        let text = "ab<|end|>ab";
        let all = t.encode(text, &AllowedSpecial::All).unwrap();
        assert_eq!(all.ids, vec![256, 300, 256]);
        assert_eq!((all.starts[1], all.ends[1]), (2, 9));
        let none = t.encode(text, &AllowedSpecial::None).unwrap();
        assert!(!none.ids.contains(&300));
        assert_eq!(t.decode(&none.ids).unwrap(), text);
        assert_eq!(
            t.encode(text, &AllowedSpecial::NoneRaise).unwrap_err(),
            Error::DisallowedSpecial("<|end|>".into())
        );
        let set = AllowedSpecial::Set(HashSet::new());
        assert!(t.encode(text, &set).is_err());
    }

    #[test]
    fn unknown_id_is_named() {
        assert_eq!(toy().decode(&[97, 999]).unwrap_err(), Error::UnknownId(999));
    }

    #[test]
    fn lossy_and_lossless_decode() {
        let t = toy();
        assert_eq!(t.decode(&[0xE2, 0x82]).unwrap(), "\u{FFFD}");
        assert_eq!(t.decode_bytes(&[0xE2, 0x82]).unwrap(), vec![0xE2, 0x82]);
    }

    #[test]
    fn introspection() {
        let t = toy();
        let info = t.token_info(257).unwrap();
        assert_eq!(info.bytes, b"abab");
        assert_eq!(info.parents, Some((256, 256)));
        assert_eq!(info.rank, Some(257));
        assert!(t.token_info(300).unwrap().special);
        assert_eq!(t.merge_rank_limit(1), 257);
        let e = t
            .encode_limited("abab", &AllowedSpecial::None, Some(t.merge_rank_limit(1)))
            .unwrap();
        assert_eq!(e.ids, vec![256, 256]);
    }

    #[test]
    fn special_colliding_with_a_token_is_an_error() {
        let err = Tokenizer::from_merges("t", &Pattern::None, &[(97, 98)], vec![("x".into(), 256)])
            .unwrap_err();
        assert!(matches!(err, Error::InvalidSpecial(_)));
    }
}
