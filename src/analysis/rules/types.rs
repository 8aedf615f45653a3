//! Column type changes: does every existing value fit the new type (widening), or can the
//! conversion fail, truncate or reinterpret values (narrowing)? And does Postgres rewrite the
//! table to make the change?
//!
//! Types are read from the declared text (sqlparser's rendering, e.g. `VARCHAR(191)`,
//! `DECIMAL(65,30)`, `TIMESTAMP(3)`, `DOUBLE PRECISION`). What is not recognised is compared as
//! text: any change between unrecognised types counts as narrowing (unknown is not safe).

/// What a column type change does to existing values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TypeChange {
    /// The same type, spelled the same or differently (`INT` vs `INTEGER`).
    Same,
    /// Every existing value fits the new type.
    Widening,
    /// Some existing values may fail to convert, be truncated or be reinterpreted.
    Narrowing,
}

/// The family and size of a type, as far as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TypeClass {
    /// Integers, by storage size in bytes.
    Integer { bytes: u8 },
    /// Exact numerics: precision and scale, `None` when unconstrained.
    Decimal {
        precision: Option<u64>,
        scale: Option<u64>,
    },
    /// Floating point, by storage size in bytes.
    Float { bytes: u8 },
    /// Character strings: maximum length (`None`: unbounded), whether blank-padded (`CHAR`).
    Text { max_len: Option<u64>, padded: bool },
    /// Date and time types: which one, with fractional-second precision.
    Temporal {
        kind: TemporalKind,
        precision: Option<u64>,
    },
    /// Anything else, by its normalised spelling.
    Other(String),
}

/// The kinds of date/time types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TemporalKind {
    Date,
    Time,
    Timestamp,
    TimestampTz,
}

/// Classifies the change of a column's type from `before` to `after`.
pub(super) fn classify_type_change(before: &str, after: &str) -> TypeChange {
    let (before, after) = (classify(before), classify(after));
    if before == after {
        return TypeChange::Same;
    }
    if fits(&before, &after) {
        TypeChange::Widening
    } else {
        TypeChange::Narrowing
    }
}

/// Whether Postgres can change the type from `before` to `after` without rewriting the table:
/// binary-compatible widenings only (longer or unbounded `VARCHAR`, `VARCHAR` to `TEXT`, more
/// numeric precision at the same scale, more fractional-second precision).
pub(super) fn postgres_changes_in_place(before: &str, after: &str) -> bool {
    let (before, after) = (classify(before), classify(after));
    match (&before, &after) {
        _ if before == after => true,
        (
            TypeClass::Text {
                max_len: from,
                padded: false,
            },
            TypeClass::Text {
                max_len: to,
                padded: false,
            },
        ) => at_least(*to, *from),
        (
            TypeClass::Decimal {
                precision: p1,
                scale: s1,
            },
            TypeClass::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => s1 == s2 && at_least(*p2, *p1),
        (
            TypeClass::Temporal {
                kind: k1,
                precision: p1,
            },
            TypeClass::Temporal {
                kind: k2,
                precision: p2,
            },
        ) => k1 == k2 && at_least(*p2, *p1),
        _ => false,
    }
}

/// Whether every value of type `from` fits in type `to`.
fn fits(from: &TypeClass, to: &TypeClass) -> bool {
    use TypeClass as T;
    match (from, to) {
        (T::Integer { bytes: a }, T::Integer { bytes: b }) => b >= a,
        (T::Integer { bytes }, T::Decimal { precision, scale }) => {
            let integer_digits = precision.map(|p| p.saturating_sub(scale.unwrap_or(0)));
            at_least(integer_digits, Some(integer_decimal_digits(*bytes)))
        }
        // A double holds every integer of up to 53 bits exactly, a real up to 24 bits.
        (T::Integer { bytes }, T::Float { bytes: float }) => {
            (*float >= 8 && *bytes <= 4) || (*float >= 4 && *bytes <= 2)
        }
        (
            T::Decimal {
                precision: p1,
                scale: s1,
            },
            T::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => decimal_fits((*p1, *s1), (*p2, *s2)),
        (T::Float { bytes: a }, T::Float { bytes: b }) => b >= a,
        (T::Text { max_len: a, .. }, T::Text { max_len: b, .. }) => at_least(*b, *a),
        (
            T::Temporal {
                kind: k1,
                precision: p1,
            },
            T::Temporal {
                kind: k2,
                precision: p2,
            },
        ) => temporal_fits((*k1, *p1), (*k2, *p2)),
        _ => false,
    }
}

/// Whether `NUMERIC(p1, s1)` values fit `NUMERIC(p2, s2)` (unconstrained holds anything).
fn decimal_fits(from: (Option<u64>, Option<u64>), to: (Option<u64>, Option<u64>)) -> bool {
    let (Some(p2), s2) = to else {
        return true;
    };
    let Some(p1) = from.0 else {
        return false;
    };
    let (s1, s2) = (from.1.unwrap_or(0), s2.unwrap_or(0));
    s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1)
}

/// Whether values of a date/time type (kind, fractional precision) convert to another without
/// losing information: the same kind with at least the precision, or a date into a timestamp.
fn temporal_fits(from: (TemporalKind, Option<u64>), to: (TemporalKind, Option<u64>)) -> bool {
    match (from.0, to.0) {
        (TemporalKind::Date, TemporalKind::Timestamp | TemporalKind::TimestampTz) => true,
        (a, b) => a == b && at_least(to.1, from.1),
    }
}

/// Decimal digits needed for the largest integer of `bytes` bytes.
fn integer_decimal_digits(bytes: u8) -> u64 {
    match bytes {
        1 => 3,
        2 => 5,
        3 => 8,
        4 => 10,
        _ => 19,
    }
}

/// Whether the limit `new` is at least `old` (`None` is unbounded).
fn at_least(new: Option<u64>, old: Option<u64>) -> bool {
    match (new, old) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(new), Some(old)) => new >= old,
    }
}

/// Reads a declared type.
fn classify(declared: &str) -> TypeClass {
    let normalised = normalise(declared);
    let (name, args) = split_arguments(&normalised);
    let first = args.first().copied();
    match name.as_str() {
        "TINYINT" => TypeClass::Integer { bytes: 1 },
        "SMALLINT" | "INT2" | "SMALLSERIAL" | "SERIAL2" => TypeClass::Integer { bytes: 2 },
        "MEDIUMINT" => TypeClass::Integer { bytes: 3 },
        "INT" | "INTEGER" | "INT4" | "SERIAL" | "SERIAL4" => TypeClass::Integer { bytes: 4 },
        "BIGINT" | "INT8" | "BIGSERIAL" | "SERIAL8" => TypeClass::Integer { bytes: 8 },
        "DECIMAL" | "NUMERIC" | "DEC" => TypeClass::Decimal {
            precision: first,
            scale: args.get(1).copied(),
        },
        "REAL" | "FLOAT4" => TypeClass::Float { bytes: 4 },
        "FLOAT" => TypeClass::Float {
            bytes: if first.is_some_and(|p| p <= 24) { 4 } else { 8 },
        },
        "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" => TypeClass::Float { bytes: 8 },
        "VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" | "VARCHAR2" => TypeClass::Text {
            max_len: first,
            padded: false,
        },
        "CHAR" | "CHARACTER" | "NCHAR" | "BPCHAR" => TypeClass::Text {
            max_len: Some(first.unwrap_or(1)),
            padded: true,
        },
        "TEXT" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "CLOB" | "CITEXT" => TypeClass::Text {
            max_len: text_limit(&name),
            padded: false,
        },
        _ => classify_temporal(&name, first).unwrap_or(TypeClass::Other(normalised)),
    }
}

/// Reads date/time type names (`TIMESTAMP(3) WITH TIME ZONE` arrives as name
/// `TIMESTAMP WITH TIME ZONE` and argument 3).
fn classify_temporal(name: &str, precision: Option<u64>) -> Option<TypeClass> {
    let kind = match name {
        "DATE" => TemporalKind::Date,
        "TIME" | "TIME WITHOUT TIME ZONE" | "TIMETZ" | "TIME WITH TIME ZONE" => TemporalKind::Time,
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" | "DATETIME" => TemporalKind::Timestamp,
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => TemporalKind::TimestampTz,
        _ => return None,
    };
    Some(TypeClass::Temporal { kind, precision })
}

/// MySQL's TEXT sizes (bytes); unbounded elsewhere.
fn text_limit(name: &str) -> Option<u64> {
    match name {
        "TINYTEXT" => Some(255),
        "MEDIUMTEXT" => Some(16_777_215),
        _ => None,
    }
}

/// Uppercase, without quotes, with single spaces.
fn normalise(declared: &str) -> String {
    declared
        .replace(['"', '`'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

/// `VARCHAR(10)` -> (`VARCHAR`, [10]); `TIMESTAMP(3) WITH TIME ZONE` ->
/// (`TIMESTAMP WITH TIME ZONE`, [3]). Non-numeric arguments are left out.
fn split_arguments(normalised: &str) -> (String, Vec<u64>) {
    let Some((head, tail)) = normalised.split_once('(') else {
        return (normalised.to_owned(), Vec::new());
    };
    let (inside, rest) = tail.split_once(')').unwrap_or((tail, ""));
    let args = inside
        .split(',')
        .filter_map(|arg| arg.trim().parse().ok())
        .collect();
    let name = format!("{} {}", head.trim(), rest.trim());
    (name.trim().to_owned(), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widenings() {
        for (before, after) in [
            ("VARCHAR(50)", "VARCHAR(100)"),
            ("VARCHAR(50)", "TEXT"),
            ("INT", "BIGINT"),
            ("INTEGER", "DECIMAL(20,2)"),
            ("DECIMAL(10,2)", "DECIMAL(12,2)"),
            ("TIMESTAMP(3)", "TIMESTAMP(6)"),
            ("DATE", "TIMESTAMP(3)"),
            ("REAL", "DOUBLE PRECISION"),
        ] {
            assert_eq!(
                classify_type_change(before, after),
                TypeChange::Widening,
                "{before} -> {after}"
            );
        }
    }

    #[test]
    fn narrowings() {
        for (before, after) in [
            ("VARCHAR(100)", "VARCHAR(50)"),
            ("TEXT", "VARCHAR(255)"),
            ("TEXT", "INTEGER"),
            ("TEXT", "NUMERIC"),
            ("BIGINT", "INT"),
            ("DECIMAL(12,2)", "DECIMAL(10,2)"),
            ("DECIMAL(10,4)", "DECIMAL(10,2)"),
            ("INTEGER", "TEXT"),
            ("TIMESTAMP(3)", "DATE"),
            ("TIMESTAMP(3)", "TIMESTAMPTZ(3)"),
            ("\"Role\"", "\"Status\""),
            ("BIGINT", "REAL"),
        ] {
            assert_eq!(
                classify_type_change(before, after),
                TypeChange::Narrowing,
                "{before} -> {after}"
            );
        }
    }

    #[test]
    fn same_type_spelled_differently() {
        assert_eq!(classify_type_change("INT", "integer"), TypeChange::Same);
        assert_eq!(
            classify_type_change("character varying(20)", "VARCHAR(20)"),
            TypeChange::Same
        );
        assert_eq!(
            classify_type_change("timestamp(3) without time zone", "TIMESTAMP(3)"),
            TypeChange::Same
        );
    }

    #[test]
    fn postgres_rewrites_all_but_binary_compatible_widenings() {
        assert!(postgres_changes_in_place("VARCHAR(50)", "VARCHAR(100)"));
        assert!(postgres_changes_in_place("VARCHAR(50)", "TEXT"));
        assert!(postgres_changes_in_place("NUMERIC(10,2)", "NUMERIC(12,2)"));
        assert!(!postgres_changes_in_place("INT", "BIGINT"));
        assert!(!postgres_changes_in_place("VARCHAR(100)", "VARCHAR(50)"));
        assert!(!postgres_changes_in_place("NUMERIC(10,2)", "NUMERIC(12,4)"));
        assert!(!postgres_changes_in_place("TEXT", "INTEGER"));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "", "(", ")", "VARCHAR(", "VARCHAR)", "((1,2", "é(3)", "INT[]",
        ] {
            let _ = classify_type_change(text, "TEXT");
            let _ = postgres_changes_in_place(text, "TEXT");
        }
    }
}
