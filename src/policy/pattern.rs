//! Wildcard patterns with policy variables, compiled once at parse time.
//!
//! `*` matches any run of characters (including none, and across `:` and
//! `/`), `?` matches exactly one character. Under policy version 2012-10-17,
//! `${key}` is replaced by the request's single value for `key`,
//! `${key, 'default'}` falls back to `default`, and `${*}`, `${?}`, `${$}`
//! stand for the literal characters. Substituted text is always literal: a
//! `*` inside a context value is not a wildcard.

/// One compiled pattern symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Char(char),
    Star,
    One,
    Var { key: String, default: Option<String> },
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    toks: Vec<Tok>,
    has_vars: bool,
}

/// Looks up single-valued request facts for `${...}` substitution.
pub(crate) trait Variables {
    /// The value of `key` if the request has exactly one.
    fn variable(&self, key: &str) -> Option<&str>;
}

impl Glob {
    /// Compiles `source`. With `wildcards` false, `*` and `?` are literal
    /// (used for the `...Equals` operators); with `variables` false, `${...}`
    /// is literal (policy versions before 2012-10-17).
    pub(crate) fn compile(source: &str, wildcards: bool, variables: bool) -> Self {
        let mut toks = Vec::with_capacity(source.len());
        let mut has_vars = false;
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            if variables && rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    toks.push(variable_token(&rest[2..end]));
                    has_vars |= matches!(toks.last(), Some(Tok::Var { .. }));
                    rest = &rest[end + 1..];
                    continue;
                }
            }
            toks.push(match c {
                '*' if wildcards => Tok::Star,
                '?' if wildcards => Tok::One,
                _ => Tok::Char(c),
            });
            rest = &rest[c.len_utf8()..];
        }
        Self { toks, has_vars }
    }

    /// Whether the pattern contains `*`, `?` or an unexpanded variable.
    pub(crate) fn is_fixed(&self) -> bool {
        self.toks.iter().all(|tok| matches!(tok, Tok::Char(_)))
    }

    /// Whether `text` matches. A variable the request cannot supply makes the
    /// pattern match nothing, as in IAM.
    pub(crate) fn matches(&self, text: &str, ignore_case: bool, vars: &dyn Variables) -> bool {
        if !self.has_vars {
            return glob(&self.toks, text, ignore_case);
        }
        match self.expand(vars) {
            Some(toks) => glob(&toks, text, ignore_case),
            None => false,
        }
    }

    fn expand(&self, vars: &dyn Variables) -> Option<Vec<Tok>> {
        let mut out = Vec::with_capacity(self.toks.len() + 16);
        for tok in &self.toks {
            match tok {
                Tok::Var { key, default } => {
                    let value = vars.variable(key).or(default.as_deref())?;
                    out.extend(value.chars().map(Tok::Char));
                }
                other => out.push(other.clone()),
            }
        }
        Some(out)
    }
}

/// Parses the inside of `${...}`.
fn variable_token(inner: &str) -> Tok {
    match inner.trim() {
        "*" => Tok::Char('*'),
        "?" => Tok::Char('?'),
        "$" => Tok::Char('$'),
        inner => match inner.split_once(',') {
            Some((key, default)) => Tok::Var {
                key: key.trim().to_string(),
                default: Some(unquote(default.trim()).to_string()),
            },
            None => Tok::Var {
                key: inner.to_string(),
                default: None,
            },
        },
    }
}

fn unquote(text: &str) -> &str {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text)
}

fn chars_eq(a: char, b: char, ignore_case: bool) -> bool {
    a == b || (ignore_case && a.to_lowercase().eq(b.to_lowercase()))
}

/// Classic single-backtrack wildcard match: O(pattern × text), no recursion.
fn glob(pattern: &[Tok], text: &str, ignore_case: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(c) = text[t..].chars().next() {
        match pattern.get(p) {
            Some(Tok::One) => {
                p += 1;
                t += c.len_utf8();
                continue;
            }
            Some(Tok::Char(x)) if chars_eq(*x, c, ignore_case) => {
                p += 1;
                t += c.len_utf8();
                continue;
            }
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((star_p, mark)) => {
                let skipped = text[mark..].chars().next().map_or(1, char::len_utf8);
                star = Some((star_p, mark + skipped));
                p = star_p + 1;
                t = mark + skipped;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|tok| matches!(tok, Tok::Star))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoVars;
    impl Variables for NoVars {
        fn variable(&self, _: &str) -> Option<&str> {
            None
        }
    }

    fn m(pattern: &str, text: &str) -> bool {
        Glob::compile(pattern, true, true).matches(text, false, &NoVars)
    }

    #[test]
    fn wildcards() {
        assert!(m("*", ""));
        assert!(m("a*c", "abbbc"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y"));
        assert!(!m("arn:aws:s3:::b", "arn:aws:s3:::b/x"));
        assert!(m("*a*a*b", "aaaaaaaaaaaab"));
        assert!(!m("*a*a*b", "aaaaaaaaaaaaa"));
        assert!(m("ü?", "üß"));
    }

    #[test]
    fn escapes_are_literal() {
        assert!(m("a${*}", "a*"));
        assert!(!m("a${*}", "ab"));
        assert!(m("${?}${$}", "?$"));
        assert!(!m("${aws:username}", ""), "unresolvable variables match nothing");
        assert!(m("${aws:username, 'x'}", "x"));
    }
}
