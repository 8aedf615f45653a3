//! The syntax tree of a Prisma schema file, and the look-ups the mapping to a schema needs.

/// The keyword that opens a top-level block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlockKeyword {
    /// `datasource`
    Datasource,
    /// `generator`
    Generator,
    /// `model`
    Model,
    /// `enum`
    Enum,
    /// `view`
    View,
    /// `type` (a MongoDB composite type)
    Type,
}

impl BlockKeyword {
    pub(super) fn from_word(word: &str) -> Option<BlockKeyword> {
        match word {
            "datasource" => Some(BlockKeyword::Datasource),
            "generator" => Some(BlockKeyword::Generator),
            "model" => Some(BlockKeyword::Model),
            "enum" => Some(BlockKeyword::Enum),
            "view" => Some(BlockKeyword::View),
            "type" => Some(BlockKeyword::Type),
            _ => None,
        }
    }
}

/// A top-level block such as `model User { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Block {
    /// The opening keyword.
    pub keyword: BlockKeyword,
    /// The block's name.
    pub name: String,
    /// Line of the keyword.
    pub line: usize,
    /// The lines of the body.
    pub members: Vec<Member>,
}

/// One line of a block body.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Member {
    /// `key = value` (datasource and generator settings).
    Assignment {
        /// The setting's name.
        key: String,
        /// Its value.
        value: Expr,
    },
    /// A model field or an enum value.
    Declaration(Declaration),
    /// A block attribute such as `@@index([a, b])`.
    BlockAttribute(Attribute),
}

/// A model field (`name Type? @attr`) or an enum value (`VALUE @map("v")`).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Declaration {
    /// The declared name.
    pub name: String,
    /// The field type; `None` for enum values.
    pub field_type: Option<FieldType>,
    /// Field attributes in order.
    pub attributes: Vec<Attribute>,
    /// Line of the declaration.
    pub line: usize,
}

/// Whether a field is required, optional or a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Arity {
    /// `Type`
    Required,
    /// `Type?`
    Optional,
    /// `Type[]`
    List,
}

/// A field's type.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct FieldType {
    /// The type name (`String`, a model, an enum, `Unsupported`).
    pub name: String,
    /// The database type of `Unsupported("...")`.
    pub unsupported: Option<String>,
    /// Required, optional or list.
    pub arity: Arity,
}

/// An attribute (`@id`, `@db.VarChar(255)`, `@@unique([a, b])`).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Attribute {
    /// Name without the `@`/`@@`, dotted parts joined by `.` (`db.VarChar`).
    pub name: String,
    /// Arguments in order.
    pub args: Vec<Arg>,
    /// Line of the attribute.
    pub line: usize,
}

/// One argument, positional or named.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Arg {
    /// `name:` of a named argument.
    pub name: Option<String>,
    /// The value.
    pub value: Expr,
}

/// An argument or setting value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Expr {
    /// `"text"`
    Str(String),
    /// `12`, `-1.5`
    Number(String),
    /// A bare identifier (`true`, `Cascade`, an enum value, a field name).
    Constant(String),
    /// `name(args)`
    Function {
        /// Function name.
        name: String,
        /// Its arguments.
        args: Vec<Arg>,
    },
    /// `[a, b]`
    Array(Vec<Expr>),
}

impl Block {
    /// The fields (or enum values) of the block.
    pub(super) fn declarations(&self) -> impl Iterator<Item = &Declaration> {
        self.members.iter().filter_map(|m| match m {
            Member::Declaration(d) => Some(d),
            _ => None,
        })
    }

    /// The block attributes (`@@...`) of the block.
    pub(super) fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.members.iter().filter_map(|m| match m {
            Member::BlockAttribute(a) => Some(a),
            _ => None,
        })
    }

    /// The first block attribute with this name.
    pub(super) fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.name == name)
    }

    /// The `@@map("name")` of the block.
    pub(super) fn mapped_name(&self) -> Option<String> {
        self.attribute("map").and_then(Attribute::map_target)
    }

    /// The declaration with this name.
    pub(super) fn declaration(&self, name: &str) -> Option<&Declaration> {
        self.declarations().find(|d| d.name == name)
    }
}

impl Declaration {
    /// The first attribute with this name.
    pub(super) fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Whether the declaration carries this attribute.
    pub(super) fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The `@map("name")` of the declaration.
    pub(super) fn mapped_name(&self) -> Option<String> {
        self.attribute("map").and_then(Attribute::map_target)
    }

    /// The database name: `@map` or the declared name.
    pub(super) fn database_name(&self) -> String {
        self.mapped_name().unwrap_or_else(|| self.name.clone())
    }

    /// The relation name: `@relation("name")` or `@relation(name: "name")`.
    pub(super) fn relation_name(&self) -> Option<String> {
        self.attribute("relation")
            .and_then(|a| a.string_argument("name", Some(0)))
    }

    /// Whether `@relation(fields: ...)` is present, i.e. this side holds the foreign key.
    pub(super) fn has_relation_fields(&self) -> bool {
        self.attribute("relation")
            .is_some_and(|a| a.argument("fields", None).is_some())
    }
}

impl Attribute {
    /// The argument named `name`, or else the unnamed one at `position` (when it may be given
    /// positionally).
    pub(super) fn argument(&self, name: &str, position: Option<usize>) -> Option<&Expr> {
        let named = self.args.iter().find(|a| a.name.as_deref() == Some(name));
        named
            .or_else(|| position.and_then(|p| self.args.iter().filter(|a| a.name.is_none()).nth(p)))
            .map(|a| &a.value)
    }

    /// [`Attribute::argument`] when it is a string.
    pub(super) fn string_argument(&self, name: &str, position: Option<usize>) -> Option<String> {
        match self.argument(name, position) {
            Some(Expr::Str(text)) => Some(text.clone()),
            _ => None,
        }
    }

    fn map_target(&self) -> Option<String> {
        self.string_argument("name", Some(0))
    }
}

impl Expr {
    /// Names in a field list such as `[a, b(sort: Desc)]` (a single name is accepted too).
    pub(super) fn names(&self) -> Vec<String> {
        match self {
            Expr::Array(items) => items.iter().flat_map(Expr::names).collect(),
            Expr::Constant(name) | Expr::Function { name, .. } => vec![name.clone()],
            Expr::Str(_) | Expr::Number(_) => Vec::new(),
        }
    }
}
