//! The child's network (netværk): the people around the child and how they relate to it —
//! parents, custody holders (forældremyndighedsindehavere), siblings, household, other family,
//! network persons and foster family. Letters to the parties go to the custody holders.

use serde::{Deserialize, Serialize};

use time::Date;

use crate::{FieldErrors, child::name, cpr::Cpr, dates::parse_date, text::optional_line};

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

    /// Network persons and foster families are outside the child's family.
    pub fn is_family(self) -> bool {
        !matches!(self, RelationKind::Network | RelationKind::FosterFamily)
    }

    pub fn is_parent(self) -> bool {
        matches!(self, RelationKind::Mother | RelationKind::Father)
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
    /// `DD.MM.ÅÅÅÅ`; taken from the CPR number when there is one.
    pub birth_date: String,
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
    pub birth_date: Option<Date>,
    pub kind: RelationKind,
    pub custody: bool,
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

const ADDRESS_LINES: usize = 5;
const LINE_MAX: usize = 100;

/// Address lines as typed, one per line: blank lines dropped, each checked, at most five.
pub fn address_lines(text: &str) -> Result<Vec<String>, String> {
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

pub(crate) fn phone(text: &str) -> Result<Option<String>, String> {
    let phone = optional_line(text, "telefonnummeret", 20)?;
    if phone.as_deref().is_some_and(|p| {
        !p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-'))
    }) {
        return Err("Telefonnummeret må kun indeholde cifre, mellemrum, + og -".into());
    }
    Ok(phone)
}

pub(crate) fn email(text: &str) -> Result<Option<String>, String> {
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
    /// Validates every field; `child_cpr` is the child's own CPR (a child is not its own
    /// relative) and `today` bounds the birth date.
    pub fn parse(
        input: &NewRelationInput,
        child_cpr: Option<&str>,
        today: Date,
    ) -> Result<Self, FieldErrors> {
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
        let typed_birth = match input.birth_date.trim() {
            "" => Some(None),
            text => errors
                .take(
                    "birth_date",
                    parse_date(text).and_then(|d| {
                        if d > today {
                            Err("Fødselsdatoen kan ikke ligge i fremtiden".to_owned())
                        } else {
                            Ok(d)
                        }
                    }),
                )
                .map(Some),
        };
        let birth_date = match (&cpr, typed_birth) {
            (Some(Some(cpr)), Some(Some(typed))) if typed != cpr.birth_date() => {
                errors.add(
                    "birth_date",
                    format!(
                        "Fødselsdatoen passer ikke med CPR-nummeret, som giver {}",
                        cpr.birth_date_text()
                    ),
                );
                None
            }
            (Some(Some(cpr)), _) => Some(Some(cpr.birth_date())),
            (_, typed) => typed,
        };
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
        let address = errors.take("address", address_lines(&input.address));
        let phone = errors.take("phone", phone(&input.phone));
        let email = errors.take("email", email(&input.email));
        match (
            first_name, last_name, cpr, birth_date, kind, address, phone, email,
        ) {
            (
                Some(first_name),
                Some(last_name),
                Some(cpr),
                Some(birth_date),
                Some(kind),
                Some(address),
                Some(phone),
                Some(email),
            ) if errors.is_empty() => Ok(NewRelation {
                first_name,
                last_name,
                cpr,
                birth_date,
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

/// A name as it sounds, roughly, in Danish: case, accents, silent h, doubled letters and
/// common spelling variants (c/k, ph/f, z/s, w/v, y/i, æ/ae, ø/oe, å/aa) do not matter.
pub fn phonetic(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut spelled = String::with_capacity(lower.len());
    for c in lower.chars() {
        match c {
            'æ' | 'ä' => spelled.push('e'),
            'ø' | 'ö' | 'å' => spelled.push('o'),
            'é' | 'è' => spelled.push('e'),
            'ü' | 'y' => spelled.push('i'),
            'c' | 'q' => spelled.push('k'),
            'z' => spelled.push('s'),
            'w' => spelled.push('v'),
            c if c.is_alphabetic() => spelled.push(c),
            _ => spelled.push(' '),
        }
    }
    let spelled = spelled
        .replace("ph", "f")
        .replace("th", "t")
        .replace("aa", "o")
        .replace("ae", "e")
        .replace("oe", "o")
        .replace("ks", "x");
    let mut sound = String::with_capacity(spelled.len());
    for c in spelled.chars() {
        // A silent h after a consonant, and doubled letters, make no difference to the ear.
        let previous = sound.chars().last();
        if previous == Some(c) || (c == 'h' && previous.is_some_and(|p| p != ' ')) {
            continue;
        }
        sound.push(c);
    }
    sound.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two full names may be the same person: the same sound, or one letter apart.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (a, b) = (phonetic(a), phonetic(b));
    a == b || edit_distance(&a, &b) <= 1
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        time::macros::date!(2026 - 11 - 23)
    }

    fn input() -> NewRelationInput {
        NewRelationInput {
            first_name: "Mette".into(),
            last_name: "Hansen".into(),
            cpr: Some("0101904002".into()),
            birth_date: String::new(),
            kind: "mother".into(),
            custody: true,
            address: "Skolevej 2, 1. tv.\r\n\r\n9999 Værnby\n".into(),
            phone: "+45 12 34 56 78".into(),
            email: "mette@eksempel.dk".into(),
        }
    }

    #[test]
    fn a_mother_with_custody_and_address() {
        let relation = NewRelation::parse(&input(), Some("0101164005"), today()).unwrap();
        assert_eq!(
            relation.birth_date,
            Some(time::macros::date!(1990 - 01 - 01)),
            "from the CPR"
        );
        assert_eq!(relation.kind, RelationKind::Mother);
        assert!(relation.custody);
        assert_eq!(relation.address, ["Skolevej 2, 1. tv.", "9999 Værnby"]);
        assert_eq!(relation.phone.as_deref(), Some("+45 12 34 56 78"));
    }

    #[test]
    fn bad_input_is_explained_per_field() {
        type Change = fn(&mut NewRelationInput);
        let cases: [(Change, &str, &str); 10] = [
            (
                |i| i.birth_date = "02.01.1990".into(),
                "birth_date",
                "passer ikke med CPR-nummeret",
            ),
            (
                |i| {
                    i.cpr = None;
                    i.birth_date = "01.01.2030".into();
                },
                "birth_date",
                "kan ikke ligge i fremtiden",
            ),
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
            let errors = NewRelation::parse(&bad, Some("0101164005"), today()).unwrap_err();
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
        let relation = NewRelation::parse(&minimal, None, today()).unwrap();
        assert_eq!(
            (relation.cpr, relation.address.len(), relation.custody),
            (None, 0, false)
        );
    }

    #[test]
    fn names_that_sound_alike_are_similar() {
        for (a, b, similar) in [
            ("Mette Hansen", "Mette Hansen", true),
            ("Mette Hansen", "mette hanssen", true),
            ("Mette Hansen", "Mete Hansen", true),
            ("Christian Sørensen", "Kristian Sörensen", true),
            ("Thomas Jensen", "Tomas Jensen", true),
            ("Sofie Jensen", "Sophie Jensen", true),
            ("Åse Møller", "Aase Moeller", true),
            ("Mette Hansen", "Mette Jensen", false),
            ("Anna Berg", "Hanne Borg", false),
        ] {
            assert_eq!(similar_names(a, b), similar, "{a} ~ {b}");
        }
    }
}
