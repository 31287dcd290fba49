//! The character classes of the built-in split patterns as bit flags. Shared
//! by the build script (`src/build.rs`), which gives every code point its flags
//! from regex-syntax's Unicode tables, and by [`crate::fastsplit`], which looks
//! them up.

/// `\p{L}`
pub const L: u8 = 1;
/// `\p{N}`
pub const N: u8 = 2;
/// `\s` (Unicode White_Space)
pub const S: u8 = 4;
/// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
pub const U: u8 = 8;
/// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
pub const W: u8 = 16;
/// `\r` or `\n`
pub const NL: u8 = 32;
/// In the byte table only: a non-ASCII lead byte, look the character up.
pub const MB: u8 = 64;
/// Past the end of the text (never set for a real character).
pub const END: u8 = 128;

/// Each class, in regex syntax, and the flag its members carry (read by the
/// build script and the tests).
#[cfg_attr(not(test), allow(dead_code))]
pub const CLASSES: [(&str, u8); 6] = [
    (r"\p{L}", L),
    (r"\p{N}", N),
    (r"\s", S),
    (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", U),
    (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", W),
    (r"[\r\n]", NL),
];

/// The lookup table maps `code point >> BLOCK_BITS` to a block of flags.
pub const BLOCK_BITS: u32 = 8;

/// Code points past the last one (U+10FFFF).
pub const CODE_SPACE: usize = 0x11_0000;

/// The letters of the contractions (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`,
/// `'d`) get the code points `(?i:letter)` matches, at most this many each.
pub const FOLD_MAX: usize = 4;
