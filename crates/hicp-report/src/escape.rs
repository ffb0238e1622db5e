//! Escaping for text placed in HTML and SVG (both XML-like). Every piece of user- or
//! catalog-supplied text goes through [`text`] or [`attr`] before it reaches markup.

use std::fmt::Write;

/// Escapes text for an element body or a double-quoted attribute value.
///
/// Escaping quotes as well as `<`, `>` and `&` lets one function serve both places; control
/// characters other than tab, newline and carriage return are dropped because XML 1.0 forbids
/// them and a single one would make an SVG unreadable to strict parsers (typst's among them).
pub fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    push_text(&mut out, raw);
    out
}

/// Appends the escaped form of `raw` to `out` without an intermediate allocation.
pub fn push_text(out: &mut String, raw: &str) {
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A double-quoted CSS string literal holding `raw` as plain text.
///
/// Everything but ASCII letters, digits and spaces becomes a six-digit CSS escape, so neither a
/// quote, a backslash, a newline nor `</style>` in the text can end the string or the style
/// sheet. Control characters are dropped, as in [`text`].
pub fn css_string(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() * 2 + 2);
    out.push('"');
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else if !c.is_control() {
            let _ = write!(out, "\\{:06X}", u32::from(c));
        }
    }
    out.push('"');
    out
}

/// Formats a number with one decimal, for deterministic output (no `-0.0`); pages use it too,
/// so a figure reads the same on screen and in a report.
pub fn num(value: f64) -> String {
    let mut s = String::new();
    let rounded = (value * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let _ = write!(s, "{rounded:.1}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_neutralised() {
        assert_eq!(
            text(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn attribute_breakout_is_impossible() {
        let hostile = r#"" onmouseover="alert(1)"#;
        let escaped = text(hostile);
        assert!(!escaped.contains('"'), "{escaped}");
    }

    #[test]
    fn already_escaped_text_is_escaped_again() {
        // Text is data, never markup: an entity typed by a user shows as typed.
        assert_eq!(text("&lt;"), "&amp;lt;");
    }

    #[test]
    fn control_characters_are_dropped_but_whitespace_kept() {
        assert_eq!(text("a\u{0}b\u{1b}c\td\ne"), "abc\td\ne");
    }

    #[test]
    fn non_ascii_passes_through() {
        assert_eq!(
            text("Clínica São José — 診療所"),
            "Clínica São José — 診療所"
        );
    }

    #[test]
    fn css_strings_cannot_be_closed_from_inside() {
        assert_eq!(css_string("A b"), "\"A b\"");
        let hostile = css_string("x\"; } </style><script>\\\n");
        assert_eq!(hostile.matches('"').count(), 2, "{hostile}");
        assert!(
            !hostile.contains('<') && !hostile.contains('\n'),
            "{hostile}"
        );
        assert_eq!(css_string("é"), "\"\\0000E9\"");
    }

    #[test]
    fn numbers_are_stable() {
        assert_eq!(num(-0.01), "0.0");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(7.0), "7.0");
    }
}
