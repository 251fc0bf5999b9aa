//! Request context: the condition keys and their values.
//!
//! Keys are case-insensitive, as in IAM (`AWS:SourceArn` and `aws:sourcearn`
//! are the same key). A key can carry several values (for example
//! `aws:TagKeys`); a key present with no values is distinct from a missing
//! key only for the `ForAllValues:`/`ForAnyValue:` set operators.

/// Condition keys and values that describe a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, Vec<String>)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single `value`, replacing any earlier values.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, vec![value.into()]);
        self
    }

    /// Sets `key` to several values (a multi-valued key such as
    /// `aws:TagKeys`), replacing any earlier values.
    pub fn with_values<I, S>(mut self, key: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.insert(key, values.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `key` to `values`, replacing any earlier values.
    pub fn insert(&mut self, key: impl Into<String>, values: Vec<String>) {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            Some(entry) => entry.1 = values,
            None => self.entries.push((key, values)),
        }
    }

    /// The values of `key` (case-insensitive), or `None` when absent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, values)| values.as_slice())
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, as first written.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
}
