//! Amounts in øre (hundredths of a krone), never floating point: parsing what a Danish user types
//! (`1.234,50`) and showing it back (`1.234,50 kr.`).

/// The highest price per unit we accept: above it a typing error (an extra zero, øre typed as
/// kroner) is far likelier than a real price. 5 mio. kr. exceeds a year in the most specialised
/// døgninstitution.
pub const MAX_PRICE_ORE: i64 = 500_000_000;

/// Parses a non-negative amount in kroner as typed: `1234`, `1.234`, `1234,5`, `1.234,50`, with
/// or without `kr.`. `label` names the field in messages (e.g. "prisen").
pub fn parse_kroner(input: &str, label: &str) -> Result<i64, String> {
    parse_amount(input, label, MAX_PRICE_ORE)
}

/// The highest budget we accept for one area and year: 100 mia. kr.
pub const MAX_BUDGET_ORE: i64 = 10_000_000_000_000;

/// Like [`parse_kroner`] with another ceiling (`max_ore`).
pub fn parse_amount(input: &str, label: &str, max_ore: i64) -> Result<i64, String> {
    let cleaned: String = input
        .trim()
        .trim_end_matches('.')
        .trim_end_matches("kr")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Err(format!("Udfyld {label}"));
    }
    let form = || format!("Skriv {label} i kroner, fx 1.234,50");
    if cleaned.starts_with('-') {
        return Err(format!("{} kan ikke være negativ", capitalised(label)));
    }
    let (whole, fraction) = match cleaned.split_once(',') {
        Some((whole, fraction)) => (whole, fraction),
        None => (cleaned.as_str(), ""),
    };
    if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(form());
    }
    let groups: Vec<&str> = whole.split('.').collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    if digits.is_empty() || !grouped_well || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(form());
    }
    let kroner: i64 = digits.parse().map_err(|_| too_high(label, max_ore))?;
    let ore_part: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let ore = kroner
        .checked_mul(100)
        .and_then(|k| k.checked_add(ore_part))
        .ok_or_else(|| too_high(label, max_ore))?;
    if ore > max_ore {
        return Err(too_high(label, max_ore));
    }
    Ok(ore)
}

fn too_high(label: &str, max_ore: i64) -> String {
    format!(
        "{} er urimeligt høj (over {}). Tjek beløbet",
        capitalised(label),
        format_kroner(max_ore)
    )
}

fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `1.234,50 kr.`; negative amounts get a minus sign.
pub fn format_kroner(ore: i64) -> String {
    format!("{} kr.", format_amount(ore))
}

/// `1.234,50` without the currency, as typed in a form field.
pub fn format_amount(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    let kroner = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in kroner.chars().enumerate() {
        if i > 0 && (kroner.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

/// Whole kroner, rounded, with thousands separators (`1.234 kr.`) for overviews.
pub fn format_whole_kroner(ore: i64) -> String {
    let rounded = (ore + ore.signum() * 50) / 100 * 100;
    let text = format_amount(rounded);
    format!("{} kr.", text.trim_end_matches(",00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_amounts_parse_to_ore() {
        for (typed, ore) in [
            ("1234", 123_400),
            ("1.234", 123_400),
            ("1.234,5", 123_450),
            ("1.234,50 kr.", 123_450),
            ("0", 0),
            (" 12 345,07 ", 1_234_507),
            ("1.000.000", 100_000_000),
        ] {
            assert_eq!(parse_kroner(typed, "prisen"), Ok(ore), "{typed}");
        }
    }

    #[test]
    fn negative_malformed_and_absurd_amounts_are_refused_in_danish() {
        assert_eq!(
            parse_kroner("-10", "prisen"),
            Err("Prisen kan ikke være negativ".into())
        );
        for typed in ["12,345", "1.23", "abc", "1,2,3", ".123", "12.3456"] {
            assert!(
                parse_kroner(typed, "prisen")
                    .unwrap_err()
                    .starts_with("Skriv prisen i kroner"),
                "{typed}"
            );
        }
        assert!(
            parse_kroner("5.000.000,01", "prisen")
                .unwrap_err()
                .contains("urimeligt høj")
        );
        assert!(parse_kroner("99999999999999999999", "prisen").is_err());
        assert_eq!(parse_kroner("", "prisen"), Err("Udfyld prisen".into()));
    }

    #[test]
    fn amounts_format_the_danish_way() {
        assert_eq!(format_kroner(123_450), "1.234,50 kr.");
        assert_eq!(format_kroner(5), "0,05 kr.");
        assert_eq!(format_kroner(-100_000_000), "-1.000.000,00 kr.");
        assert_eq!(format_whole_kroner(123_450), "1.235 kr.");
        assert_eq!(format_whole_kroner(-123_450), "-1.235 kr.");
        for ore in [0, 1, 99, 100, 123_456_789] {
            assert_eq!(
                parse_kroner(&format_amount(ore), "beløbet"),
                Ok(ore),
                "round trip {ore}"
            );
        }
    }
}
