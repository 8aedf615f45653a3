//! Diagnostics: things the analysis could not fully understand, always with file:line.

use serde::Serialize;

/// What kind of problem a diagnostic reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// sqlparser rejected the statement and schemagate does not recognise it either.
    Unparsed,
    /// The statement was recognised but its effect on the schema is not modelled
    /// (a `DO` block, a trigger, `ALTER SEQUENCE`, ...).
    NotModelled,
    /// The statement refers to something the replayed schema does not have
    /// (ALTER of a missing table, DROP of a missing column, ...).
    Replay,
    /// The file is not valid UTF-8, is empty, or otherwise unreadable.
    File,
    /// A statement or a whole file is too large to analyse in bounded memory: it was not parsed.
    TooLarge,
    /// schema.prisma could not be fully parsed.
    Prisma,
    /// schema.prisma and the migrations' result disagree.
    Drift,
    /// Migration layout problems (no dialect, duplicate versions, ...).
    Layout,
}

/// One diagnostic, pointing at a file and a 1-based line (0 when it concerns the whole file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Repository-relative path of the file concerned.
    pub file: String,
    /// 1-based line; 0 when the diagnostic concerns the whole file.
    pub line: usize,
    /// What kind of problem this is.
    pub kind: DiagnosticKind,
    /// A sentence a reviewer understands.
    pub message: String,
}

impl Diagnostic {
    /// Builds a diagnostic.
    pub fn new(
        file: impl Into<String>,
        line: usize,
        kind: DiagnosticKind,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}
