//! A recursive-descent parser for the IoT SQL subset xprobe understands.

mod cursor;
mod expr;
mod select;

pub(super) use cursor::Parser;
