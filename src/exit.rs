//! Process exit codes. They are part of xprobe's stable interface and are
//! documented in the README; never renumber them.

/// Every destination delivered (or, for commands other than `check`, success).
pub const OK: i32 = 0;
/// At least one destination is `missing` or in `error`.
pub const PROBE_FAILED: i32 = 1;
/// The config file or the command line is wrong; nothing was probed.
pub const USAGE: i32 = 2;
/// No probe could be sent at all: credentials, endpoint or TLS.
pub const NO_PROBE_SENT: i32 = 3;
