//! `bpe-playground`: train, encode and decode from the command line.
//!
//! ```text
//! bpe-playground train --vocab-size N --pattern P [--special JSON] -o PREFIX FILE...
//! bpe-playground encode --tokenizer NAME|PATH [--allowed-special all|none|none_raise] [FILE|-]
//! bpe-playground decode --tokenizer NAME|PATH [FILE|-]
//! bpe-playground bench encode|train ...
//! ```
//!
//! Every error is one line on stderr and a non-zero exit code.

mod cli;

use bpe_playground::Error;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug must still read as one line, not a Rust panic dump.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("error: internal error (please report it): {msg}");
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cli::CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            eprintln!("{}", cli::USAGE_HINT);
            ExitCode::from(2)
        }
        Err(cli::CliError::Engine(Error::Cancelled)) => ExitCode::from(130),
        Err(cli::CliError::Engine(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
