//! Strip terminal control and escape sequences from untrusted text (PR titles, file names, SQL)
//! before it is printed or drawn.

use std::borrow::Cow;

/// Whether `c` must never reach a terminal: C0 controls (except tab and newline), DEL, C1
/// controls, and bidirectional overrides/isolates that can make text read differently than it is.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
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
