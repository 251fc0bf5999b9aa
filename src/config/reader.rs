//! A small reader over the spanned TOML tree that records every problem it
//! meets instead of stopping at the first one.

use std::ops::Range;
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::problem::ConfigProblem;
use super::suggest::closest;

/// Collects problems while a file is read; turns byte spans into lines.
pub(crate) struct Problems<'s> {
    src: &'s str,
    pub(crate) list: Vec<ConfigProblem>,
}

impl<'s> Problems<'s> {
    pub(crate) fn new(src: &'s str) -> Self {
        Problems { src, list: Vec::new() }
    }

    /// Records a problem at `span`.
    pub(crate) fn at(&mut self, span: Range<usize>, key: &str, message: impl Into<String>, hint: Option<String>) {
        let (line, column) = line_col(self.src, span.start);
        self.list.push(ConfigProblem {
            line,
            column,
            key: key.to_string(),
            message: message.into(),
            hint,
        });
    }

    /// Records a problem that has no single place in the file.
    pub(crate) fn nowhere(&mut self, key: &str, message: impl Into<String>, hint: Option<String>) {
        self.list.push(ConfigProblem {
            line: 0,
            column: 0,
            key: key.to_string(),
            message: message.into(),
            hint,
        });
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |nl| before[nl + 1..].chars().count())
        + 1;
    (line, column)
}

/// One TOML table being read. Keys that are read are marked; `finish`
/// reports the rest as unknown, with a suggestion.
pub(crate) struct TableReader<'t, 'i> {
    table: &'t DeTable<'i>,
    pub(crate) path: String,
    pub(crate) span: Range<usize>,
    seen: Vec<&'static str>,
}

impl<'t, 'i> TableReader<'t, 'i> {
    pub(crate) fn new(table: &'t DeTable<'i>, path: impl Into<String>, span: Range<usize>) -> Self {
        TableReader {
            table,
            path: path.into(),
            span,
            seen: Vec::new(),
        }
    }

    /// The dotted path of a key in this table.
    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.path, key)
        }
    }

    /// The raw value of `key`, marking it as known.
    pub(crate) fn get(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.seen.push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// All entries, for tables keyed by user-chosen names (`[accounts.x]`).
    pub(crate) fn entries(
        &self,
    ) -> impl Iterator<Item = (&'t Spanned<toml::de::DeString<'i>>, &'t Spanned<DeValue<'i>>)> {
        self.table.iter()
    }

    pub(crate) fn string(&mut self, p: &mut Problems<'_>, key: &'static str) -> Option<Spanned<String>> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => {
                p.at(v.span(), &self.key_path(key), "must not be empty", None);
                None
            }
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
            other => {
                p.at(
                    v.span(),
                    &self.key_path(key),
                    format!("expected a string, found {}", other.type_str()),
                    Some(format!("write it in quotes: {key} = \"...\"")),
                );
                None
            }
        }
    }

    pub(crate) fn required_string(
        &mut self,
        p: &mut Problems<'_>,
        key: &'static str,
        hint: &str,
    ) -> Option<Spanned<String>> {
        let present = self.table.iter().any(|(k, _)| k.get_ref().as_ref() == key);
        if !present {
            self.seen.push(key);
            p.at(
                self.span.clone(),
                &self.key_path(key),
                "is required but missing",
                Some(hint.to_string()),
            );
            return None;
        }
        self.string(p, key)
    }

    pub(crate) fn bool(&mut self, p: &mut Problems<'_>, key: &'static str) -> Option<bool> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                p.at(
                    v.span(),
                    &self.key_path(key),
                    format!("expected true or false, found {}", other.type_str()),
                    Some(format!("write {key} = true or {key} = false, without quotes")),
                );
                None
            }
        }
    }

    pub(crate) fn port(&mut self, p: &mut Problems<'_>, key: &'static str) -> Option<u16> {
        let v = self.get(key)?;
        let parsed = v
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
        match parsed {
            Some(n) if (1..=65535).contains(&n) => u16::try_from(n).ok(),
            _ => {
                p.at(
                    v.span(),
                    &self.key_path(key),
                    "must be a whole number from 1 to 65535",
                    Some("the IoT data endpoint listens on 8883 (or 443 with ALPN)".to_string()),
                );
                None
            }
        }
    }

    /// A duration written the humantime way: "20s", "1m 30s", "500ms".
    pub(crate) fn duration(&mut self, p: &mut Problems<'_>, key: &'static str) -> Option<Duration> {
        let v = self.get(key)?;
        let parsed = match v.get_ref() {
            DeValue::String(s) => humantime::parse_duration(s).ok(),
            _ => None,
        };
        match parsed {
            Some(d) if !d.is_zero() => Some(d),
            _ => {
                p.at(
                    v.span(),
                    &self.key_path(key),
                    "must be a positive duration in quotes",
                    Some(format!("for example {key} = \"20s\" or \"1m 30s\"")),
                );
                None
            }
        }
    }

    /// Reports every key of this table that no reader asked for.
    pub(crate) fn finish(self, p: &mut Problems<'_>) {
        for (k, _) in self.table.iter() {
            let name = k.get_ref().as_ref();
            if !self.seen.contains(&name) {
                let hint = match closest(name, self.seen.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known keys here: {}", self.seen.join(", ")),
                };
                p.at(k.span(), &self.key_path(name), "unknown key", Some(hint));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let src = "a = 1\nbb = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 8), (2, 3));
    }
}
