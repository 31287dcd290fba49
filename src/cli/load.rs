//! Finding the tokenizer a `--tokenizer NAME|PATH` names.

use super::args::Args;
use super::{read_input, CliResult};
use bpe_playground::formats::{hf, minbpe, tiktoken};
use bpe_playground::{pretrained, Error, Pattern, Tokenizer};
use std::path::{Path, PathBuf};

/// Where the rank files of the built-in encodings are: `--vocab-dir`, then
/// `$BPE_PLAYGROUND_VOCAB`, then `www/vocab` of the checkout the binary was
/// built in (build.sh puts them there), then `./www/vocab`.
fn vocab_dirs(args: &Args) -> Vec<PathBuf> {
    if let Some(dir) = args.get("vocab-dir") {
        return vec![PathBuf::from(dir)];
    }
    if let Ok(dir) = std::env::var("BPE_PLAYGROUND_VOCAB") {
        return vec![PathBuf::from(dir)];
    }
    let mut dirs = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        // target/<profile>/bpe-playground → the checkout's www/vocab
        if let Some(root) = exe.ancestors().nth(3) {
            dirs.push(root.join("www/vocab"));
        }
    }
    dirs.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/vocab"));
    dirs.push(PathBuf::from("www/vocab"));
    dirs.dedup();
    dirs
}

pub fn tokenizer(args: &Args) -> CliResult<Tokenizer> {
    let spec = args.required("tokenizer")?;
    if let Ok(enc) = pretrained::spec(spec) {
        let dirs = vocab_dirs(args);
        let file = enc.file_name();
        let Some(path) = dirs.iter().map(|d| d.join(&file)).find(|p| p.is_file()) else {
            let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            return Err(Error::Io {
                path: file,
                message: format!(
                    "rank file not found (looked in {}); run ./build.sh build or pass --vocab-dir",
                    looked.join(", ")
                ),
            }
            .into());
        };
        let data = read_input(&path.to_string_lossy())?;
        return Ok(pretrained::load(enc.name, &data)?);
    }
    let path = Path::new(spec);
    if !path.is_file() {
        return Err(Error::UnknownName(spec.to_string()).into());
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.to_string());
    let data = read_input(spec)?;
    let text = || {
        String::from_utf8(data.clone()).map_err(|e| Error::Format {
            format: "tokenizer file",
            message: format!(
                "{spec} is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        })
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let tok = match ext {
        "model" => minbpe::read_model(&name, &text()?)?,
        "json" => hf::read_tokenizer_json(&name, &text()?)?,
        // A rank file, as text or packed (`bpe-playground pack`).
        "tiktoken" | "ranks" => {
            // A known encoding's file keeps its pattern and special tokens.
            match pretrained::spec(&name) {
                Ok(enc) if args.get("pattern").is_none() => pretrained::load(enc.name, &data)?,
                _ => {
                    let pattern = Pattern::parse(args.get("pattern").unwrap_or("cl100k"));
                    tiktoken::read_tiktoken(&name, &data, &pattern, Vec::new())?
                }
            }
        }
        _ => {
            return Err(Error::Unsupported(format!(
                "{spec}: expected a .model, .tiktoken, .ranks or .json tokenizer file"
            ))
            .into())
        }
    };
    Ok(tok)
}
