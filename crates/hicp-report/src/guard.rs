//! Protection against spreadsheet formula injection (CWE-1236): a cell whose text begins with a
//! character a spreadsheet treats as the start of a formula gets a leading apostrophe, so an
//! assessor's note such as `=HYPERLINK(...)` is shown as text instead of being evaluated when the
//! CSV or XLSX is opened.

use std::borrow::Cow;

/// Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula. Tab and
/// carriage return are included because some importers strip them and then see what follows.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text as it should be written to a spreadsheet cell.
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::formula_safe;

    #[test]
    fn formula_starts_are_prefixed() {
        for hostile in [
            "=1+1",
            "+SUM(A1)",
            "-2+3",
            "@SUM(A1)",
            "\t=cmd",
            "\r=cmd",
            "=HYPERLINK(\"http://x\",\"y\")",
        ] {
            assert_eq!(formula_safe(hostile), format!("'{hostile}"), "{hostile:?}");
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for plain in ["IT manager", "1.S.A", "Uses MFA = yes", "", "'quoted"] {
            assert_eq!(formula_safe(plain), plain);
        }
    }
}
