//! The child's network (netværk): the people around the child and how they relate to it —
//! parents, custody holders (forældremyndighedsindehavere), siblings, household, other family,
//! network persons and foster family. Letters to the parties go to the custody holders.

use serde::{Deserialize, Serialize};

use crate::{FieldErrors, child::name, cpr::Cpr, text::optional_line};

/// How a person relates to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    Mother,
    Father,
    Sibling,
    HalfSibling,
    Household,
    Family,
    Network,
    FosterFamily,
}

impl RelationKind {
    pub const ALL: [RelationKind; 8] = [
        RelationKind::Mother,
        RelationKind::Father,
        RelationKind::Sibling,
        RelationKind::HalfSibling,
        RelationKind::Household,
        RelationKind::Family,
        RelationKind::Network,
        RelationKind::FosterFamily,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RelationKind::Mother => "mother",
            RelationKind::Father => "father",
            RelationKind::Sibling => "sibling",
            RelationKind::HalfSibling => "half_sibling",
            RelationKind::Household => "household",
            RelationKind::Family => "family",
            RelationKind::Network => "network",
            RelationKind::FosterFamily => "foster_family",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RelationKind::Mother => "Mor",
            RelationKind::Father => "Far",
            RelationKind::Sibling => "Søskende",
            RelationKind::HalfSibling => "Halvsøskende",
            RelationKind::Household => "Husstandsmedlem",
            RelationKind::Family => "Anden familie",
            RelationKind::Network => "Netværksperson",
            RelationKind::FosterFamily => "Plejefamilie",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Vælg personens relation til barnet".to_owned())
    }

    /// Siblings are children themselves and cannot hold custody of the child.
    fn may_hold_custody(self) -> bool {
        !matches!(self, RelationKind::Sibling | RelationKind::HalfSibling)
    }
}

/// A person and their relation to the child, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewRelationInput {
    pub first_name: String,
    pub last_name: String,
    pub cpr: Option<String>,
    pub kind: String,
    pub custody: bool,
    /// Address lines, one per line.
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// A validated person with their relation to the child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelation {
    pub first_name: String,
    pub last_name: String,
    pub cpr: Option<Cpr>,
    pub kind: RelationKind,
    pub custody: bool,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

const ADDRESS_LINES: usize = 5;
const LINE_MAX: usize = 100;

fn address(text: &str) -> Result<Vec<String>, String> {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| optional_line(line, "en adresselinje", LINE_MAX).map(Option::unwrap_or_default))
        .collect::<Result<_, _>>()?;
    if lines.len() > ADDRESS_LINES {
        return Err(format!("Adressen må højst have {ADDRESS_LINES} linjer"));
    }
    Ok(lines)
}

fn phone(text: &str) -> Result<Option<String>, String> {
    let phone = optional_line(text, "telefonnummeret", 20)?;
    if phone.as_deref().is_some_and(|p| {
        !p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-'))
    }) {
        return Err("Telefonnummeret må kun indeholde cifre, mellemrum, + og -".into());
    }
    Ok(phone)
}

fn email(text: &str) -> Result<Option<String>, String> {
    let email = optional_line(text, "e-mailadressen", 254)?;
    if let Some(email) = &email {
        let valid = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        }) && !email.contains(' ');
        if !valid {
            return Err("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk".into());
        }
    }
    Ok(email)
}

impl NewRelation {
    /// Validates every field; `child_cpr` is the child's own CPR (a child is not its own relative).
    pub fn parse(input: &NewRelationInput, child_cpr: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = errors.take("first_name", name(&input.first_name, "fornavn"));
        let last_name = errors.take("last_name", name(&input.last_name, "efternavn"));
        let cpr = match input.cpr.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(text) => errors.take("cpr", Cpr::parse(text)).map(Some),
        };
        if let (Some(Some(cpr)), Some(child)) = (&cpr, child_cpr)
            && cpr.digits() == child
        {
            errors.add(
                "cpr",
                "Det er barnets eget CPR-nummer. Et barn kan ikke være sin egen relation",
            );
        }
        let kind = errors.take("kind", RelationKind::parse(&input.kind));
        if let Some(kind) = kind
            && input.custody
            && !kind.may_hold_custody()
        {
            errors.add(
                "custody",
                format!(
                    "{} kan ikke have forældremyndighed over barnet",
                    kind.label()
                ),
            );
        }
        let address = errors.take("address", address(&input.address));
        let phone = errors.take("phone", phone(&input.phone));
        let email = errors.take("email", email(&input.email));
        match (first_name, last_name, cpr, kind, address, phone, email) {
            (
                Some(first_name),
                Some(last_name),
                Some(cpr),
                Some(kind),
                Some(address),
                Some(phone),
                Some(email),
            ) if errors.is_empty() => Ok(NewRelation {
                first_name,
                last_name,
                cpr,
                kind,
                custody: input.custody,
                address,
                phone,
                email,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NewRelationInput {
        NewRelationInput {
            first_name: "Mette".into(),
            last_name: "Hansen".into(),
            cpr: Some("0101904002".into()),
            kind: "mother".into(),
            custody: true,
            address: "Skolevej 2, 1. tv.\r\n\r\n9999 Værnby\n".into(),
            phone: "+45 12 34 56 78".into(),
            email: "mette@eksempel.dk".into(),
        }
    }

    #[test]
    fn a_mother_with_custody_and_address() {
        let relation = NewRelation::parse(&input(), Some("0101164005")).unwrap();
        assert_eq!(relation.kind, RelationKind::Mother);
        assert!(relation.custody);
        assert_eq!(relation.address, ["Skolevej 2, 1. tv.", "9999 Værnby"]);
        assert_eq!(relation.phone.as_deref(), Some("+45 12 34 56 78"));
    }

    #[test]
    fn bad_input_is_explained_per_field() {
        type Change = fn(&mut NewRelationInput);
        let cases: [(Change, &str, &str); 8] = [
            (
                |i| i.first_name = " ".into(),
                "first_name",
                "Udfyld fornavn",
            ),
            (
                |i| i.cpr = Some("0101164005".into()),
                "cpr",
                "barnets eget CPR-nummer",
            ),
            (|i| i.cpr = Some("3213901234".into()), "cpr", ""),
            (
                |i| i.kind = "nabo".into(),
                "kind",
                "Vælg personens relation",
            ),
            (
                |i| i.kind = "sibling".into(),
                "custody",
                "Søskende kan ikke have forældremyndighed",
            ),
            (
                |i| i.address = "1\n2\n3\n4\n5\n6".into(),
                "address",
                "højst have 5 linjer",
            ),
            (
                |i| i.phone = "ring mig".into(),
                "phone",
                "kun indeholde cifre",
            ),
            (
                |i| i.email = "mette@".into(),
                "email",
                "gyldig e-mailadresse",
            ),
        ];
        for (change, field, message) in cases {
            let mut bad = input();
            change(&mut bad);
            let errors = NewRelation::parse(&bad, Some("0101164005")).unwrap_err();
            let found = errors
                .for_field(field)
                .unwrap_or_else(|| panic!("{field}: {errors:?}"));
            assert!(found.contains(message), "{field}: {found}");
        }
    }

    #[test]
    fn a_network_person_needs_no_cpr_address_or_contact() {
        let minimal = NewRelationInput {
            first_name: "Lis".into(),
            last_name: "Jensen".into(),
            kind: "network".into(),
            ..Default::default()
        };
        let relation = NewRelation::parse(&minimal, None).unwrap();
        assert_eq!(
            (relation.cpr, relation.address.len(), relation.custody),
            (None, 0, false)
        );
    }
}
