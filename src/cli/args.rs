//! A small argument parser: `--flag value`, `--flag=value`, `-o value`,
//! boolean switches and positional arguments (`-` is positional: stdin).

use super::{CliError, CliResult};
use std::collections::HashMap;

pub struct Args {
    pub positional: Vec<String>,
    values: HashMap<String, String>,
    switches: Vec<String>,
}

impl Args {
    /// `valued`: flags that take a value; `switches`: flags that don't.
    pub fn parse(argv: &[String], valued: &[&str], switches: &[&str]) -> CliResult<Args> {
        let mut args = Args {
            positional: Vec::new(),
            values: HashMap::new(),
            switches: Vec::new(),
        };
        let mut it = argv.iter();
        while let Some(arg) = it.next() {
            let name = match arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) {
                Some(name) if !name.is_empty() => name,
                _ => {
                    args.positional.push(arg.clone());
                    continue;
                }
            };
            let (name, inline) = match name.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (name, None),
            };
            if switches.contains(&name) {
                args.switches.push(name.to_string());
            } else if valued.contains(&name) {
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| CliError::Usage(format!("{arg} needs a value")))?,
                };
                args.values.insert(name.to_string(), value);
            } else {
                return Err(CliError::Usage(format!("unknown option {arg}")));
            }
        }
        Ok(args)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> CliResult<&str> {
        let dashes = if name.len() == 1 { "-" } else { "--" };
        self.get(name)
            .ok_or_else(|| CliError::Usage(format!("{dashes}{name} is required")))
    }

    #[allow(dead_code)]
    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// The one input: a FILE, `-`, or stdin when none is given.
    pub fn single_input(&self) -> CliResult<&str> {
        match &self.positional[..] {
            [] => Ok("-"),
            [one] => Ok(one),
            _ => Err(CliError::Usage(
                "give at most one input FILE (or - for stdin)".into(),
            )),
        }
    }
}
