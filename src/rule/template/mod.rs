//! AWS IoT substitution templates: action fields such as an S3 `key` that
//! embed `${expression}` parts, evaluated per message (iot-substitution-templates).

mod parse;
mod render;

pub use parse::{Segment, Template, TemplateError, TemplateExpr};
pub use render::{Rendered, TemplateContext};
