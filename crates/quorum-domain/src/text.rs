//! Limits on free text (titles, names, conclusions), checked once here for every command.

use crate::rejection::Rejection;

/// Longest name or title, in characters.
pub const NAME_MAX: usize = 300;
/// Longest long text (a description, a conclusion, a directive), in characters.
pub const TEXT_MAX: usize = 20_000;

/// Checks a required one-line text: not blank, at most `max` characters, no control
/// characters.
pub(crate) fn required_line(field: &str, value: &str, max: usize) -> Result<(), Rejection> {
    if value.trim().is_empty() {
        return Err(Rejection::invalid(field, "must not be blank"));
    }
    line(field, value, max)
}

/// Checks an optional one-line text: at most `max` characters, no control characters.
pub(crate) fn line(field: &str, value: &str, max: usize) -> Result<(), Rejection> {
    if value.chars().count() > max {
        return Err(Rejection::invalid(field, "is too long"));
    }
    if value.chars().any(char::is_control) {
        return Err(Rejection::invalid(
            field,
            "must not hold control characters",
        ));
    }
    Ok(())
}

/// Checks a required multi-line text: not blank, at most `max` characters, no control
/// characters other than line breaks and tabs.
pub(crate) fn required_text(field: &str, value: &str, max: usize) -> Result<(), Rejection> {
    if value.trim().is_empty() {
        return Err(Rejection::invalid(field, "must not be blank"));
    }
    paragraph(field, value, max)
}

/// Checks an optional multi-line text.
pub(crate) fn paragraph(field: &str, value: &str, max: usize) -> Result<(), Rejection> {
    if value.chars().count() > max {
        return Err(Rejection::invalid(field, "is too long"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Rejection::invalid(
            field,
            "must not hold control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_text_is_measured_in_characters() {
        let title = "Nghị quyết về kế hoạch phòng, chống thiên tai năm 2027";
        assert!(required_line("title", title, 60).is_ok());
        assert!(required_line("title", "   ", 60).is_err());
        assert!(required_line("title", "a\u{7}b", 60).is_err());
        assert!(required_text("text", "dòng 1\ndòng 2", 60).is_ok());
        assert!(line("name", &"ệ".repeat(301), NAME_MAX).is_err());
    }
}
