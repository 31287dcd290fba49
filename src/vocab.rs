//! The vocabulary: the bytes of every ordinary token, by id, in one buffer.
//!
//! A rank file has 100k–200k tokens of a few bytes each. Stored one
//! allocation per token they cost an allocator call each to load and tens
//! of bytes each of overhead; here they are one byte buffer and one end
//! offset per id. An id with no token (a gap in the ids) is an empty range:
//! tokens are never empty.
//!
//! One `Vocab` serves a rank file from parse to lookups: the tiktoken reader
//! decodes each line's token straight into it ([`crate::formats::tiktoken::RankFile`]),
//! the tokenizer keeps it as its vocabulary when line `i` has rank `i`, and
//! the rank table compares long keys against it (shared, not copied).
//!
//! ```
//! use bpe_playground::vocab::Vocab;
//! let mut v = Vocab::default();
//! v.push(Some(b"a")).unwrap();
//! v.push(None).unwrap();
//! v.push_concat(0, 0).unwrap();
//! assert_eq!(v.get(0), Some(&b"a"[..]));
//! assert_eq!(v.get(1), None);
//! assert_eq!(v.get(2), Some(&b"aa"[..]));
//! assert_eq!(v.get(3), None);
//! ```

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocab {
    bytes: Vec<u8>,
    /// Token `id` is `bytes[offsets[id]..offsets[id + 1]]`; `offsets[0]` is 0.
    offsets: Vec<u32>,
}

impl Default for Vocab {
    fn default() -> Vocab {
        Vocab::with_capacity(0, 0)
    }
}

impl Vocab {
    /// An empty vocabulary with room for `tokens` tokens of `bytes` bytes in all.
    pub fn with_capacity(tokens: usize, bytes: usize) -> Vocab {
        let mut offsets = Vec::with_capacity(tokens + 1);
        offsets.push(0);
        Vocab {
            bytes: Vec::with_capacity(bytes),
            offsets,
        }
    }

    /// The vocabulary of `slots[id]` (`None` for gaps). An empty token is
    /// refused: it would read as a gap.
    pub fn from_slots(slots: &[Option<Box<[u8]>>]) -> Result<Vocab> {
        let total = slots.iter().flatten().map(|b| b.len()).sum();
        let mut v = Vocab::with_capacity(slots.len(), total);
        for (id, slot) in slots.iter().enumerate() {
            if slot.as_deref() == Some(&[]) {
                return Err(Error::Format {
                    format: "vocabulary",
                    message: format!("token {id} is empty"),
                });
            }
            v.push(slot.as_deref())?;
        }
        Ok(v)
    }

    /// Appends the next id's token (`None`, or an empty token: no token has
    /// this id).
    pub fn push(&mut self, token: Option<&[u8]>) -> Result<()> {
        self.bytes.extend_from_slice(token.unwrap_or_default());
        self.close()
    }

    /// Appends the next id's token: the bytes of `a` then those of `b`.
    /// Fails if either has no token.
    pub fn push_concat(&mut self, a: u32, b: u32) -> Result<()> {
        let (Some(x), Some(y)) = (self.range(a), self.range(b)) else {
            return Err(Error::Format {
                format: "merges",
                message: format!("a merge of {a} and {b} uses an id that has no token"),
            });
        };
        self.bytes.extend_from_within(x);
        self.bytes.extend_from_within(y);
        self.close()
    }

    /// The buffer the next id's token is written into, for readers that
    /// decode it in place (see [`crate::formats::tiktoken`]); [`Vocab::close`]
    /// ends it.
    pub(crate) fn open(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }

    /// The vocabulary of tokens laid end to end in `bytes`, token `id`
    /// being `lengths[id]` bytes long. The caller checks that no length is
    /// 0 and that they add up to `bytes.len()` (a packed rank file's reader).
    pub(crate) fn from_lengths(
        bytes: Vec<u8>,
        lengths: impl ExactSizeIterator<Item = u32>,
    ) -> Vocab {
        let mut offsets = Vec::with_capacity(lengths.len() + 1);
        offsets.push(0);
        let mut end = 0u32;
        for len in lengths {
            end += len;
            offsets.push(end);
        }
        debug_assert_eq!(end as usize, bytes.len());
        Vocab { bytes, offsets }
    }

    /// Gives back the room reserved and not used (a reader reserves for the
    /// largest vocabulary its input could hold).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.offsets.shrink_to_fit();
    }

    /// Ends the next id's token: the bytes written since the last one.
    pub(crate) fn close(&mut self) -> Result<()> {
        let end = u32::try_from(self.bytes.len()).map_err(|_| Error::TooLarge {
            what: "vocabulary",
            size: self.bytes.len(),
            limit: u32::MAX as usize,
        })?;
        self.offsets.push(end);
        Ok(())
    }

    #[inline]
    fn range(&self, id: u32) -> Option<std::ops::Range<usize>> {
        let id = id as usize;
        let (&start, &end) = (self.offsets.get(id)?, self.offsets.get(id + 1)?);
        (start < end).then_some(start as usize..end as usize)
    }

    /// The bytes of token `id`, or `None` if no token has this id.
    #[inline]
    pub fn get(&self, id: u32) -> Option<&[u8]> {
        self.range(id).map(|r| &self.bytes[r])
    }

    /// One more than the largest id (gaps included).
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of all tokens together.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Every id's token in id order (`None` for gaps).
    pub fn iter(&self) -> impl Iterator<Item = Option<&[u8]>> + '_ {
        (0..self.len() as u32).map(|id| self.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_tokens_round_trip_through_slots() {
        let slots: Vec<Option<Box<[u8]>>> = vec![
            None,
            Some(Box::from(&b"x"[..])),
            None,
            None,
            Some(Box::from(&b"hello"[..])),
        ];
        let v = Vocab::from_slots(&slots).unwrap();
        assert_eq!(v.len(), 5);
        let back: Vec<Option<&[u8]>> = v.iter().collect();
        let want: Vec<Option<&[u8]>> = slots.iter().map(|s| s.as_deref()).collect();
        assert_eq!(back, want);
        assert_eq!(v.get(5), None);
        assert_eq!(v.get(u32::MAX), None);
        assert!(Vocab::from_slots(&[Some(Box::from(&b""[..]))]).is_err());
    }

    #[test]
    fn tokens_decoded_in_place_end_at_close() {
        let mut v = Vocab::default();
        assert!(v.is_empty());
        v.open().extend_from_slice(b"ab");
        v.close().unwrap();
        v.close().unwrap(); // nothing written: a gap
        v.open().push(b'c');
        v.close().unwrap();
        assert_eq!(
            v.iter().collect::<Vec<_>>(),
            [Some(&b"ab"[..]), None, Some(&b"c"[..])]
        );
        assert_eq!((v.len(), v.byte_len()), (3, 3));
    }

    #[test]
    fn a_merge_of_a_gap_is_refused() {
        let mut v = Vocab::default();
        v.push(Some(b"a")).unwrap();
        v.push(None).unwrap();
        assert!(v.push_concat(0, 1).is_err());
        assert!(v.push_concat(0, 7).is_err());
        assert_eq!(v.len(), 2);
    }
}
