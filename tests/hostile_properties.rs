//! A short property run of the fuzz targets' checks (tests/fuzz holds the
//! long runs): the fast splitters equal the regex on tricky text, loaders
//! never panic on mutated files and fail with one-line errors, custom
//! patterns end with a result or a clean error.

use bpe_playground::fastsplit::Kind;
use bpe_playground::formats::{minbpe, tiktoken};
use bpe_playground::{train, AllowedSpecial, Error, Pattern, Splitter, Tokenizer};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Characters that reach the corners of the built-in patterns.
fn tricky_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just('ǅ'),
            Just('ʰ'),
            Just('中'),
            Just('\u{0301}'),
            Just('1'),
            Just('٣'),
            Just('½'),
            Just(' '),
            Just('\t'),
            Just('\n'),
            Just('\r'),
            Just('\u{85}'),
            Just('\u{A0}'),
            Just('\u{3000}'),
            Just('\''),
            Just('s'),
            Just('S'),
            Just('ſ'),
            Just('l'),
            Just('L'),
            Just('v'),
            Just('e'),
            Just('!'),
            Just('/'),
            Just('😀'),
            Just('\u{200D}'),
        ],
        0..60,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn regex_splitters() -> &'static [(Kind, Splitter)] {
    static CACHE: OnceLock<Vec<(Kind, Splitter)>> = OnceLock::new();
    CACHE.get_or_init(|| {
        [
            (Kind::Gpt2, Pattern::Gpt2),
            (Kind::Gpt4, Pattern::Gpt4),
            (Kind::R50k, Pattern::R50k),
            (Kind::Cl100k, Pattern::Cl100k),
            (Kind::O200k, Pattern::O200k),
        ]
        .into_iter()
        .map(|(k, p)| (k, p.splitter().unwrap().regex_only()))
        .collect()
    })
}

fn one_line(e: &Error) -> Result<(), TestCaseError> {
    prop_assert!(!e.to_string().contains('\n'), "{}", e);
    Ok(())
}

/// A valid `.model` to mutate.
fn model_file() -> &'static str {
    static FILE: OnceLock<String> = OnceLock::new();
    FILE.get_or_init(|| {
        let t = train(
            b"low lower lowest newer newest",
            280,
            &Pattern::Gpt4,
            |_, _| true,
        )
        .unwrap();
        let tok = Tokenizer::from_trained("m", &t, vec![("<|end|>".into(), 280)]).unwrap();
        minbpe::write_model(&tok).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fast_splitters_equal_the_regex(text in tricky_text()) {
        for (kind, regex) in regex_splitters() {
            prop_assert_eq!(kind.split(&text), regex.split(&text).unwrap(), "{:?}", kind);
        }
    }

    #[test]
    fn mutated_model_files_load_or_fail_in_one_line(
        at in 0usize..400, len in 0usize..8, junk in "[ -~\n]{0,8}"
    ) {
        let file = model_file();
        let at = at.min(file.len());
        let end = (at + len).min(file.len());
        let mutated = format!("{}{}{}", &file[..at], junk, &file[end..]);
        match minbpe::read_model("m", &mutated) {
            Ok(tok) => {
                let text = "lowest newer <|end|> x";
                let ids = tok.encode(text, &AllowedSpecial::All).unwrap().ids;
                if !matches!(tok.pattern(), Pattern::Custom(_)) {
                    prop_assert_eq!(tok.decode(&ids).unwrap(), text);
                }
            }
            Err(e) => one_line(&e)?,
        }
    }

    #[test]
    fn arbitrary_rank_files_load_or_fail_in_one_line(lines in proptest::collection::vec("[A-Za-z0-9+/=]{0,6} ?[0-9]{0,11}", 0..6)) {
        let data = lines.join("\n");
        match tiktoken::read_tiktoken("t", data.as_bytes(), &Pattern::Cl100k, vec![]) {
            Ok(tok) => { tok.encode("hello", &AllowedSpecial::None).unwrap(); }
            Err(e) => one_line(&e)?,
        }
    }

    #[test]
    fn custom_patterns_end_cleanly(pattern in "[a\\\\w()|*+?{}1,2=!<\\[\\]^$.]{0,12}", text in "[ab \n]{0,40}") {
        let p = Pattern::parse(&pattern);
        match p.splitter() {
            Err(e) => one_line(&e)?,
            Ok(s) => match s.split(&text) {
                Err(e) => one_line(&e)?,
                Ok(chunks) => {
                    let mut at = 0;
                    for r in chunks {
                        prop_assert!(r.start >= at && r.start < r.end && r.end <= text.len());
                        at = r.end;
                    }
                    match train(text.as_bytes(), 270, &p, |_, _| true) {
                        Ok(t) => { Tokenizer::from_trained("c", &t, vec![]).unwrap(); }
                        Err(e) => one_line(&e)?,
                    }
                }
            },
        }
    }
}
