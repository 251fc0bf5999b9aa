//! The syntax tree of an IoT SQL statement.

/// A literal value written in the SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `NULL`.
    Null,
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A whole number that fits an `i64`.
    Int(i64),
    /// Any other number.
    Decimal(f64),
    /// A quoted string.
    Str(String),
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `NOT`.
    Not,
    /// Arithmetic negation, `-`.
    Neg,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`.
    Or,
    /// `AND`.
    And,
    /// `=`.
    Eq,
    /// `<>` or `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`, addition or string concatenation.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Mod,
}

impl BinaryOp {
    /// The operator as written in SQL.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }

    pub(super) fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
        }
    }
}

/// What `IS [NOT] ...` tests for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsCheck {
    /// `IS NULL`.
    Null,
    /// `IS UNDEFINED`.
    Undefined,
}

/// An IoT SQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Literal(Literal),
    /// A top-level payload field, e.g. `temperature`.
    Field(String),
    /// Member access, e.g. the `.id` of `xprobe.id`.
    Member {
        /// The object the member is read from.
        base: Box<Expr>,
        /// The member name.
        name: String,
    },
    /// Array indexing, e.g. `a.b[0]`.
    Index {
        /// The array.
        base: Box<Expr>,
        /// The 0-based index.
        index: Box<Expr>,
    },
    /// `*` used as a value: the whole payload, as in `encode(*, 'base64')`.
    Payload,
    /// A function call. Names are kept as written; matching is case-insensitive.
    Call {
        /// The function name.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `cast(expr AS type)`.
    Cast {
        /// The value to convert.
        expr: Box<Expr>,
        /// The target type as written, e.g. `Int`.
        ty: String,
    },
    /// `NOT x` or `-x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `x IS [NOT] NULL` or `x IS [NOT] UNDEFINED`.
    Is {
        /// The tested value.
        expr: Box<Expr>,
        /// Whether `NOT` was written.
        negated: bool,
        /// What is tested for.
        check: IsCheck,
    },
    /// `x [NOT] IN (a, b, ...)`.
    In {
        /// The tested value.
        expr: Box<Expr>,
        /// Whether `NOT` was written.
        negated: bool,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// An array literal, `[a, b]`.
    Array(Vec<Expr>),
    /// An object literal, `{'k': v}`.
    Object(Vec<(String, Expr)>),
}

impl Expr {
    /// The dotted path of a payload reference, such as `xprobe.id` or `a.b[0]`.
    ///
    /// `None` for anything that does not read from the payload by name.
    pub fn field_path(&self) -> Option<String> {
        match self {
            Expr::Field(name) => Some(name.clone()),
            Expr::Member { base, name } => Some(format!("{}.{name}", base.field_path()?)),
            Expr::Index { base, index } => match index.as_ref() {
                Expr::Literal(Literal::Int(i)) => Some(format!("{}[{i}]", base.field_path()?)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The expressions this one is built from, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Literal(_) | Expr::Field(_) | Expr::Payload => Vec::new(),
            Expr::Member { base, .. } => vec![base],
            Expr::Index { base, index } => vec![base, index],
            Expr::Call { args, .. } | Expr::Array(args) => args.iter().collect(),
            Expr::Cast { expr, .. } | Expr::Unary { expr, .. } | Expr::Is { expr, .. } => {
                vec![expr]
            }
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::In { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::Object(entries) => entries.iter().map(|(_, e)| e).collect(),
        }
    }

    /// Calls `visit` on this expression and every expression inside it.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        for child in self.children() {
            child.walk(visit);
        }
    }

    pub(super) fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Unary { op: UnaryOp::Not, .. } => 3,
            Expr::Is { .. } | Expr::In { .. } => 4,
            Expr::Unary { op: UnaryOp::Neg, .. } => 7,
            _ => 8,
        }
    }
}

/// One item of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum Projection {
    /// `*`: every field of the payload.
    All,
    /// An expression, optionally renamed with `AS`.
    Expr {
        /// The selected value.
        expr: Expr,
        /// The `AS` name, which may be dotted (`AS a.b`).
        alias: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Box<Expr> {
        Box::new(Expr::Field(name.into()))
    }

    #[test]
    fn field_path_names_payload_references() {
        let member = Expr::Member {
            base: field("xprobe"),
            name: "id".into(),
        };
        let indexed = Expr::Index {
            base: Box::new(member.clone()),
            index: Box::new(Expr::Literal(Literal::Int(0))),
        };
        let computed_index = Expr::Index {
            base: field("a"),
            index: field("i"),
        };
        let call_member = Expr::Member {
            base: Box::new(Expr::Call {
                name: "decode".into(),
                args: vec![],
            }),
            name: "x".into(),
        };
        assert_eq!(Expr::Field("a".into()).field_path().as_deref(), Some("a"));
        assert_eq!(member.field_path().as_deref(), Some("xprobe.id"));
        assert_eq!(indexed.field_path().as_deref(), Some("xprobe.id[0]"));
        assert_eq!(computed_index.field_path(), None);
        assert_eq!(call_member.field_path(), None);
        assert_eq!(Expr::Payload.field_path(), None);
    }

    #[test]
    fn walk_visits_every_node() {
        let expr = Expr::In {
            expr: field("a"),
            negated: false,
            list: vec![
                Expr::Object(vec![("k".into(), Expr::Field("b".into()))]),
                Expr::Array(vec![Expr::Field("c".into())]),
            ],
        };
        let mut fields = Vec::new();
        expr.walk(&mut |e| {
            if let Expr::Field(name) = e {
                fields.push(name.as_str());
            }
        });
        assert_eq!(fields, ["a", "b", "c"]);
        assert_eq!(expr.children().len(), 3);
    }
}
