//! Finds the JSON path at a byte offset of possibly malformed JSON text.
//!
//! `serde_json` reports only a line and column for syntax errors; this
//! tolerant scanner replays the text up to that point to name the element
//! being read (e.g. `Statement[0].Principal`) so the error can point at it.

use super::json::{child, index};

/// Where in the document an offset falls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// The JSON path of the innermost element at the offset.
    pub(crate) path: String,
    /// Set when the offset comes right after the complete value of this key.
    pub(crate) after_value_of: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Key,
    Colon,
    Value,
    After,
}

#[derive(Debug)]
enum Frame {
    Object { key: Option<String>, state: State },
    Array { index: usize, state: State },
}

/// Replays `text[..offset]` and reports where it stops.
pub(crate) fn locate(text: &str, offset: usize) -> Location {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                state: State::Key,
            }),
            b'[' => stack.push(Frame::Array {
                index: 0,
                state: State::Value,
            }),
            b'}' | b']' => {
                stack.pop();
                value_done(&mut stack);
            }
            b':' => {
                if let Some(Frame::Object { state, .. }) = stack.last_mut() {
                    *state = State::Value;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, state }) => {
                    *key = None;
                    *state = State::Key;
                }
                Some(Frame::Array { index, state }) => {
                    *index += 1;
                    *state = State::Value;
                }
                None => {}
            },
            b'"' => {
                let close = string_end(bytes, i + 1, end);
                let content = String::from_utf8_lossy(&bytes[i + 1..close.min(end)]).into_owned();
                match stack.last_mut() {
                    Some(Frame::Object { key, state }) if *state == State::Key => {
                        *key = Some(content);
                        *state = State::Colon;
                    }
                    _ => value_done(&mut stack),
                }
                i = close;
            }
            b if b.is_ascii_whitespace() => {}
            _ => {
                while i + 1 < end && !b" \t\r\n,:{}[]\"".contains(&bytes[i + 1]) {
                    i += 1;
                }
                value_done(&mut stack);
            }
        }
        i += 1;
    }
    let mut path = "$".to_string();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), state } if *state != State::Key => path = child(&path, key),
            Frame::Object { .. } => {}
            Frame::Array { index: i, .. } => path = index(&path, *i),
        }
    }
    let after_value_of = match stack.last() {
        Some(Frame::Object {
            key: Some(key),
            state: State::After,
        }) => Some(key.clone()),
        _ => None,
    };
    Location { path, after_value_of }
}

fn value_done(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Object { state, .. }) | Some(Frame::Array { state, .. }) => *state = State::After,
        None => {}
    }
}

/// The index of the closing quote of a string starting at `start`, or `end`.
fn string_end(bytes: &[u8], start: usize, end: usize) -> usize {
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    end
}
