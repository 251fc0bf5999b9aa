//! Lambda destinations: find the function's log group and search it for the
//! probe id; keep "not delivered" apart from "cannot verify".

mod checks;
mod facts;
mod verify;

pub use checks::check;
pub use facts::{gather, FunctionConfig, LambdaFacts};
pub use verify::{function_name, verify};
