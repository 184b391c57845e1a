//! Letters: the municipality's templates (administrators edit them; a template is checked
//! against the demo case before it is saved) and letters made from them on a child's case,
//! filed as documents together with the data they were made from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vaern_domain::{
    Capability, FieldErrors,
    child::name,
    cpr::Cpr,
    dates::{format_date_long, format_datetime_long},
    document::{FileType, NewDocument, NewDocumentInput},
    network::address_lines,
    process::party::of_party_age,
};
use vaern_letters::{
    Addressee, FieldKind, LETTERHEAD, LetterData, STANDARD, Standard, check, compose,
    missing_glyphs, standard, to_docx, to_pdf,
};
use vaern_store::{
    ChildId, SubCaseId,
    access_log::{self, AccessKind},
    children::Child,
    documents::Document,
    letter_templates::{self, StoredTemplate},
    network,
    notifications::{self, Notification},
    sub_cases::{self, SubCase},
};

use crate::{
    Actor, AppError,
    case_file::{check_sub_case, child_case, parse_sub_case},
    documents::{CaseFiles, record_document, store_file},
    today,
};

/// The longest value of a letter's own field.
const FIELD_MAX: usize = 5_000;
const TITLE_MAX: usize = 200;

/// A kind of letter and the municipality's version of its template, if it changed it.
pub struct TemplateSummary {
    pub standard: &'static Standard,
    pub stored: Option<StoredTemplate>,
}

impl TemplateSummary {
    pub fn title(&self) -> &str {
        self.stored
            .as_ref()
            .map_or(self.standard.title, |t| &t.title)
    }

    pub fn body(&self) -> &str {
        self.stored.as_ref().map_or(self.standard.body, |t| &t.body)
    }
}

fn known(key: &str) -> Result<&'static Standard, AppError> {
    standard(key).ok_or(AppError::NotFound)
}

/// Every kind of letter with the template in use.
pub async fn templates(
    db: &vaern_store::Db,
    actor: &Actor,
) -> Result<Vec<TemplateSummary>, AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let mut stored = letter_templates::current(&mut tx).await?;
    tx.commit().await?;
    Ok(STANDARD
        .iter()
        .map(|standard| TemplateSummary {
            standard,
            stored: stored
                .iter()
                .position(|t| t.template_key == standard.key)
                .map(|at| stored.swap_remove(at)),
        })
        .collect())
}

/// One template in use and the municipality's earlier versions of it, newest first.
pub async fn template(
    db: &vaern_store::Db,
    actor: &Actor,
    key: &str,
) -> Result<(TemplateSummary, Vec<StoredTemplate>), AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let standard = known(key)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let history = letter_templates::history(&mut tx, key).await?;
    tx.commit().await?;
    let stored = history.first().cloned();
    Ok((TemplateSummary { standard, stored }, history))
}

/// A template as an administrator submits it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TemplateInput {
    pub title: String,
    pub body: String,
}

fn check_template(
    actor: &Actor,
    standard: &Standard,
    input: &TemplateInput,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let title = input.title.trim();
    if title.is_empty() {
        errors.add("title", "Udfyld brevets overskrift");
    } else if title.chars().count() > TITLE_MAX {
        errors.add(
            "title",
            format!("Overskriften må højst være {TITLE_MAX} tegn"),
        );
    } else if let Err(message) = printable(title) {
        errors.add("title", message);
    }
    if let Err(problems) = check(standard, &input.body, &actor.municipality_name) {
        errors.add("body", problems.join(". "));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Saves a new version of the municipality's template after checking it; the earlier
/// versions stay (letters already made name the version they used).
pub async fn save_template(
    db: &vaern_store::Db,
    actor: &Actor,
    key: &str,
    input: &TemplateInput,
) -> Result<StoredTemplate, AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let standard = known(key)?;
    check_template(actor, standard, input)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let saved =
        letter_templates::save(&mut tx, key, input.title.trim(), &input.body, actor.user_id)
            .await?;
    tx.commit().await?;
    Ok(saved)
}

/// The template, as submitted, rendered as a PDF on the demo case.
pub async fn preview_template(
    db: &vaern_store::Db,
    actor: &Actor,
    key: &str,
    input: &TemplateInput,
) -> Result<Vec<u8>, AppError> {
    actor.require(Capability::ManageMunicipality)?;
    let standard = known(key)?;
    check_template(actor, standard, input)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let letterhead = in_use(&mut tx, known(LETTERHEAD)?).await?;
    tx.commit().await?;
    let letter = if standard.key == LETTERHEAD {
        // The letterhead itself is previewed above a sample letter.
        let sample = known("indkaldelse")?;
        let data = LetterData::demo(&actor.municipality_name, &sample.demo_fields());
        compose(&input.body, sample.title, sample.body, &data)
    } else {
        let data = LetterData::demo(&actor.municipality_name, &standard.demo_fields());
        compose(&letterhead.1, input.title.trim(), &input.body, &data)
    }
    .map_err(|message| AppError::Invalid(FieldErrors::single("body", message)))?;
    to_pdf(&letter, vaern_store::now()).map_err(AppError::Internal)
}

/// The template in use: (version if the municipality's own, body, title).
async fn in_use(
    tx: &mut vaern_store::TenantTx,
    standard: &'static Standard,
) -> Result<(Option<i32>, String, String), AppError> {
    Ok(match letter_templates::in_use(tx, standard.key).await? {
        Some(stored) => (Some(stored.version), stored.body, stored.title),
        None => (None, standard.body.to_owned(), standard.title.to_owned()),
    })
}

/// The child and the sub-cases a letter may belong to, for the letter form; access-logged.
pub async fn letter_form(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
) -> Result<(Child, Vec<SubCase>), AppError> {
    actor.require(Capability::WriteJournal)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let sub_cases = sub_cases::for_case(&mut tx, case).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        AccessKind::View,
        "Dan brev",
    )
    .await?;
    tx.commit().await?;
    Ok((child, sub_cases))
}

/// The kinds of letter a caseworker can make (the letterhead is not one).
pub fn letter_kinds() -> impl Iterator<Item = &'static Standard> {
    STANDARD.iter().filter(|s| s.key != LETTERHEAD)
}

/// The fields of a decision letter taken from the decision recorded on the sub-case, so the
/// letter says what was decided (empty when there is none yet).
pub async fn decision_fields(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
) -> Result<Vec<(&'static str, String)>, AppError> {
    let Some(decision) = crate::case_process::decision(db, actor, child, sub_case, None).await?
    else {
        return Ok(Vec::new());
    };
    let outcome = match decision.outcome.as_str() {
        "grant" => "bevilling",
        "partial" => "delvis_bevilling",
        _ => "afslag",
    };
    let basis = vaern_domain::law::paragraph(&decision.legal_basis)
        .map_or(decision.legal_basis.clone(), |p| p.citation.to_owned());
    Ok(vec![
        ("udfald", outcome.to_owned()),
        ("afgoerelse", decision.content),
        ("lovgrundlag", basis),
        ("begrundelse", decision.reasoning),
        (
            "klagevejledning",
            decision.appeal_guidance.unwrap_or_default(),
        ),
    ])
}

/// Who receives a letter to the parties.
pub const RECIPIENT_CUSTODY: &str = "foraeldremyndighed";
pub const RECIPIENT_OTHER: &str = "anden";
/// The child itself, a party from 10 (barnets lov § 3).
pub const RECIPIENT_CHILD: &str = "barnet";

/// A letter as the caseworker asks for it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LetterInput {
    /// The kind of letter (template key).
    pub template: String,
    /// The sub-case it belongs to; for a letter to a notifier, the underretning's.
    pub sub_case: Option<String>,
    /// `foraeldremyndighed`, `barnet` or `anden` (letters to the parties).
    pub recipient: String,
    pub recipient_name: String,
    /// Address lines, one per line.
    pub recipient_address: String,
    /// `pdf` (default) or `docx`.
    pub format: String,
    /// The letter's own fields by name.
    pub fields: BTreeMap<String, String>,
}

/// What a generated letter was made from, stored with its document.
#[derive(Debug, Serialize)]
struct LetterRecord<'a> {
    template_key: &'a str,
    /// `None`: the standard template.
    template_version: Option<i32>,
    letterhead_version: Option<i32>,
    format: &'a str,
    merge_data: &'a LetterData,
}

fn letter_fields(
    standard: &Standard,
    input: &LetterInput,
    errors: &mut FieldErrors,
) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for field in standard.fields {
        let name = format!("fields.{}", field.name);
        let value = input
            .fields
            .get(field.name)
            .map(|v| v.trim().replace("\r\n", "\n"))
            .unwrap_or_default();
        if value.is_empty() {
            if field.required {
                errors.add(&name, format!("Udfyld «{}»", field.label));
            }
        } else if value.chars().count() > FIELD_MAX {
            errors.add(&name, format!("Højst {FIELD_MAX} tegn"));
        } else if let FieldKind::Choice(options) = field.kind
            && !options.iter().any(|(code, _)| *code == value)
        {
            errors.add(&name, format!("Vælg «{}» fra listen", field.label));
        } else if let Err(message) = printable(&value) {
            errors.add(&name, message);
        }
        values.insert(field.name.to_owned(), value);
    }
    values
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Refuses text holding characters the letter's font cannot show.
fn printable(text: &str) -> Result<(), String> {
    match missing_glyphs(text).first() {
        Some(c) => Err(format!("Tegnet «{c}» kan ikke vises i brevet")),
        None => Ok(()),
    }
}

/// The address a caseworker wrote for a single recipient.
fn written_address(input: &LetterInput, errors: &mut FieldErrors) -> Option<Vec<String>> {
    let address = match address_lines(&input.recipient_address) {
        Ok(lines) if lines.is_empty() => Err("Skriv modtagerens adresse".to_owned()),
        checked => checked,
    };
    errors.take(
        "recipient_address",
        address.and_then(|lines| printable(&lines.join("\n")).map(|()| lines)),
    )
}

/// The addressees of a letter to the parties (one letter each), or why there are none.
fn party_recipients(
    input: &LetterInput,
    child: &Child,
    custody: &[vaern_letters::Party],
    errors: &mut FieldErrors,
) -> Option<Vec<vaern_letters::Party>> {
    match input.recipient.trim() {
        RECIPIENT_OTHER => {
            let name = errors.take(
                "recipient_name",
                name(&input.recipient_name, "modtagerens navn")
                    .and_then(|name| printable(&name).map(|()| name)),
            );
            let address = written_address(input, errors);
            Some(vec![vaern_letters::Party {
                navn: name?,
                adresse: address?,
            }])
        }
        RECIPIENT_CHILD => {
            if !of_party_age(child.birth_date, today()) {
                errors.add(
                    "recipient",
                    format!(
                        "{} er under 10 år og er ikke selv part (barnets lov § 3). Skriv til \
                         forældremyndighedsindehaverne",
                        child.first_name
                    ),
                );
                return None;
            }
            let address = written_address(input, errors)?;
            Some(vec![vaern_letters::Party {
                navn: child.full_name(),
                adresse: address,
            }])
        }
        RECIPIENT_CUSTODY => {
            let addressed: Vec<_> = custody
                .iter()
                .filter(|p| !p.adresse.is_empty())
                .cloned()
                .collect();
            if addressed.is_empty() {
                errors.add(
                    "recipient",
                    "Sagen har ingen forældremyndighedsindehavere med adresse. Tilføj dem under \
                     Netværk, eller vælg «Anden modtager» og skriv navn og adresse",
                );
                return None;
            }
            Some(addressed)
        }
        _ => {
            errors.add("recipient", "Vælg brevets modtager");
            None
        }
    }
}

fn notifier_recipient(
    notification: Option<&Notification>,
    errors: &mut FieldErrors,
) -> Option<vaern_letters::Party> {
    let Some(notification) = notification.filter(|n| n.intake == "underretning") else {
        errors.add(
            "sub_case",
            "Vælg den delsag med underretningen, brevet svarer på",
        );
        return None;
    };
    let Some(name) = notification
        .notifier_name
        .clone()
        .filter(|n| !n.trim().is_empty())
    else {
        errors.add(
            "sub_case",
            "Underretningen har ingen navngiven underretter, så brevet kan ikke sendes",
        );
        return None;
    };
    let address = [
        notification.notifier_organisation.clone(),
        notification.notifier_contact.clone(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|text| lines(&text))
    .collect();
    Some(vaern_letters::Party {
        navn: name,
        adresse: address,
    })
}

fn child_fields(child: &Child) -> vaern_letters::ChildFields {
    vaern_letters::ChildFields {
        navn: child.full_name(),
        fornavn: child.first_name.clone(),
        cpr: child
            .cpr
            .as_deref()
            .and_then(|cpr| Cpr::parse(cpr).ok())
            .map(|cpr| cpr.masked())
            .unwrap_or_default(),
        foedselsdato: format_date_long(child.birth_date),
        sagsnummer: child.case_number.clone().unwrap_or_default(),
    }
}

/// Makes a letter on the child's case and files it as a document (PDF or DOCX) with the data it
/// was made from; a letter to the custody holders is made once for each of them. Nothing is
/// filed if anything the letters need is missing.
pub async fn generate(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    child: ChildId,
    input: &LetterInput,
) -> Result<Vec<Document>, AppError> {
    actor.require(Capability::WriteJournal)?;
    // The child first: another municipality's id is unknown whatever the input.
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let mut errors = FieldErrors::new();
    let Some(standard) = letter_kinds().find(|s| s.key == input.template.trim()) else {
        return Err(AppError::Invalid(FieldErrors::single(
            "template",
            "Vælg en brevtype fra listen",
        )));
    };
    let (format, file_type) = match input.format.trim() {
        "" | "pdf" => ("pdf", FileType::Pdf),
        "docx" => ("docx", FileType::Docx),
        _ => {
            errors.add("format", "Vælg PDF eller Word (DOCX)");
            ("pdf", FileType::Pdf)
        }
    };
    let brev = letter_fields(standard, input, &mut errors);
    let sub_case = parse_sub_case(input.sub_case.as_deref(), &mut errors);

    let notification = match sub_case {
        Some(id) => {
            check_sub_case(&mut tx, case, id).await?;
            notifications::for_sub_case(&mut tx, id).await?
        }
        None => None,
    };
    let custody: Vec<vaern_letters::Party> = network::for_child(&mut tx, child.id)
        .await?
        .iter()
        .filter(|m| m.custody)
        .map(|m| vaern_letters::Party {
            navn: m.full_name(),
            adresse: m.address_lines(),
        })
        .collect();
    let recipients = match standard.addressee {
        Addressee::Notifier => {
            notifier_recipient(notification.as_ref(), &mut errors).map(|p| vec![p])
        }
        Addressee::Parties | Addressee::None => {
            party_recipients(input, &child, &custody, &mut errors)
        }
    };
    let (template_version, body, title) = in_use(&mut tx, standard).await?;
    let (letterhead_version, letterhead, _) = in_use(&mut tx, known(LETTERHEAD)?).await?;
    tx.commit().await?;
    let Some(recipients) = recipients.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };

    let common = LetterData {
        dato: format_date_long(today()),
        kommune: vaern_letters::MunicipalityFields {
            navn: actor.municipality_name.clone(),
            kode: actor.municipality_code.clone(),
        },
        sagsbehandler: vaern_letters::CaseworkerFields {
            navn: child
                .caseworker_name
                .clone()
                .unwrap_or_else(|| actor.name.clone()),
            team: child.team_name.clone().unwrap_or_default(),
        },
        barn: child_fields(&child),
        modtager: recipients[0].clone(),
        foraeldremyndighed: custody,
        underretning: notification
            .as_ref()
            .map(|n| vaern_letters::NotificationFields {
                modtaget: format_datetime_long(n.received_at),
                underretter: n.notifier_name.clone().unwrap_or_default(),
                organisation: n.notifier_organisation.clone().unwrap_or_default(),
            }),
        brev,
    };
    // Every letter is made and its file stored first; the documents then commit together.
    let mut made = Vec::new();
    for recipient in recipients {
        let data = LetterData {
            modtager: recipient,
            ..common.clone()
        };
        // A template saved before a field was renamed can still fail here: say so at the template.
        let letter = compose(&letterhead, &title, &body, &data).map_err(|message| {
            AppError::Invalid(FieldErrors::single(
                "template",
                format!("Skabelonen «{}» kan ikke flettes: {message}", standard.name),
            ))
        })?;
        let content = match file_type {
            FileType::Docx => to_docx(&letter),
            _ => to_pdf(&letter, vaern_store::now()),
        }
        .map_err(AppError::Internal)?;
        let record = serde_json::to_string(&LetterRecord {
            template_key: standard.key,
            template_version,
            letterhead_version,
            format,
            merge_data: &data,
        })
        .map_err(|error| AppError::Internal(error.to_string()))?;
        let document = NewDocument::parse(
            &NewDocumentInput {
                title: format!("{} – {}", letter.title, data.modtager.navn),
                kind: standard.document_kind.into(),
                document_date: String::new(),
                confidential: false,
                shareable_with_siblings: false,
            },
            today(),
        )
        .map_err(AppError::Invalid)?;
        let file_name = format!("{}-{}.{format}", standard.key, today());
        let file = store_file(&files.store, file_name, content.into(), file_type).await?;
        made.push((document, file, record));
    }
    let mut tx = db.tenant(actor.municipality_id).await?;
    let mut stored = Vec::new();
    for (document, file, record) in &made {
        stored.push(
            record_document(&mut tx, actor, case, sub_case, document, file, Some(record)).await?,
        );
    }
    tx.commit().await?;
    Ok(stored)
}
