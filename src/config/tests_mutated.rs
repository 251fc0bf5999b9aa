//! Bad input never panics: the real configs in `probes/`, cut, spliced and
//! sprinkled with multi-byte characters, always parse to a config or to
//! errors that render with a line and column inside the text.

use std::path::Path;

use proptest::prelude::*;

use super::{parse_str, ConfigError};

const SANDBOX: &str = include_str!("../../probes/sandbox.toml");
const WALKTHROUGH: &str = include_str!("../../probes/walkthrough.toml");

/// Pieces an edit may insert: TOML syntax, keys xprobe knows, and
/// characters whose UTF-8 is several bytes long.
const PIECES: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "\n",
    "{",
    "}",
    ",",
    ".",
    "#",
    "\\",
    "\\u00e9",
    "é",
    "字",
    "🦀",
    "\u{200b}",
    "\t",
    "0x",
    "1e999",
    "-",
    "routes",
    "destinations",
    "kind",
    "account",
    "deadline",
    "\"1ms\"",
    "\"-5s\"",
    "\"10 years\"",
    "interval",
    "queue_url",
    "topic_arn",
    "rule",
    "payload",
    "'{\"a\":'",
    "accounts",
    "mqtt",
    "port",
    "99999999999999999999",
    "true",
    "[[routes.destinations]]",
    "[accounts.x]",
    "region",
    "\"us-east-1\"",
    "key",
    "\"${topic(99999999999)}\"",
    "\"${\"",
    "basic_ingest",
    "client_id",
    "publish",
    "\"wss\"",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert { at: usize, piece: usize },
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Edit::Duplicate { at, len }),
    ]
}

/// The nearest char boundary at or before `at` (modulo the length).
fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, edits: &[Edit]) -> String {
    for e in edits {
        match *e {
            Edit::Insert { at, piece } => {
                let i = boundary(&s, at);
                s.insert_str(i, PIECES[piece]);
            }
            Edit::Delete { at, len } => {
                let i = boundary(&s, at);
                let j = boundary(&s, i + len.min(s.len() - i));
                s.replace_range(i..j.max(i), "");
            }
            Edit::Duplicate { at, len } => {
                let i = boundary(&s, at);
                let j = boundary(&s, i + len.min(s.len() - i));
                let copy = s[i..j.max(i)].to_string();
                s.insert_str(j.max(i), &copy);
            }
        }
    }
    s
}

fn check(src: &str) -> Result<(), TestCaseError> {
    match parse_str(src, Path::new("probes/mutated.toml")) {
        Ok(_) => Ok(()),
        Err(ConfigError::Invalid { problems, .. }) => {
            prop_assert!(!problems.is_empty());
            let lines = src.lines().count().max(1);
            for p in &problems {
                prop_assert!(p.line <= lines + 1, "line {} of {}: {p:?}", p.line, lines);
                prop_assert!(!p.message.is_empty());
            }
            let shown = ConfigError::Invalid {
                path: "probes/mutated.toml".into(),
                problems,
            }
            .to_string();
            prop_assert!(shown.contains("probes/mutated.toml"));
            Ok(())
        }
        Err(e) => {
            prop_assert!(e.to_string().contains("probes/mutated.toml"), "{e}");
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn edited_configs_never_panic(which in any::<bool>(), edits in prop::collection::vec(edit(), 1..8)) {
        let base = if which { SANDBOX } else { WALKTHROUGH };
        check(&apply(base.to_string(), &edits))?;
    }

    #[test]
    fn any_text_never_panics(src in "\\PC{0,200}") {
        check(&src)?;
    }
}
