//! Providers (udførere) and their offers (tilbud) with price periods. A price period may not
//! overlap another of the same offer; a gap is allowed (an offer not bought for a while) and is
//! shown, because a measure running through it costs nothing there.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::{
    cost::{PricePeriod, Unit},
    money::{format_kroner, parse_kroner},
};
use crate::{
    FieldErrors,
    address_book::cvr,
    dates::{format_date, parse_date},
    text::required_line,
};

/// What kind of provider it is; decides the budget area of placements with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    FosterFamily,
    MunicipalFosterFamily,
    ResidentialInstitution,
    ResidentialHome,
    OwnRoom,
    FamilyTreatment,
    ContactPerson,
    Other,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 8] = [
        ProviderKind::FosterFamily,
        ProviderKind::MunicipalFosterFamily,
        ProviderKind::ResidentialInstitution,
        ProviderKind::ResidentialHome,
        ProviderKind::OwnRoom,
        ProviderKind::FamilyTreatment,
        ProviderKind::ContactPerson,
        ProviderKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProviderKind::FosterFamily => "foster_family",
            ProviderKind::MunicipalFosterFamily => "municipal_foster_family",
            ProviderKind::ResidentialInstitution => "residential_institution",
            ProviderKind::ResidentialHome => "residential_home",
            ProviderKind::OwnRoom => "own_room",
            ProviderKind::FamilyTreatment => "family_treatment",
            ProviderKind::ContactPerson => "contact_person",
            ProviderKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::FosterFamily => "Plejefamilie",
            ProviderKind::MunicipalFosterFamily => "Kommunal plejefamilie",
            ProviderKind::ResidentialInstitution => "Døgninstitution",
            ProviderKind::ResidentialHome => "Opholdssted",
            ProviderKind::OwnRoom => "Eget værelse eller kollegium",
            ProviderKind::FamilyTreatment => "Familiebehandling",
            ProviderKind::ContactPerson => "Kontaktperson eller støtteperson",
            ProviderKind::Other => "Andet",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Vælg hvilken slags udfører det er".to_owned())
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::parse(code).map_or("Andet", Self::label)
    }
}

/// A provider as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewProviderInput {
    pub name: String,
    pub cvr: String,
    pub kind: String,
    pub tilbudsportal_id: String,
}

/// A valid provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvider {
    pub name: String,
    pub cvr: Option<String>,
    pub kind: ProviderKind,
    pub tilbudsportal_id: Option<String>,
}

impl NewProvider {
    pub fn parse(input: &NewProviderInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", required_line(&input.name, "udførerens navn", 200));
        let cvr = errors.take("cvr", cvr(&input.cvr));
        let kind = errors.take("kind", ProviderKind::parse(&input.kind));
        let tilbudsportal_id = errors.take(
            "tilbudsportal_id",
            tilbudsportal_id(&input.tilbudsportal_id),
        );
        match (name, cvr, kind, tilbudsportal_id) {
            (Some(name), Some(cvr), Some(kind), Some(tilbudsportal_id)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    cvr,
                    kind,
                    tilbudsportal_id,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Tilbudsportalen's id of an offer: digits only.
fn tilbudsportal_id(text: &str) -> Result<Option<String>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.len() > 10 || !trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Err("Tilbudsportalens id består af cifre (højst 10)".into());
    }
    Ok(Some(trimmed.to_owned()))
}

/// An offer as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewOfferInput {
    pub name: String,
    pub unit: String,
}

/// A valid offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub name: String,
    pub unit: Unit,
}

impl NewOffer {
    pub fn parse(input: &NewOfferInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", required_line(&input.name, "tilbuddets navn", 200));
        let unit = errors.take("unit", Unit::parse(&input.unit));
        match (name, unit) {
            (Some(name), Some(unit)) => Ok(Self { name, unit }),
            _ => Err(errors),
        }
    }
}

/// A price period as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PricePeriodInput {
    pub valid_from: String,
    /// Empty for "until further notice".
    pub valid_to: String,
    /// In kroner, Danish style (`1.234,50`).
    pub price: String,
}

impl PricePeriod {
    /// Parses a price period, refusing one that overlaps any of `existing`.
    pub fn parse(input: &PricePeriodInput, existing: &[PricePeriod]) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let from = errors.take("valid_from", parse_date(&input.valid_from));
        let to = match input.valid_to.trim() {
            "" => Some(None),
            text => errors.take("valid_to", parse_date(text)).map(Some),
        };
        let price = errors.take("price", parse_kroner(&input.price, "prisen"));
        let (Some(from), Some(to), Some(price_ore)) = (from, to, price) else {
            return Err(errors);
        };
        let period = PricePeriod {
            from,
            to,
            price_ore,
        };
        if to.is_some_and(|to| to < from) {
            return Err(FieldErrors::single(
                "valid_to",
                "Slutdatoen ligger før startdatoen",
            ));
        }
        if let Some(other) = existing.iter().find(|e| overlaps(e, &period)) {
            return Err(FieldErrors::single(
                "valid_from",
                format!(
                    "Perioden overlapper prisen {} fra {}. Afslut den periode først, eller vælg andre datoer",
                    format_kroner(other.price_ore),
                    period_text(other)
                ),
            ));
        }
        Ok(period)
    }
}

/// Whether two periods share a day.
pub fn overlaps(a: &PricePeriod, b: &PricePeriod) -> bool {
    a.to.is_none_or(|to| b.from <= to) && b.to.is_none_or(|to| a.from <= to)
}

/// `01.01.2026 til 31.12.2026` or `01.01.2026 og indtil videre`.
pub fn period_text(p: &PricePeriod) -> String {
    match p.to {
        Some(to) => format!("{} til {}", format_date(p.from), format_date(to)),
        None => format!("{} og indtil videre", format_date(p.from)),
    }
}

/// The gaps between consecutive periods (first and last day without a price).
pub fn gaps(periods: &[PricePeriod]) -> Vec<(Date, Date)> {
    let mut sorted: Vec<&PricePeriod> = periods.iter().collect();
    sorted.sort_by_key(|p| p.from);
    sorted
        .windows(2)
        .filter_map(|pair| {
            let end = pair[0].to?;
            let next = pair[1].from;
            (next > end + Duration::days(1))
                .then(|| (end + Duration::days(1), next - Duration::days(1)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(from: &str, to: &str, price: &str) -> PricePeriodInput {
        PricePeriodInput {
            valid_from: from.into(),
            valid_to: to.into(),
            price: price.into(),
        }
    }

    #[test]
    fn overlapping_price_periods_are_refused_and_gaps_allowed() {
        let existing = [PricePeriod {
            from: date!(2026 - 01 - 01),
            to: Some(date!(2026 - 12 - 31)),
            price_ore: 100_000,
        }];
        let overlap = PricePeriod::parse(&input("2026-12-01", "", "1.100"), &existing).unwrap_err();
        assert_eq!(
            overlap.for_field("valid_from"),
            Some(
                "Perioden overlapper prisen 1.000,00 kr. fra 01.01.2026 til 31.12.2026. Afslut den \
                 periode først, eller vælg andre datoer"
            )
        );
        let open_before = PricePeriod::parse(&input("2025-01-01", "", "900"), &existing);
        assert!(open_before.is_err(), "an open-ended period before overlaps");
        let after_gap = PricePeriod::parse(&input("2027-02-01", "", "1.100"), &existing).unwrap();
        let all = [existing[0], after_gap];
        assert_eq!(
            gaps(&all),
            vec![(date!(2027 - 01 - 01), date!(2027 - 01 - 31))]
        );
        let adjoining = PricePeriod::parse(&input("2027-01-01", "2027-01-31", "1.050"), &all);
        assert!(adjoining.is_ok());
    }

    #[test]
    fn bad_price_periods_get_danish_messages_at_the_field() {
        let e = PricePeriod::parse(&input("2026-02-01", "2026-01-01", "100"), &[]).unwrap_err();
        assert_eq!(
            e.for_field("valid_to"),
            Some("Slutdatoen ligger før startdatoen")
        );
        let e = PricePeriod::parse(&input("31.02.2026", "", "-5"), &[]).unwrap_err();
        assert!(e.for_field("valid_from").is_some());
        assert_eq!(e.for_field("price"), Some("Prisen kan ikke være negativ"));
        let e = PricePeriod::parse(&input("2026-01-01", "", "9.000.000"), &[]).unwrap_err();
        assert!(e.for_field("price").unwrap().contains("urimeligt høj"));
    }

    #[test]
    fn a_provider_needs_a_name_and_kind_and_a_valid_cvr() {
        let e = NewProvider::parse(&NewProviderInput {
            cvr: "12345678".into(),
            tilbudsportal_id: "abc".into(),
            ..Default::default()
        })
        .unwrap_err();
        for field in ["name", "cvr", "kind", "tilbudsportal_id"] {
            assert!(e.for_field(field).is_some(), "{field}");
        }
        let ok = NewProvider::parse(&NewProviderInput {
            name: "Solsikken".into(),
            cvr: "".into(),
            kind: "residential_home".into(),
            tilbudsportal_id: "12345".into(),
        })
        .unwrap();
        assert_eq!(ok.kind, ProviderKind::ResidentialHome);
    }
}
