//! Loading a config file: read, parse TOML, read every section, and report
//! all problems together.

use std::path::Path;

use toml::de::DeTable;

use super::model::Config;
use super::problem::ConfigError;
use super::reader::{line_col, Problems, TableReader};
use super::{routes, sections};

/// Reads and validates the config at `path`. Relative paths inside it are
/// resolved against the file's folder.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_str(&src, path)
}

/// Validates config text as if it had been read from `path`.
pub fn parse_str(src: &str, path: &Path) -> Result<Config, ConfigError> {
    let doc = DeTable::parse(src).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_col(src, s.start));
        ConfigError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    let mut problems = Problems::new(src);
    let mut root = TableReader::new(doc.get_ref(), "", doc.span());
    let accounts = sections::accounts(&mut root, base, &mut problems);
    let mqtt = sections::mqtt(&mut root, base, &mut problems);
    let routes = routes::routes(&mut root, &accounts, &mut problems);
    root.finish(&mut problems);
    problems.list.sort_by_key(|p| (p.line, p.column));
    if !problems.list.is_empty() {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            problems: problems.list,
        });
    }
    match mqtt {
        Some(mqtt) => Ok(Config {
            path: path.to_path_buf(),
            accounts,
            mqtt,
            routes,
        }),
        None => {
            problems.nowhere("mqtt", "the [mqtt] section could not be read", None);
            Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                problems: problems.list,
            })
        }
    }
}
