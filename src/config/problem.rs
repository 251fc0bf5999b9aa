//! Config errors: every problem found in a file, each with its place and fix.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// 1-based line and column; 0 when the problem has no single place
    /// (a required section that is missing entirely).
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `routes[0].destinations[1].queue_url`.
    pub key: String,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: ", self.line, self.column)?;
        }
        write!(f, "`{}`: {}", self.key, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Why a config could not be loaded.
/// What to do when the config file cannot be read.
fn read_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "\n  hint: pass --config FILE (default xprobe.toml, or $XPROBE_CONFIG); `xprobe init --rule NAME …` drafts one from your rules"
        }
        std::io::ErrorKind::PermissionDenied => "\n  hint: the user running xprobe must be able to read the file",
        _ => "",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}{}", read_hint(source))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: line {line}, column {column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} has {} problem{}:{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, render_list(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<ConfigProblem>,
    },
}

impl ConfigError {
    /// The individual problems (one for a read or syntax error).
    pub fn problems(&self) -> Vec<ConfigProblem> {
        match self {
            ConfigError::Invalid { problems, .. } => problems.clone(),
            ConfigError::Syntax {
                line, column, message, ..
            } => vec![ConfigProblem {
                line: *line,
                column: *column,
                key: String::new(),
                message: message.clone(),
                hint: None,
            }],
            ConfigError::Read { source, .. } => vec![ConfigProblem {
                line: 0,
                column: 0,
                key: String::new(),
                message: source.to_string(),
                hint: Some(read_hint(source).trim_start_matches("\n  hint: ").to_string()).filter(|h| !h.is_empty()),
            }],
        }
    }
}

fn render_list(path: &std::path::Path, problems: &[ConfigProblem]) -> String {
    let mut out = String::new();
    for p in problems {
        out.push_str("\n  ");
        if p.line > 0 {
            out.push_str(&format!("{}:{}:{}: ", path.display(), p.line, p.column));
        } else {
            out.push_str(&format!("{}: ", path.display()));
        }
        out.push_str(&format!("`{}`: {}", p.key, p.message));
        if let Some(hint) = &p.hint {
            out.push_str(&format!("\n      hint: {hint}"));
        }
    }
    out
}
