//! Free-text fields: required/optional checks and limits. Text is stored as typed (HTML included)
//! and escaped wherever it is shown; only control characters are refused, because they have no
//! place in a case file and break exports.

/// Checks a required single-line text: trimmed, non-empty, at most `max` characters.
pub fn required_line(value: &str, label: &str, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(format!("Udfyld {label}"));
    }
    line(trimmed, label, max)
}

/// Checks an optional single-line text; empty becomes `None`.
pub fn optional_line(value: &str, label: &str, max: usize) -> Result<Option<String>, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Ok(None)
    } else {
        line(trimmed, label, max).map(Some)
    }
}

fn line(trimmed: &str, label: &str, max: usize) -> Result<String, String> {
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(format!(
            "{} må højst være {max} tegn (der er {chars})",
            capitalise(label)
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!(
            "{} må ikke indeholde kontroltegn som linjeskift eller tabulator",
            capitalise(label)
        ));
    }
    Ok(trimmed.to_owned())
}

/// Checks an optional multi-line text; empty becomes `None`.
pub fn optional_text(value: &str, label: &str, max: usize) -> Result<Option<String>, String> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        required_text(value, label, max).map(Some)
    }
}

/// Checks a required multi-line text: line breaks allowed, other control characters not.
pub fn required_text(value: &str, label: &str, max: usize) -> Result<String, String> {
    let normalised = value.replace("\r\n", "\n");
    let trimmed = normalised.trim();
    if trimmed.is_empty() {
        return Err(format!("Udfyld {label}"));
    }
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(format!(
            "{} må højst være {max} tegn (der er {chars})",
            capitalise(label)
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(format!(
            "{} indeholder ugyldige kontroltegn",
            capitalise(label)
        ));
    }
    Ok(trimmed.to_owned())
}

/// A lowercase, accent-preserving form for case-insensitive search. SQLite's `lower()` only
/// folds ASCII, so names are folded here (æ/ø/å included) and stored beside the original.
pub fn search_form(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn capitalise(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_required_line_asks_to_be_filled_in() {
        assert_eq!(
            required_line("  ", "fornavn", 10),
            Err("Udfyld fornavn".into())
        );
    }

    #[test]
    fn a_line_longer_than_the_limit_is_rejected_with_its_length() {
        let err = required_line("abcdefghijk", "fornavn", 10).unwrap_err();
        assert_eq!(err, "Fornavn må højst være 10 tegn (der er 11)");
    }

    #[test]
    fn html_is_kept_as_text_not_rejected() {
        assert_eq!(
            required_text("<script>alert(1)</script>", "tekst", 100).unwrap(),
            "<script>alert(1)</script>"
        );
    }

    #[test]
    fn a_line_with_a_control_character_is_rejected() {
        assert!(required_line("Ann\u{7}a", "fornavn", 10).is_err());
    }

    #[test]
    fn search_form_folds_danish_letters_and_spaces() {
        assert_eq!(search_form("  Søren   ÆBLØ "), "søren æblø");
    }
}
