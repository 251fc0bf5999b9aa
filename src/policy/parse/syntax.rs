//! Turns a `serde_json` syntax error into a [`PolicyError`] that names the
//! element and the likely fix.

use serde_json::error::Category;

use super::super::error::{PolicyError, PolicyErrorKind};
use super::locate::{locate, Location};

/// Builds the error for malformed JSON `text`.
pub(crate) fn syntax_error(text: &str, err: &serde_json::Error) -> PolicyError {
    let (line, column) = (err.line(), err.column());
    let offset = byte_offset(text, line, column);
    let location = locate(text, offset);
    let found = text.get(offset..).and_then(|rest| rest.chars().next());
    let mut message = strip_position(&err.to_string());
    if let Some(key) = &location.after_value_of {
        message.push_str(&format!(" after the value of `{key}`"));
    }
    if let (Some(c), Category::Syntax) = (found, err.classify()) {
        message.push_str(&format!(", found `{c}`"));
    }
    let hint = hint(text, err.classify(), &message, found, &location);
    PolicyError::new(
        location.path,
        PolicyErrorKind::Syntax {
            line,
            column,
            message,
            hint,
        },
    )
}

/// The byte offset of a 1-based line and column (serde_json counts bytes).
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn hint(text: &str, category: Category, message: &str, found: Option<char>, location: &Location) -> String {
    if text.trim_start().starts_with("%7B") {
        return "the document is URL-encoded (as IAM's Get*Policy APIs return it); decode it first".to_string();
    }
    if category == Category::Eof {
        return "the document ends early; check for a missing `}`, `]` or closing `\"`".to_string();
    }
    if message.contains("trailing comma") {
        return "remove the `,` before the closing bracket".to_string();
    }
    if message.contains("key must be a string") {
        return "element names must be in double quotes".to_string();
    }
    match (&location.after_value_of, found) {
        (Some(key), Some('"')) => {
            format!("remove the stray `\"` after the `{key}` value, or add a `,` if another element starts there")
        }
        (Some(key), Some(c)) => {
            format!("remove the stray `{c}` after the `{key}` value, or add a `,` if another element starts there")
        }
        _ if message.contains("expected `,`") => {
            "add the missing `,` between elements, or remove the stray character".to_string()
        }
        _ => "fix the JSON at this position; every string needs double quotes and elements are separated by `,`"
            .to_string(),
    }
}
