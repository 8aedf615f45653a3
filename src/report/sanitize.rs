//! Strip terminal control and escape sequences from untrusted text (PR titles, file names, SQL)
//! before it is printed or drawn.

use std::borrow::Cow;

/// Whether `c` must never reach a terminal: C0 controls (except tab and newline), DEL, C1
/// controls, and the invisible format characters: bidirectional marks, overrides and isolates
/// that make text read differently than it is, and every other default-ignorable code point
/// (zero-width spaces and joiners, word joiners, the BOM, variation selectors, tags, ...),
/// which terminals draw inconsistently (a zero-width joiner makes tmux join two cells and shift
/// the rest of the line).
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || is_invisible_format(c)
}

/// Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt), the other format
/// characters (general category Cf) and the line and paragraph separators.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Removes escape sequences (CSI, OSC, DCS and two-byte `ESC x`) and unsafe characters,
/// keeping newlines and tabs. Returns the input unchanged (borrowed) when it is clean.
pub fn sanitize_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string_body(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize_text`], and also turns newlines and tabs into spaces: for one-line fields
/// such as titles, branch names and file names.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    let clean = sanitize_text(text);
    if clean.contains(['\n', '\t']) {
        Cow::Owned(clean.replace(['\n', '\t'], " "))
    } else {
        clean
    }
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi_body(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string_body(chars),
        // Two-byte sequences (ESC c, ESC 7, ...) and charset selections (ESC ( B).
        Some('(' | ')' | '*' | '+' | '#' | '%') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in `@`..=`~`.
fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// OSC / DCS / PM / APC: up to BEL or ST (`ESC \` or U+009C).
fn skip_string_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize_text("Add recipes"), Cow::Borrowed(_)));
    }

    #[test]
    fn strips_csi_osc_and_controls() {
        let title = "\u{1b}[2J\u{1b}[31mDrop\u{1b}[0m users\u{7}\u{1b}]0;pwned\u{7} now\r";
        assert_eq!(sanitize_text(title), "Drop users now");
    }

    #[test]
    fn strips_osc8_hyperlinks_with_st() {
        let s = "\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\";
        assert_eq!(sanitize_text(s), "click");
    }

    #[test]
    fn strips_c1_and_bidi() {
        assert_eq!(sanitize_text("a\u{9b}31mb\u{202E}c"), "abc");
    }

    #[test]
    fn strips_zero_width_and_other_invisible_format_characters() {
        let title = "Fix\u{200D} shop\u{200B}ping\u{2060} list\u{FEFF}\u{00AD} totals\u{E0041}\u{FE0F}\u{2028}";
        assert_eq!(sanitize_text(title), "Fix shopping list totals");
        assert_eq!(sanitize_line("a\u{2029}b\u{180E}c\u{3164}"), "abc");
    }

    #[test]
    fn visible_text_in_any_script_is_kept() {
        for text in [
            "Zoë’s café",
            "日本語のテーブル",
            "مرحبا",
            "e\u{301}",
            "👩🏽",
            "Ⅻ ∑ ∞",
        ] {
            assert_eq!(sanitize_text(text), text);
        }
    }

    #[test]
    fn unterminated_sequences_do_not_panic() {
        assert_eq!(sanitize_text("x\u{1b}["), "x");
        assert_eq!(sanitize_text("x\u{1b}]title"), "x");
        assert_eq!(sanitize_text("\u{1b}"), "");
    }

    #[test]
    fn line_fields_lose_newlines() {
        assert_eq!(sanitize_line("a\nb\tc"), "a b c");
    }
}
