//! The merge fields a template may use: the data a letter is made from, its catalogue (shown to
//! administrators in the editor) and a demo case to preview and check templates against.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Everything a letter is made from; stored with the generated document as JSON, so the letter
/// can be explained later. Names are the merge fields' Danish names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterData {
    /// The letter's date, `23. november 2026`.
    pub dato: String,
    pub kommune: MunicipalityFields,
    pub sagsbehandler: CaseworkerFields,
    pub barn: ChildFields,
    /// Whom this letter is addressed to.
    pub modtager: Party,
    /// The custody holders (forældremyndighedsindehavere) with their addresses.
    pub foraeldremyndighed: Vec<Party>,
    /// The underretning the letter answers, when it answers one.
    pub underretning: Option<NotificationFields>,
    /// The fields of this kind of letter, filled in by the caseworker (`brev.begrundelse`, …).
    pub brev: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityFields {
    pub navn: String,
    pub kode: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseworkerFields {
    pub navn: String,
    pub team: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildFields {
    pub navn: String,
    pub fornavn: String,
    /// Masked: `010118-xxxx`; empty for a child without CPR.
    pub cpr: String,
    pub foedselsdato: String,
    pub sagsnummer: String,
}

/// A person or organisation a letter can be addressed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub navn: String,
    /// Address lines, street first.
    pub adresse: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationFields {
    /// When it was received, `5. januar 2026 kl. 09.00`.
    pub modtaget: String,
    pub underretter: String,
    pub organisation: String,
}

/// Every merge field a template may use besides its own `brev.…` fields, with what it holds.
pub const FIELDS: &[(&str, &str)] = &[
    ("dato", "Brevets dato, fx 23. november 2026"),
    ("kommune.navn", "Kommunens navn"),
    ("kommune.kode", "Kommunekoden"),
    ("sagsbehandler.navn", "Sagsbehandlerens navn"),
    ("sagsbehandler.team", "Sagsbehandlerens team"),
    ("barn.navn", "Barnets fulde navn"),
    ("barn.fornavn", "Barnets fornavn"),
    ("barn.cpr", "Barnets CPR-nummer, maskeret (ddmmåå-xxxx)"),
    ("barn.foedselsdato", "Barnets fødselsdato"),
    ("barn.sagsnummer", "Sagsnummeret"),
    ("modtager.navn", "Modtagerens navn"),
    ("modtager.adresse", "Modtagerens adresse (liste af linjer)"),
    (
        "foraeldremyndighed",
        "Forældremyndighedsindehaverne (liste; hver har navn og adresse)",
    ),
    (
        "underretning",
        "Underretningen, brevet svarer på (tom, hvis der ingen er)",
    ),
    (
        "underretning.modtaget",
        "Hvornår underretningen blev modtaget",
    ),
    ("underretning.underretter", "Underretterens navn"),
    ("underretning.organisation", "Underretterens arbejdssted"),
];

/// The fields of a list item: `{% for p in foraeldremyndighed %}{{ p.navn }}`.
pub const ITEM_FIELDS: &[(&str, &str)] = &[
    ("navn", "Navnet"),
    ("adresse", "Adressen (liste af linjer)"),
];

impl LetterData {
    /// The demo case templates are previewed and checked against: every field and every list
    /// has a value, so a misspelt field anywhere in a template shows up at save time.
    pub fn demo(municipality: &str, letter_fields: &[(&str, &str)]) -> Self {
        let parent = |navn: &str, vej: &str| Party {
            navn: navn.into(),
            adresse: vec![vej.into(), "9999 Eksempelby".into()],
        };
        LetterData {
            dato: "23. november 2026".into(),
            kommune: MunicipalityFields {
                navn: municipality.into(),
                kode: "999".into(),
            },
            sagsbehandler: CaseworkerFields {
                navn: "Sara Sagsbehandler".into(),
                team: "Team Syd".into(),
            },
            barn: ChildFields {
                navn: "Emma Eksempel".into(),
                fornavn: "Emma".into(),
                cpr: "010118-xxxx".into(),
                foedselsdato: "1. januar 2018".into(),
                sagsnummer: "2026-000123".into(),
            },
            modtager: parent("Mette Eksempel", "Eksempelvej 1, 2. th."),
            foraeldremyndighed: vec![
                parent("Mette Eksempel", "Eksempelvej 1, 2. th."),
                parent("Jonas Eksempel", "Prøvegade 7"),
            ],
            underretning: Some(NotificationFields {
                modtaget: "5. november 2026 kl. 09.00".into(),
                underretter: "Lise Lærer".into(),
                organisation: "Eksempelby Skole".into(),
            }),
            brev: letter_fields
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    leaves(&path, value, out);
                }
            }
            _ => out.push(prefix.to_owned()),
        }
    }

    #[test]
    fn the_catalogue_names_exactly_the_fields_the_data_has() {
        let data = serde_json::to_value(LetterData::demo("Eksempel Kommune", &[])).unwrap();
        let mut found = Vec::new();
        leaves("", &data, &mut found);
        found.retain(|path| path != "brev");
        for path in &found {
            assert!(
                FIELDS.iter().any(|(field, _)| field == path),
                "{path} is not in the catalogue"
            );
        }
        for (field, _) in FIELDS {
            assert!(
                found
                    .iter()
                    .any(|p| p == field || p.starts_with(&format!("{field}."))),
                "{field} is catalogued but not in the data"
            );
        }
    }
}
