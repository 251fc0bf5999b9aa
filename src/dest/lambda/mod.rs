//! Lambda destinations: find the function's log group and search it for the
//! probe id; keep "not delivered" apart from "cannot verify".

mod verify;

pub use verify::{function_name, verify};
