//! The `Condition` element: operators, clauses and their evaluation.

mod clause;
mod date;
mod eval;
mod ip;
mod operator;

pub use clause::Clause;
pub use operator::{Comparison, Operator, SetQualifier};

pub(crate) use clause::Compiled;
pub(crate) use eval::holds;
pub(crate) use operator::edit_distance;
