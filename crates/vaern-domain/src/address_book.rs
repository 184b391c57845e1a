//! The municipality's shared address book (adressebog): organisations around children — schools,
//! daycare, health services, providers — identified by CVR and P-number, and the professionals
//! who work there (teacher, pædagog, sundhedsplejerske, læge, psykolog). A professional is
//! entered once and linked to every child they know.

use serde::{Deserialize, Serialize};

use crate::{
    FieldErrors,
    child::name,
    network::{address_lines, email, phone},
};

/// What kind of organisation it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    School,
    Daycare,
    Health,
    Provider,
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 5] = [
        OrganisationKind::School,
        OrganisationKind::Daycare,
        OrganisationKind::Health,
        OrganisationKind::Provider,
        OrganisationKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::School => "school",
            OrganisationKind::Daycare => "daycare",
            OrganisationKind::Health => "health",
            OrganisationKind::Provider => "provider",
            OrganisationKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrganisationKind::School => "Skole",
            OrganisationKind::Daycare => "Dagtilbud",
            OrganisationKind::Health => "Sundhed (sundhedspleje, læge, PPR)",
            OrganisationKind::Provider => "Leverandør (tilbud)",
            OrganisationKind::Other => "Andet",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Vælg hvilken slags organisation det er".to_owned())
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::parse(code).map_or("Andet", Self::label)
    }
}

/// A professional's role towards the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfessionalRole {
    Teacher,
    Daycare,
    HealthNurse,
    Doctor,
    Psychologist,
    Other,
}

impl ProfessionalRole {
    pub const ALL: [ProfessionalRole; 6] = [
        ProfessionalRole::Teacher,
        ProfessionalRole::Daycare,
        ProfessionalRole::HealthNurse,
        ProfessionalRole::Doctor,
        ProfessionalRole::Psychologist,
        ProfessionalRole::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProfessionalRole::Teacher => "teacher",
            ProfessionalRole::Daycare => "daycare",
            ProfessionalRole::HealthNurse => "health_nurse",
            ProfessionalRole::Doctor => "doctor",
            ProfessionalRole::Psychologist => "psychologist",
            ProfessionalRole::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProfessionalRole::Teacher => "Lærer",
            ProfessionalRole::Daycare => "Pædagog",
            ProfessionalRole::HealthNurse => "Sundhedsplejerske",
            ProfessionalRole::Doctor => "Læge",
            ProfessionalRole::Psychologist => "Psykolog",
            ProfessionalRole::Other => "Anden fagperson",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Vælg fagpersonens rolle".to_owned())
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::parse(code).map_or("Anden fagperson", Self::label)
    }
}

/// Weights of the CVR number's modulus-11 check (Erhvervsstyrelsen: the weighted digit sum of a
/// CVR number is divisible by 11).
const CVR_WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

/// A CVR number: eight digits passing the modulus-11 check; spaces are ignored.
pub fn cvr(text: &str) -> Result<Option<String>, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("Et CVR-nummer består af 8 cifre".into());
    }
    let sum: u32 = digits
        .chars()
        .zip(CVR_WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if !sum.is_multiple_of(11) {
        return Err("CVR-nummeret findes ikke (kontrolcifferet passer ikke). Tjek det".into());
    }
    Ok(Some(digits))
}

/// A P-number (produktionsenhedsnummer): ten digits; spaces are ignored.
pub fn p_number(text: &str) -> Result<Option<String>, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("Et P-nummer består af 10 cifre".into());
    }
    Ok(Some(digits))
}

/// An organisation as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewOrganisationInput {
    pub name: String,
    pub kind: String,
    pub cvr: String,
    pub p_number: String,
    /// Address lines, one per line.
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// A validated organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
    pub cvr: Option<String>,
    pub p_number: Option<String>,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl NewOrganisation {
    pub fn parse(input: &NewOrganisationInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", name(&input.name, "navn"));
        let kind = errors.take("kind", OrganisationKind::parse(&input.kind));
        let cvr = errors.take("cvr", cvr(&input.cvr));
        let p_number = errors.take("p_number", p_number(&input.p_number));
        let address = errors.take("address", address_lines(&input.address));
        let phone = errors.take("phone", phone(&input.phone));
        let email = errors.take("email", email(&input.email));
        match (name, kind, cvr, p_number, address, phone, email) {
            (
                Some(name),
                Some(kind),
                Some(cvr),
                Some(p_number),
                Some(address),
                Some(phone),
                Some(email),
            ) if errors.is_empty() => Ok(NewOrganisation {
                name,
                kind,
                cvr,
                p_number,
                address,
                phone,
                email,
            }),
            _ => Err(errors),
        }
    }
}

/// A professional as typed; the organisation is chosen from the address book.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewProfessionalInput {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
}

/// A validated professional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfessional {
    pub name: String,
    pub role: ProfessionalRole,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl NewProfessional {
    pub fn parse(input: &NewProfessionalInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", name(&input.name, "navn"));
        let role = errors.take("role", ProfessionalRole::parse(&input.role));
        let phone = errors.take("phone", phone(&input.phone));
        let email = errors.take("email", email(&input.email));
        match (name, role, phone, email) {
            (Some(name), Some(role), Some(phone), Some(email)) if errors.is_empty() => {
                Ok(NewProfessional {
                    name,
                    role,
                    phone,
                    email,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvr_numbers_are_checked_by_modulus_11() {
        for (input, expected) in [
            ("10103940", Ok(Some("10103940"))),
            ("1010 3940", Ok(Some("10103940"))),
            ("", Ok(None)),
            ("10103941", Err("kontrolcifferet")),
            ("1010394", Err("8 cifre")),
            ("1010394x", Err("8 cifre")),
        ] {
            match (cvr(input), expected) {
                (Ok(found), Ok(want)) => assert_eq!(found.as_deref(), want, "{input}"),
                (Err(found), Err(want)) => assert!(found.contains(want), "{input}: {found}"),
                (found, want) => panic!("{input}: {found:?}, wanted {want:?}"),
            }
        }
    }

    fn school() -> NewOrganisationInput {
        NewOrganisationInput {
            name: "Værnby Skole".into(),
            kind: "school".into(),
            cvr: "10103940".into(),
            p_number: "1003388400".into(),
            address: "Skolevej 1\n9999 Værnby".into(),
            phone: "12 34 56 78".into(),
            email: "kontor@vaernby-skole.dk".into(),
        }
    }

    #[test]
    fn an_organisation_is_validated_per_field() {
        let ok = NewOrganisation::parse(&school()).unwrap();
        assert_eq!(ok.kind, OrganisationKind::School);
        assert_eq!(ok.address, ["Skolevej 1", "9999 Værnby"]);
        type Change = fn(&mut NewOrganisationInput);
        let cases: [(Change, &str, &str); 5] = [
            (|i| i.name = " ".into(), "name", "Udfyld navn"),
            (|i| i.kind = "bank".into(), "kind", "Vælg hvilken slags"),
            (|i| i.cvr = "12345678".into(), "cvr", "kontrolcifferet"),
            (|i| i.p_number = "123".into(), "p_number", "10 cifre"),
            (
                |i| i.email = "skolen".into(),
                "email",
                "gyldig e-mailadresse",
            ),
        ];
        for (change, field, message) in cases {
            let mut bad = school();
            change(&mut bad);
            let errors = NewOrganisation::parse(&bad).unwrap_err();
            let found = errors.for_field(field).unwrap_or_else(|| panic!("{field}"));
            assert!(found.contains(message), "{field}: {found}");
        }
    }

    #[test]
    fn a_professional_needs_name_and_role() {
        let errors = NewProfessional::parse(&NewProfessionalInput {
            role: "rektor".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(errors.for_field("name").is_some());
        assert!(errors.for_field("role").unwrap().contains("rolle"));
        let teacher = NewProfessional::parse(&NewProfessionalInput {
            name: "Karen Lærke".into(),
            role: "teacher".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(teacher.role, ProfessionalRole::Teacher);
    }
}
