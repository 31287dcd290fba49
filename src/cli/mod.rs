//! The command-line front end: argument parsing and the subcommands.

mod args;
mod bench;
mod load;
pub mod measure;

use args::Args;
use bpe_playground::formats::minbpe::{write_model, write_vocab};
use bpe_playground::formats::packed;
use bpe_playground::formats::tiktoken::read_tiktoken;
use bpe_playground::{AllowedSpecial, Error, Pattern, Tokenizer, Trainer};
use std::io::{Read, Write};
use std::time::Instant;

pub const USAGE_HINT: &str = "usage:
  bpe-playground train --vocab-size N --pattern none|gpt2|gpt4|r50k|cl100k|o200k|'<regex>' [--special '<json {\"tok\": id}>'] -o PREFIX FILE...
  bpe-playground encode --tokenizer NAME|PATH [--allowed-special all|none|none_raise] [--vocab-dir DIR] [--pattern P] [FILE|-]
  bpe-playground decode --tokenizer NAME|PATH [--vocab-dir DIR] [FILE|-]
  bpe-playground pack -o OUT.ranks FILE.tiktoken   (the same ranks, packed: the page loads these faster)
  bpe-playground bench encode [--runs N] [--warmup N] [--enc cl100k_base,o200k_base] [--worst-case] FILE...
  bpe-playground bench train [--runs N] [--warmup N] [--vocab 4096,32768] FILE...
NAME is r50k_base, p50k_base, cl100k_base or o200k_base (rank files from --vocab-dir, $BPE_PLAYGROUND_VOCAB or www/vocab);
PATH is a minbpe .model, a .tiktoken or packed .ranks file (--pattern, default cl100k) or a Hugging Face tokenizer.json.";

/// Largest input file the CLI reads (1 GiB).
const MAX_INPUT: u64 = 1 << 30;

pub enum CliError {
    Usage(String),
    Engine(Error),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Engine(e)
    }
}

pub type CliResult<T> = Result<T, CliError>;

pub fn run(argv: &[String]) -> CliResult<()> {
    let Some((cmd, rest)) = argv.split_first() else {
        return Err(CliError::Usage("no subcommand given".into()));
    };
    match cmd.as_str() {
        "train" => train(Args::parse(
            rest,
            &["vocab-size", "pattern", "special", "o"],
            &[],
        )?),
        "encode" => encode(Args::parse(
            rest,
            &["tokenizer", "allowed-special", "vocab-dir", "pattern"],
            &[],
        )?),
        "decode" => decode(Args::parse(
            rest,
            &["tokenizer", "vocab-dir", "pattern"],
            &[],
        )?),
        "pack" => pack(Args::parse(rest, &["o"], &[])?),
        "bench" => bench::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE_HINT}");
            Ok(())
        }
        other => Err(CliError::Usage(format!("unknown subcommand {other:?}"))),
    }
}

/// Reads a file, or stdin for `-`, refusing anything over [`MAX_INPUT`].
pub fn read_input(path: &str) -> CliResult<Vec<u8>> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_string(),
        message: e.to_string(),
    };
    let mut data = Vec::new();
    if path == "-" {
        std::io::stdin()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut data)
            .map_err(io)?;
    } else {
        let file = std::fs::File::open(path).map_err(io)?;
        file.take(MAX_INPUT + 1)
            .read_to_end(&mut data)
            .map_err(io)?;
    }
    if data.len() as u64 > MAX_INPUT {
        return Err(Error::TooLarge {
            what: "input",
            size: data.len(),
            limit: MAX_INPUT as usize,
        }
        .into());
    }
    Ok(data)
}

fn write_file(path: &str, contents: impl AsRef<[u8]>) -> CliResult<()> {
    std::fs::write(path, contents).map_err(|e| {
        Error::Io {
            path: path.to_string(),
            message: e.to_string(),
        }
        .into()
    })
}

/// `pack`: a rank file (text, or packed already) written packed.
fn pack(args: Args) -> CliResult<()> {
    let out = args.required("o")?;
    let [input] = &args.positional[..] else {
        return Err(CliError::Usage("pack needs exactly one input FILE".into()));
    };
    // A file the tokenizer would refuse (a repeated token, a missing byte)
    // is refused here too, rather than at every load.
    let tok = read_tiktoken("pack", &read_input(input)?, &Pattern::None, Vec::new())?;
    write_file(out, packed::write_packed(&tok)?)
}

fn parse_special(json: Option<&str>) -> CliResult<Vec<(String, u32)>> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| Error::InvalidSpecial(format!("--special must be a JSON object: {e}")))?;
    map.into_iter()
        .map(|(tok, id)| match id.as_u64() {
            Some(id) if id < u32::MAX as u64 => Ok((tok, id as u32)),
            _ => Err(Error::InvalidSpecial(format!(
                "the id of {tok:?} must be a whole number, not {id}"
            ))
            .into()),
        })
        .collect()
}

fn train(args: Args) -> CliResult<()> {
    let vocab_size: usize = args
        .required("vocab-size")?
        .parse()
        .map_err(|_| CliError::Usage("--vocab-size must be a whole number".into()))?;
    let pattern = Pattern::parse(args.required("pattern")?);
    let special = parse_special(args.get("special"))?;
    // Refuse bad special tokens before a long training run, not after it.
    Tokenizer::from_merges("check", &Pattern::None, &[], special.clone())?;
    let prefix = args.required("o")?;
    if args.positional.is_empty() {
        return Err(CliError::Usage(
            "train needs at least one input FILE".into(),
        ));
    }
    let mut corpus = Vec::new();
    for path in &args.positional {
        corpus.extend(read_input(path)?);
    }
    let started = Instant::now();
    let mut trainer = Trainer::new(&corpus, vocab_size, &pattern)?;
    let total = trainer.total();
    let mut last_report = Instant::now();
    while trainer.step().is_some() {
        if last_report.elapsed().as_millis() >= 200 {
            eprint!("\rmerges {}/{}", trainer.done(), total);
            last_report = Instant::now();
        }
    }
    let done = trainer.done();
    eprintln!(
        "\rmerges {done}/{total} in {:.2} s{}",
        started.elapsed().as_secs_f64(),
        if done < total {
            " (the corpus ran out of pairs)"
        } else {
            ""
        }
    );
    let name = prefix.rsplit('/').next().unwrap_or(prefix);
    let tok = Tokenizer::from_trained(name, &trainer.finish(), special)?;
    write_file(&format!("{prefix}.model"), &write_model(&tok)?)?;
    write_file(&format!("{prefix}.vocab"), &write_vocab(&tok)?)?;
    eprintln!("wrote {prefix}.model and {prefix}.vocab");
    Ok(())
}

fn encode(args: Args) -> CliResult<()> {
    let tok = load::tokenizer(&args)?;
    let allowed = AllowedSpecial::parse(args.get("allowed-special").unwrap_or("none"))?;
    let input = read_input(args.single_input()?)?;
    let text = match String::from_utf8(input) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("note: the input is not valid UTF-8; invalid bytes were replaced by U+FFFD");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let ids = tok.encode(&text, &allowed)?.ids;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let io = |e: std::io::Error| Error::Io {
        path: "stdout".into(),
        message: e.to_string(),
    };
    out.write_all(b"[").map_err(io)?;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.write_all(b",").map_err(io)?;
        }
        write!(out, "{id}").map_err(io)?;
    }
    out.write_all(b"]\n").map_err(io)?;
    out.flush().map_err(io)?;
    Ok(())
}

fn decode(args: Args) -> CliResult<()> {
    let tok = load::tokenizer(&args)?;
    let path = args.single_input()?;
    let input = read_input(path)?;
    let ids: Vec<u32> = serde_json::from_slice(&input).map_err(|e| Error::Format {
        format: "id list",
        message: format!("expected a JSON array of token ids: {e}"),
    })?;
    let bytes = tok.decode_bytes(&ids)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::Io {
            path: "stdout".into(),
            message: e.to_string(),
        })?;
    Ok(())
}
