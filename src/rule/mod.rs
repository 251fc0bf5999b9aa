//! AWS IoT topic rules without the AWS SDK: topic filters, rule names, the IoT
//! SQL subset xprobe evaluates, and `${...}` substitution templates.

mod ingest;
mod name;
pub mod sql;
pub mod template;
mod topic;
mod view;

pub use ingest::{basic_ingest_topic, strip_basic_ingest};
pub use name::{validate_rule_name, RuleNameError};
pub use sql::{EvalContext, Expr, Projection, RuleSql, SqlError, SqlErrorKind, WhereOutcome};
pub use template::{Rendered, Template, TemplateContext, TemplateError};
pub use topic::{TopicFilter, TopicFilterError};
pub use view::{RuleAction, TopicRule};
