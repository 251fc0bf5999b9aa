//! The IoT SQL subset xprobe parses and evaluates: `SELECT ... FROM '...' [WHERE ...]`.

mod ast;
mod context;
mod error;
mod eval;
mod explain;
mod functions;
mod lexer;
mod parse;
mod print;
mod statement;
mod value;

pub use ast::{BinaryOp, Expr, IsCheck, Literal, Projection, UnaryOp};
pub use context::EvalContext;
pub use error::{SqlError, SqlErrorKind};
pub use explain::WhereOutcome;
pub use statement::RuleSql;

pub(crate) use eval::{eval, Fact, Scope};
