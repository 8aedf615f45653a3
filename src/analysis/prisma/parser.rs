//! A tolerant recursive-descent parser from tokens to a small syntax tree of blocks.
//!
//! Every problem is recorded with its line and parsing resumes at the next line (or the next
//! block), so one bad line never hides the rest of the schema. Nothing here panics.

use super::ast::{
    Arg, Arity, Attribute, Block, BlockKeyword, Declaration, Expr, FieldType, Member,
};
use super::lexer::{Token, TokenKind, tokenize};

/// A parse problem at a line.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ParseProblem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, for a reviewer.
    pub message: String,
}

/// The blocks of one file and the problems met on the way.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct ParsedFile {
    /// Blocks in file order.
    pub blocks: Vec<Block>,
    /// Lexing and parsing problems in the order met.
    pub problems: Vec<ParseProblem>,
}

/// Deepest nesting of arrays and function calls accepted in an expression.
const MAX_EXPR_DEPTH: usize = 16;

/// Parses one schema file.
pub(super) fn parse_file(source: &str) -> ParsedFile {
    let (tokens, lex_problems) = tokenize(source);
    let mut parser = Parser {
        tokens,
        pos: 0,
        problems: lex_problems
            .into_iter()
            .map(|p| ParseProblem {
                line: p.line,
                message: p.message,
            })
            .collect(),
    };
    let blocks = parser.blocks();
    ParsedFile {
        blocks,
        problems: parser.problems,
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    problems: Vec<ParseProblem>,
}

/// Whether the token is a block keyword (`model`, `enum`, ...).
fn is_block_keyword(kind: Option<&TokenKind>) -> bool {
    matches!(kind, Some(TokenKind::Ident(word)) if BlockKeyword::from_word(word).is_some())
}

/// Short description of a token for messages.
fn describe(kind: Option<&TokenKind>) -> String {
    match kind {
        None => "end of file".to_string(),
        Some(TokenKind::Ident(s)) => format!("`{s}`"),
        Some(TokenKind::Str(s)) => format!("string \"{s}\""),
        Some(TokenKind::Number(n)) => format!("number {n}"),
        Some(TokenKind::Newline) => "end of line".to_string(),
        Some(TokenKind::LBrace) => "`{`".to_string(),
        Some(TokenKind::RBrace) => "`}`".to_string(),
        Some(TokenKind::LParen) => "`(`".to_string(),
        Some(TokenKind::RParen) => "`)`".to_string(),
        Some(TokenKind::LBracket) => "`[`".to_string(),
        Some(TokenKind::RBracket) => "`]`".to_string(),
        Some(TokenKind::Comma) => "`,`".to_string(),
        Some(TokenKind::Colon) => "`:`".to_string(),
        Some(TokenKind::Equals) => "`=`".to_string(),
        Some(TokenKind::Question) => "`?`".to_string(),
        Some(TokenKind::At) => "`@`".to_string(),
        Some(TokenKind::AtAt) => "`@@`".to_string(),
        Some(TokenKind::Dot) => "`.`".to_string(),
    }
}

impl Parser {
    fn peek_at(&self, ahead: usize) -> Option<&TokenKind> {
        self.tokens.get(self.pos + ahead).map(|t| &t.kind)
    }

    fn peek(&self) -> Option<&TokenKind> {
        self.peek_at(0)
    }

    /// Line of the current token (or of the last one at the end of the file).
    fn line(&self) -> usize {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .map_or(1, |t| t.line)
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.peek() == Some(kind) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        match self.peek() {
            Some(TokenKind::Ident(name)) => {
                let name = name.clone();
                self.advance();
                Some(name)
            }
            _ => None,
        }
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(ParseProblem { line, message });
    }

    /// Records "expected X, found Y" at the current token and gives up on the construct.
    fn expected<T>(&mut self, what: &str) -> Option<T> {
        let message = format!("expected {what}, found {}", describe(self.peek()));
        self.problem(self.line(), message);
        None
    }

    fn skip_newlines(&mut self) {
        while self.eat(&TokenKind::Newline) {}
    }

    fn at_line_start(&self) -> bool {
        self.pos == 0
            || self
                .tokens
                .get(self.pos - 1)
                .is_some_and(|t| t.kind == TokenKind::Newline)
    }

    /// Whether the next tokens open a block: `keyword Name {`.
    fn at_block_start(&self) -> bool {
        is_block_keyword(self.peek())
            && matches!(self.peek_at(1), Some(TokenKind::Ident(_)))
            && matches!(self.peek_at(2), Some(TokenKind::LBrace))
    }

    fn blocks(&mut self) -> Vec<Block> {
        let mut blocks = Vec::new();
        loop {
            self.skip_newlines();
            let keyword = match self.peek() {
                None => break,
                Some(TokenKind::Ident(word)) => BlockKeyword::from_word(word),
                Some(_) => None,
            };
            match keyword {
                Some(keyword) => {
                    if let Some(block) = self.block(keyword) {
                        blocks.push(block);
                    }
                }
                None => {
                    let message = format!(
                        "expected a block (model, enum, datasource, generator, view, type), found {}",
                        describe(self.peek())
                    );
                    self.problem(self.line(), message);
                    self.skip_to_next_block();
                }
            }
        }
        blocks
    }

    /// Skips at least one token, then up to a line that starts with a block keyword.
    fn skip_to_next_block(&mut self) {
        self.advance();
        while let Some(kind) = self.peek() {
            if is_block_keyword(Some(kind)) && self.at_line_start() {
                break;
            }
            self.advance();
        }
    }

    fn block(&mut self, keyword: BlockKeyword) -> Option<Block> {
        let line = self.line();
        self.advance();
        let Some(name) = self.ident() else {
            self.expected::<()>("a block name");
            self.skip_to_next_block();
            return None;
        };
        self.skip_newlines();
        if !self.eat(&TokenKind::LBrace) {
            self.expected::<()>(&format!("`{{` to open `{name}`"));
            self.skip_to_next_block();
            return None;
        }
        let members = self.block_body(&name, line);
        Some(Block {
            keyword,
            name,
            line,
            members,
        })
    }

    fn block_body(&mut self, name: &str, opened_at: usize) -> Vec<Member> {
        let mut members = Vec::new();
        loop {
            self.skip_newlines();
            match self.peek() {
                None => {
                    self.problem(
                        opened_at,
                        format!(
                            "block `{name}` opened at line {opened_at} is not closed with `}}`"
                        ),
                    );
                    break;
                }
                Some(TokenKind::RBrace) => {
                    self.advance();
                    break;
                }
                _ if self.at_block_start() => {
                    self.problem(
                        opened_at,
                        format!(
                            "block `{name}` opened at line {opened_at} is not closed before line {}",
                            self.line()
                        ),
                    );
                    break;
                }
                _ => {
                    if let Some(member) = self.member() {
                        members.push(member);
                        self.end_of_member();
                    } else {
                        self.skip_rest_of_line();
                    }
                }
            }
        }
        members
    }

    fn member(&mut self) -> Option<Member> {
        match (self.peek(), self.peek_at(1)) {
            (Some(TokenKind::AtAt), _) => {
                self.advance();
                self.attribute().map(Member::BlockAttribute)
            }
            (Some(TokenKind::Ident(_)), Some(TokenKind::Equals)) => {
                let key = self.ident()?;
                self.advance();
                let value = self.expr(0)?;
                Some(Member::Assignment { key, value })
            }
            (Some(TokenKind::Ident(_)), _) => self.declaration().map(Member::Declaration),
            _ => self.expected("a field, a value or a block attribute"),
        }
    }

    /// After a member: the line must end (or the block close).
    fn end_of_member(&mut self) {
        match self.peek() {
            None | Some(TokenKind::Newline) | Some(TokenKind::RBrace) => {}
            Some(_) => {
                self.expected::<()>("end of line");
                self.skip_rest_of_line();
            }
        }
    }

    fn skip_rest_of_line(&mut self) {
        while !matches!(
            self.peek(),
            None | Some(TokenKind::Newline) | Some(TokenKind::RBrace)
        ) {
            self.advance();
        }
    }

    fn declaration(&mut self) -> Option<Declaration> {
        let line = self.line();
        let name = self.ident()?;
        let field_type = match self.peek() {
            Some(TokenKind::Ident(_)) => Some(self.field_type()?),
            _ => None,
        };
        let mut attributes = Vec::new();
        while self.eat(&TokenKind::At) {
            attributes.push(self.attribute()?);
        }
        Some(Declaration {
            name,
            field_type,
            attributes,
            line,
        })
    }

    fn field_type(&mut self) -> Option<FieldType> {
        let name = self.ident()?;
        let unsupported = if self.peek() == Some(&TokenKind::LParen) {
            let args = self.call_args(0)?;
            args.into_iter().find_map(|arg| match arg.value {
                Expr::Str(text) => Some(text),
                _ => None,
            })
        } else {
            None
        };
        let arity = if self.eat(&TokenKind::Question) {
            Arity::Optional
        } else if self.eat(&TokenKind::LBracket) {
            if !self.eat(&TokenKind::RBracket) {
                return self.expected("`]`");
            }
            // `Type[]?` is a legacy spelling of a list.
            self.eat(&TokenKind::Question);
            Arity::List
        } else {
            Arity::Required
        };
        Some(FieldType {
            name,
            unsupported,
            arity,
        })
    }

    /// An attribute after its `@` or `@@`: a dotted name and optional arguments.
    fn attribute(&mut self) -> Option<Attribute> {
        let line = self.line();
        let Some(mut name) = self.ident() else {
            return self.expected("an attribute name");
        };
        while self.eat(&TokenKind::Dot) {
            let Some(part) = self.ident() else {
                return self.expected("an attribute name after `.`");
            };
            name.push('.');
            name.push_str(&part);
        }
        let args = if self.peek() == Some(&TokenKind::LParen) {
            self.call_args(0)?
        } else {
            Vec::new()
        };
        Some(Attribute { name, args, line })
    }

    /// `( [name:] expr, ... )`, newlines allowed inside.
    fn call_args(&mut self, depth: usize) -> Option<Vec<Arg>> {
        let opened_at = self.line();
        self.advance();
        let mut args = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat(&TokenKind::RParen) {
                return Some(args);
            }
            self.check_not_cut_off("(", opened_at)?;
            let name = match (self.peek(), self.peek_at(1)) {
                (Some(TokenKind::Ident(name)), Some(TokenKind::Colon)) => {
                    let name = name.clone();
                    self.pos += 2;
                    Some(name)
                }
                _ => None,
            };
            let value = self.expr(depth + 1)?;
            args.push(Arg { name, value });
            self.skip_newlines();
            if !self.eat(&TokenKind::Comma) && self.peek() != Some(&TokenKind::RParen) {
                return self.expected("`,` or `)`");
            }
        }
    }

    /// Inside `(` or `[`: the end of the block or file means the bracket was never closed.
    fn check_not_cut_off(&mut self, bracket: &str, opened_at: usize) -> Option<()> {
        match self.peek() {
            None | Some(TokenKind::RBrace) => {
                self.problem(
                    opened_at,
                    format!("`{bracket}` opened at line {opened_at} is not closed"),
                );
                None
            }
            _ => Some(()),
        }
    }

    fn expr(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_EXPR_DEPTH {
            return self.expected("a less deeply nested value");
        }
        let value = match self.peek() {
            Some(TokenKind::Str(text)) => Expr::Str(text.clone()),
            Some(TokenKind::Number(number)) => Expr::Number(number.clone()),
            Some(TokenKind::Ident(name)) => {
                let name = name.clone();
                self.advance();
                if self.peek() == Some(&TokenKind::LParen) {
                    let args = self.call_args(depth)?;
                    return Some(Expr::Function { name, args });
                }
                return Some(Expr::Constant(name));
            }
            Some(TokenKind::LBracket) => return self.array(depth),
            _ => return self.expected("a value"),
        };
        self.advance();
        Some(value)
    }

    fn array(&mut self, depth: usize) -> Option<Expr> {
        let opened_at = self.line();
        self.advance();
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat(&TokenKind::RBracket) {
                return Some(Expr::Array(items));
            }
            self.check_not_cut_off("[", opened_at)?;
            items.push(self.expr(depth + 1)?);
            self.skip_newlines();
            if !self.eat(&TokenKind::Comma) && self.peek() != Some(&TokenKind::RBracket) {
                return self.expected("`,` or `]`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_block(source: &str) -> Block {
        let parsed = parse_file(source);
        assert_eq!(parsed.problems, vec![]);
        assert_eq!(parsed.blocks.len(), 1);
        parsed.blocks.into_iter().next().expect("one block")
    }

    #[test]
    fn field_with_type_modifier_and_attributes() {
        let block = only_block("model A {\n  b Int? @map(\"bb\") @db.VarChar(10)\n}\n");
        assert_eq!(
            (block.keyword, block.name.as_str(), block.line),
            (BlockKeyword::Model, "A", 1)
        );
        let [Member::Declaration(field)] = block.members.as_slice() else {
            panic!("expected one field: {:?}", block.members);
        };
        assert_eq!(field.line, 2);
        let field_type = field.field_type.as_ref().expect("a type");
        assert_eq!(
            (field_type.name.as_str(), field_type.arity),
            ("Int", Arity::Optional)
        );
        let names: Vec<&str> = field.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["map", "db.VarChar"]);
        assert_eq!(field.database_name(), "bb");
    }

    #[test]
    fn block_attribute_with_named_arguments_over_several_lines() {
        let block =
            only_block("model A {\n  @@unique(\n    [a, b(sort: Desc)],\n    map: \"u\"\n  )\n}\n");
        let attribute = block.attribute("unique").expect("@@unique");
        let fields = attribute.argument("fields", Some(0)).map(Expr::names);
        assert_eq!(fields, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(attribute.string_argument("map", None).as_deref(), Some("u"));
    }

    #[test]
    fn assignments_and_list_types() {
        let block = only_block("datasource db {\n  provider = \"sqlite\"\n  url = env(\"X\")\n}\n");
        assert_eq!(
            block.members.first(),
            Some(&Member::Assignment {
                key: "provider".into(),
                value: Expr::Str("sqlite".into())
            })
        );
        let block = only_block("model A {\n  tags String[]\n}\n");
        let field = block.declarations().next().expect("field");
        assert_eq!(
            field.field_type.as_ref().map(|t| t.arity),
            Some(Arity::List)
        );
    }

    #[test]
    fn a_bad_line_is_reported_and_the_next_line_still_parses() {
        let parsed = parse_file("model A {\n  a Int @default(1 2)\n  b Int\n}\n");
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].line, 2);
        let names: Vec<&str> = parsed.blocks[0]
            .declarations()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, ["b"]);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let source = format!("model A {{\n  a Int @default({})\n}}\n", "[".repeat(10_000));
        let parsed = parse_file(&source);
        assert!(parsed.problems.iter().any(|p| p.message.contains("nested")));
    }
}
