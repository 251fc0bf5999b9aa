//! Reading policy documents: JSON text or values into a `Policy`.

mod condition;
mod document;
mod entry;
mod json;
mod locate;
mod principal;
mod statement;
mod syntax;
