//! Measures (indsatser) on a child's case: legal basis, offer, quantity, dates, purpose and
//! expected duration (BL § 32, stk. 3), status, budget area, and who may approve them under the
//! municipality's kompetenceplan.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::{
    cost::{HoursPer, QUANTITY_SCALE, Unit},
    money::format_kroner,
    offers::ProviderKind,
};
use crate::{
    FieldErrors, Role,
    dates::parse_date,
    law::{PARAGRAPHS, Paragraph},
    text::required_text,
};

/// A measure's status: planned → approved → active → ended. A planned or approved measure that
/// is dropped ends too, with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Planned,
    Approved,
    Active,
    Ended,
}

impl MeasureStatus {
    pub const ALL: [MeasureStatus; 4] = [
        MeasureStatus::Planned,
        MeasureStatus::Approved,
        MeasureStatus::Active,
        MeasureStatus::Ended,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "planned",
            MeasureStatus::Approved => "approved",
            MeasureStatus::Active => "active",
            MeasureStatus::Ended => "ended",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "Planlagt",
            MeasureStatus::Approved => "Godkendt",
            MeasureStatus::Active => "Igangsat",
            MeasureStatus::Ended => "Afsluttet",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::parse(code).map_or("Ukendt", Self::label)
    }

    /// Whether the municipality has committed to paying for it.
    pub fn committed(self) -> bool {
        matches!(self, MeasureStatus::Approved | MeasureStatus::Active)
    }
}

/// The legal bases a measure can rest on: § 30, the eight kinds of § 32, placements under
/// §§ 46-47 and ungestøtte (§ 114).
pub fn legal_bases() -> impl Iterator<Item = &'static Paragraph> {
    PARAGRAPHS.iter()
}

fn legal_basis(id: &str) -> Result<&'static Paragraph, String> {
    legal_bases()
        .find(|p| p.id == id.trim())
        .ok_or_else(|| "Vælg indsatsens hjemmel".to_owned())
}

/// Placements and stays away from home: their budget area follows the provider's kind.
fn is_placement(basis: &str) -> bool {
    matches!(basis, "bl46" | "bl47" | "bl32_1_6" | "bl32_1_7")
}

/// A budget area (the finance staff's budget is set per area and year). The account is the
/// function of the authorised municipal chart of accounts (hovedfunktion 5.28, tilbud til børn og
/// unge med særlige behov) the payments are posted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureGroup {
    Preventive,
    FosterCare,
    ResidentialHome,
    ResidentialInstitution,
    YoungAdults,
}

impl MeasureGroup {
    pub const ALL: [MeasureGroup; 5] = [
        MeasureGroup::Preventive,
        MeasureGroup::FosterCare,
        MeasureGroup::ResidentialHome,
        MeasureGroup::ResidentialInstitution,
        MeasureGroup::YoungAdults,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeasureGroup::Preventive => "preventive",
            MeasureGroup::FosterCare => "foster_care",
            MeasureGroup::ResidentialHome => "residential_home",
            MeasureGroup::ResidentialInstitution => "residential_institution",
            MeasureGroup::YoungAdults => "young_adults",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureGroup::Preventive => "Forebyggende indsatser",
            MeasureGroup::FosterCare => "Plejefamilier",
            MeasureGroup::ResidentialHome => "Opholdssteder og eget værelse",
            MeasureGroup::ResidentialInstitution => "Døgninstitutioner",
            MeasureGroup::YoungAdults => "Ungestøtte (18-22 år)",
        }
    }

    /// The function account payments are posted on.
    pub fn account(self) -> &'static str {
        match self {
            MeasureGroup::Preventive | MeasureGroup::YoungAdults => "5.28.21",
            MeasureGroup::FosterCare => "5.28.20",
            MeasureGroup::ResidentialHome => "5.28.22",
            MeasureGroup::ResidentialInstitution => "5.28.23",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|g| g.code() == code.trim())
            .ok_or_else(|| "Vælg et budgetområde".to_owned())
    }

    /// The area a measure belongs to by its legal basis and its provider's kind.
    pub fn of(legal_basis: &str, provider: ProviderKind) -> Self {
        if legal_basis == "bl114" {
            return MeasureGroup::YoungAdults;
        }
        if !is_placement(legal_basis) {
            return MeasureGroup::Preventive;
        }
        match provider {
            ProviderKind::FosterFamily | ProviderKind::MunicipalFosterFamily => {
                MeasureGroup::FosterCare
            }
            ProviderKind::ResidentialInstitution => MeasureGroup::ResidentialInstitution,
            _ => MeasureGroup::ResidentialHome,
        }
    }
}

/// A measure as typed (the offer is chosen separately).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MeasureInput {
    pub legal_basis: String,
    pub offer_id: String,
    /// `1`, `1,5`; hours for an hourly offer.
    pub quantity: String,
    /// `week` or `month`; only for an hourly offer.
    pub hours_per: String,
    pub starts_on: String,
    /// The expected end: the measure's expected duration (BL § 32, stk. 3).
    pub ends_on: String,
    pub purpose: String,
}

/// What is bought and for how long: enough to compute the cost (a candidate in the simulation
/// is just this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub quantity: i64,
    pub hours_per: HoursPer,
    pub starts_on: Date,
    pub ends_on: Date,
}

/// A valid measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeasure {
    pub legal_basis: &'static Paragraph,
    pub terms: Terms,
    pub purpose: String,
}

/// The longest expected duration accepted: a child's case runs at most from birth to 23.
const MAX_YEARS: i64 = 23;

/// The most of a unit a measure may buy (hundredths): beyond it, a typing error is likelier.
const MAX_QUANTITY: i64 = 1_000 * QUANTITY_SCALE;

/// Parses `1`, `1,5` or `2,25` into hundredths.
pub fn parse_quantity(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("Udfyld antal".into());
    }
    let (whole, fraction) = trimmed.split_once(',').unwrap_or((trimmed, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 6
        || fraction.len() > 2
        || !digits_only(whole)
        || !digits_only(fraction)
    {
        return Err("Skriv antal som et tal, fx 1 eller 7,5".into());
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| "Skriv antal som et tal, fx 1 eller 7,5")?;
    let fraction: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let quantity = whole * QUANTITY_SCALE + fraction;
    if quantity == 0 {
        return Err("Antal skal være større end 0".into());
    }
    if quantity > MAX_QUANTITY {
        return Err("Antal er urimeligt højt (over 1.000). Tjek det".into());
    }
    Ok(quantity)
}

/// `1`, `7,5` — a quantity in hundredths as a user reads it.
pub fn format_quantity(quantity: i64) -> String {
    let (whole, fraction) = (quantity / QUANTITY_SCALE, quantity % QUANTITY_SCALE);
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

impl Terms {
    /// Validates quantity and dates for an offer priced per `unit`, recording problems in
    /// `errors`.
    pub fn parse(
        input: &MeasureInput,
        unit: Option<Unit>,
        errors: &mut FieldErrors,
    ) -> Option<Self> {
        let quantity = errors.take("quantity", parse_quantity(&input.quantity));
        let hours_per = if unit == Some(Unit::Hour) {
            errors.take("hours_per", HoursPer::parse(&input.hours_per))
        } else {
            Some(HoursPer::Week)
        };
        let starts_on = match input.starts_on.trim() {
            "" => {
                errors.add("starts_on", "Udfyld startdatoen");
                None
            }
            text => errors.take("starts_on", parse_date(text)),
        };
        let ends_on = match input.ends_on.trim() {
            "" => {
                errors.add(
                    "ends_on",
                    "Udfyld den forventede slutdato: afgørelsen skal angive indsatsens \
                     forventede varighed (barnets lov § 32, stk. 3)",
                );
                None
            }
            text => errors.take("ends_on", parse_date(text)),
        };
        let (starts_on, ends_on) = (starts_on?, ends_on?);
        if ends_on < starts_on {
            errors.add("ends_on", "Slutdatoen ligger før startdatoen");
            return None;
        }
        if ends_on - starts_on > Duration::days(MAX_YEARS * 366) {
            errors.add(
                "ends_on",
                format!("Den forventede varighed er over {MAX_YEARS} år. Tjek slutdatoen"),
            );
            return None;
        }
        let (quantity, hours_per) = (quantity?, hours_per?);
        Some(Terms {
            quantity,
            hours_per,
            starts_on,
            ends_on,
        })
    }
}

impl NewMeasure {
    /// Validates a measure for an offer priced per `unit`.
    pub fn parse(input: &MeasureInput, unit: Option<Unit>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let legal_basis = errors.take("legal_basis", legal_basis(&input.legal_basis));
        let terms = Terms::parse(input, unit, &mut errors);
        let purpose = errors.take(
            "purpose",
            required_text(&input.purpose, "formålet med indsatsen", 4000).map_err(|m| {
                format!("{m} (barnets lov § 32, stk. 3: afgørelsen skal angive formålet)")
            }),
        );
        match (legal_basis, terms, purpose) {
            (Some(legal_basis), Some(terms), Some(purpose)) if errors.is_empty() => Ok(Self {
                legal_basis,
                terms,
                purpose,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether a measure whose first year costs `first_year_ore` needs a team lead's approval under
/// the kompetenceplan's `threshold_ore` (none set: every measure does).
pub fn needs_lead_approval(first_year_ore: i64, threshold_ore: Option<i64>) -> bool {
    threshold_ore.is_none_or(|threshold| first_year_ore > threshold)
}

/// Whether `role` may approve a measure: below the threshold its caseworker may; above it a team
/// lead must, and never one who created the measure (four eyes).
pub fn may_approve(
    role: Role,
    created_it: bool,
    first_year_ore: i64,
    threshold_ore: Option<i64>,
) -> Result<(), String> {
    if !needs_lead_approval(first_year_ore, threshold_ore) {
        return Ok(());
    }
    let limit = threshold_ore.map_or_else(
        || "Kommunen har ikke fastsat en beløbsgrænse, så alle indsatser".to_owned(),
        |t| format!("Indsatser over {} det første år", format_kroner(t)),
    );
    if role != Role::TeamLead {
        return Err(format!(
            "{limit} skal godkendes af en teamleder (kommunens kompetenceplan). Indsatsen står \
             nu i teamlederens godkendelseskø"
        ));
    }
    if created_it {
        return Err(format!(
            "Du kan ikke godkende en indsats, du selv har oprettet. {limit} skal godkendes af \
             en anden teamleder"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MeasureInput {
        MeasureInput {
            legal_basis: "bl32_1_3".into(),
            offer_id: String::new(),
            quantity: "1".into(),
            hours_per: String::new(),
            starts_on: "2027-01-01".into(),
            ends_on: "2027-06-30".into(),
            purpose: "At styrke Emmas skolegang".into(),
        }
    }

    /// BL § 32, stk. 3: the decision states the measure's purpose and expected duration.
    #[test]
    fn a_measure_without_purpose_or_expected_duration_is_refused_citing_section_32() {
        for (field, change) in [
            (
                "purpose",
                MeasureInput {
                    purpose: " ".into(),
                    ..input()
                },
            ),
            (
                "ends_on",
                MeasureInput {
                    ends_on: "".into(),
                    ..input()
                },
            ),
        ] {
            let errors = NewMeasure::parse(&change, Some(Unit::Day)).unwrap_err();
            assert!(
                errors.for_field(field).unwrap().contains("§ 32, stk. 3"),
                "{field}: {errors:?}"
            );
        }
    }

    #[test]
    fn bad_measure_input_gets_a_message_at_each_field() {
        let errors = NewMeasure::parse(
            &MeasureInput {
                legal_basis: "sel52".into(),
                quantity: "0".into(),
                starts_on: "2027-02-01".into(),
                ends_on: "2027-01-01".into(),
                ..input()
            },
            Some(Unit::Hour),
        )
        .unwrap_err();
        assert_eq!(
            errors.for_field("legal_basis"),
            Some("Vælg indsatsens hjemmel")
        );
        assert_eq!(
            errors.for_field("quantity"),
            Some("Antal skal være større end 0")
        );
        assert!(
            errors.for_field("hours_per").is_some(),
            "hourly offers say per week or month"
        );
        assert_eq!(
            errors.for_field("ends_on"),
            Some("Slutdatoen ligger før startdatoen")
        );
        let long = NewMeasure::parse(
            &MeasureInput {
                ends_on: "2060-01-01".into(),
                ..input()
            },
            None,
        );
        assert!(
            long.unwrap_err()
                .for_field("ends_on")
                .unwrap()
                .contains("over 23 år")
        );
    }

    #[test]
    fn quantities_are_hundredths() {
        assert_eq!(parse_quantity("7,5"), Ok(750));
        assert_eq!(parse_quantity("2,25"), Ok(225));
        assert_eq!(format_quantity(750), "7,5");
        assert_eq!(format_quantity(225), "2,25");
        assert_eq!(format_quantity(100), "1");
        assert!(parse_quantity("1.5").is_err());
        assert!(parse_quantity("1001").unwrap_err().contains("urimeligt"));
    }

    /// The kompetenceplan: above the threshold a team lead approves, never their own measure.
    #[test]
    fn approval_follows_the_kompetenceplan() {
        let threshold = Some(50_000_000);
        let table = [
            (Role::Caseworker, false, 40_000_000, Ok(())),
            (Role::Caseworker, true, 40_000_000, Ok(())),
            (Role::Caseworker, true, 60_000_000, Err("teamleder")),
            (Role::TeamLead, false, 60_000_000, Ok(())),
            (Role::TeamLead, true, 60_000_000, Err("selv har oprettet")),
        ];
        for (role, created, amount, expected) in table {
            let result = may_approve(role, created, amount, threshold);
            match expected {
                Ok(()) => assert_eq!(result, Ok(()), "{role:?} {created} {amount}"),
                Err(fragment) => assert!(
                    result.unwrap_err().contains(fragment),
                    "{role:?} {created} {amount}"
                ),
            }
        }
        assert!(
            needs_lead_approval(1, None),
            "no threshold set: leads approve everything"
        );
        assert!(
            !needs_lead_approval(50_000_000, threshold),
            "at the threshold is not above it"
        );
    }

    #[test]
    fn placements_are_budgeted_by_provider_kind_and_the_rest_as_preventive() {
        assert_eq!(
            MeasureGroup::of("bl46", ProviderKind::FosterFamily),
            MeasureGroup::FosterCare
        );
        assert_eq!(
            MeasureGroup::of("bl47", ProviderKind::ResidentialInstitution),
            MeasureGroup::ResidentialInstitution
        );
        assert_eq!(
            MeasureGroup::of("bl32_1_3", ProviderKind::FosterFamily),
            MeasureGroup::Preventive
        );
        assert_eq!(
            MeasureGroup::of("bl114", ProviderKind::OwnRoom),
            MeasureGroup::YoungAdults
        );
    }
}
