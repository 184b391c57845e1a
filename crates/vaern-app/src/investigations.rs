//! Børnefaglig undersøgelse (BL §§ 20-23) on an investigation sub-case: the ICS dimensions with
//! autosaved drafts and optimistic locking, sources, the conversation with the child (BL § 5),
//! the foreløbig vurdering (BL § 20, stk. 3), the conclusion (BL § 22, stk. 6) and the
//! investigation as a PDF document on the case.

use time::OffsetDateTime;
use vaern_domain::{
    Capability, Cpr, FieldErrors,
    dates::{format_date, format_date_long},
    document::{DocumentKind, NewDocument},
    ics::{
        Conclusion, ConclusionInput, Dimension, DimensionInput, DimensionText, Position, Side,
        Source, SourceInput, SourceLink,
    },
    journal::EntryKind,
    process::{RuleId, SubCaseKind},
    text::required_text,
};
use vaern_letters::{Block, Letter, to_pdf};
use vaern_store::{
    ChildCaseId, ChildId, DocumentId, JournalEntryId, PersonId, StoreError, SubCaseId, TenantTx,
    access_log::{self, AccessKind},
    children::{self, Child},
    deadlines::{self, Deadline},
    documents::{self, Document},
    investigations::{self, Draft, Investigation, StoredDimension, StoredSource},
    journal, network, sub_cases,
    sub_cases::SubCase,
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    documents::{CaseFiles, record_document, store_file},
    today,
};

/// An investigation with everything its page shows.
pub struct InvestigationView {
    pub child: Child,
    pub sub_case: SubCase,
    pub investigation: Investigation,
    pub dimensions: Vec<StoredDimension>,
    pub sources: Vec<StoredSource>,
    /// The 4-month deadline (BL § 20, stk. 3), while it is open.
    pub deadline: Option<Deadline>,
}

impl InvestigationView {
    /// The saved dimension, if it ever was.
    pub fn dimension(&self, dimension: Dimension) -> Option<&StoredDimension> {
        self.dimensions
            .iter()
            .find(|d| d.dimension == dimension.code())
    }

    /// Whether the 4 months have passed without a foreløbig vurdering.
    pub fn preliminary_due(&self, now: OffsetDateTime) -> bool {
        self.investigation.preliminary.is_none()
            && self.investigation.concluded_at.is_none()
            && self.deadline.as_ref().is_some_and(|d| d.due_at < now)
    }
}

/// The sub-case, which must be an investigation of the child's case.
async fn investigation_sub_case(
    tx: &mut TenantTx,
    child: ChildId,
    sub_case: SubCaseId,
) -> Result<(Child, ChildCaseId, SubCase), AppError> {
    let (child, case) = child_case(tx, child).await?;
    let sub_case = sub_cases::get(tx, sub_case).await?;
    if sub_case.child_case_id != case || sub_case.kind != SubCaseKind::Investigation.code() {
        return Err(AppError::NotFound);
    }
    Ok((child, case, sub_case))
}

async fn load(
    tx: &mut TenantTx,
    child: ChildId,
    sub_case: SubCaseId,
) -> Result<InvestigationView, AppError> {
    let (child, case, sub_case) = investigation_sub_case(tx, child, sub_case).await?;
    let investigation = investigations::ensure(tx, case, sub_case.id).await?;
    let dimensions = investigations::dimensions(tx, investigation.id).await?;
    let sources = investigations::sources(tx, investigation.id).await?;
    let deadline = deadlines::for_case(tx, case).await?.into_iter().find(|d| {
        d.sub_case_id == sub_case.id
            && d.rule() == Some(RuleId::Investigation)
            && d.status == "open"
    });
    Ok(InvestigationView {
        child,
        sub_case,
        investigation,
        dimensions,
        sources,
        deadline,
    })
}

/// The investigation of a sub-case (created on first use); reading it is access-logged.
pub async fn investigation(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    kind: AccessKind,
) -> Result<InvestigationView, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let view = load(&mut tx, child, sub_case).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(view.child.id),
        kind,
        "Børnefaglig undersøgelse",
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// A dimension for editing: what is saved, and the caseworker's own unsaved draft if one waits.
pub struct DimensionEdit {
    pub view: InvestigationView,
    pub dimension: Dimension,
    pub saved: Option<StoredDimension>,
    pub draft: Option<(DimensionInput, Draft)>,
    /// What a source may point to: `(link code, Danish label)` for the case's newest journal
    /// entries, its documents and the child's network.
    pub links: Vec<(String, String)>,
}

fn parse_dimension(code: &str) -> Result<Dimension, AppError> {
    Dimension::parse(code).map_err(|_| AppError::NotFound)
}

/// A dimension of the investigation; reading it is access-logged.
pub async fn dimension(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    dimension: &str,
    kind: AccessKind,
) -> Result<DimensionEdit, AppError> {
    actor.require(Capability::ReadChildren)?;
    let dimension = parse_dimension(dimension)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let view = load(&mut tx, child, sub_case).await?;
    let draft = investigations::draft(
        &mut tx,
        view.investigation.id,
        dimension.code(),
        actor.user_id,
    )
    .await?
    .and_then(|d| {
        serde_json::from_str::<DimensionInput>(&d.fields)
            .ok()
            .map(|input| (input, d))
    });
    let links = links(&mut tx, &view).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(view.child.id),
        kind,
        &format!("Børnefaglig undersøgelse: {}", dimension.label()),
    )
    .await?;
    tx.commit().await?;
    Ok(DimensionEdit {
        saved: view.dimension(dimension).cloned(),
        view,
        dimension,
        draft,
        links,
    })
}

async fn links(
    tx: &mut TenantTx,
    view: &InvestigationView,
) -> Result<Vec<(String, String)>, AppError> {
    let case = view.investigation.child_case_id;
    let mut links = Vec::new();
    for entry in journal::list(tx, case, &Default::default()).await? {
        links.push((
            format!("{}:{}", SourceLink::JournalEntry.code(), entry.id),
            format!(
                "Journal: {} ({})",
                entry.title,
                format_date(entry.event_date)
            ),
        ));
    }
    for document in documents::for_case(tx, case).await? {
        links.push((
            format!("{}:{}", SourceLink::Document.code(), document.id),
            format!("Dokument: {}", document.title),
        ));
    }
    for member in network::for_child(tx, view.child.id).await? {
        links.push((
            format!("{}:{}", SourceLink::Person.code(), member.person_id),
            format!("Netværk: {}", member.full_name()),
        ));
    }
    Ok(links)
}

/// The investigation to change: refused once concluded, or when its sub-case is closed.
async fn editable(
    tx: &mut TenantTx,
    child: ChildId,
    sub_case: SubCaseId,
) -> Result<(Child, ChildCaseId, SubCase, Investigation), AppError> {
    let (child, case, sub_case) = investigation_sub_case(tx, child, sub_case).await?;
    if sub_case.status != "open" {
        return Err(AppError::Invalid(FieldErrors::single(
            "investigation",
            "Delsagen er afsluttet; undersøgelsen kan ikke ændres",
        )));
    }
    let investigation = investigations::ensure(tx, case, sub_case.id).await?;
    if investigation.concluded_at.is_some() {
        return Err(concluded());
    }
    Ok((child, case, sub_case, investigation))
}

fn concluded() -> AppError {
    AppError::Invalid(FieldErrors::single(
        "investigation",
        "Undersøgelsen er afsluttet med en konklusion og kan ikke ændres",
    ))
}

/// Keeps what the caseworker is typing as their draft of the dimension (autosave), so nothing
/// typed is lost on a closed tab or a timeout. Returns when it was saved.
pub async fn autosave(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    dimension: &str,
    input: &DimensionInput,
    base_version: i32,
) -> Result<OffsetDateTime, AppError> {
    actor.require(Capability::EditChildren)?;
    let dimension = parse_dimension(dimension)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, _, _, investigation) = editable(&mut tx, child, sub_case).await?;
    // A draft that says what is saved is no draft: this is the autosave racing the save itself
    // (the tab hides as the form posts), and keeping it would raise a false conflict later.
    let saved = investigations::dimensions(&mut tx, investigation.id)
        .await?
        .into_iter()
        .find(|d| d.dimension == dimension.code());
    if let (Some(saved), Ok(text)) = (&saved, DimensionText::parse(input))
        && saved.text() == text
    {
        investigations::delete_draft(&mut tx, investigation.id, dimension.code(), actor.user_id)
            .await?;
        tx.commit().await?;
        return Ok(vaern_store::now());
    }
    let fields =
        serde_json::to_string(input).map_err(|error| AppError::Internal(error.to_string()))?;
    let at = investigations::save_draft(
        &mut tx,
        investigation.id,
        dimension.code(),
        actor.user_id,
        &fields,
        base_version,
    )
    .await?;
    tx.commit().await?;
    Ok(at)
}

/// Saves a dimension if nobody saved it since `expected_version`; otherwise `Conflict`, and
/// nothing is overwritten (the caller shows both texts). The draft is discarded once saved.
pub async fn save_dimension(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    dimension: &str,
    input: &DimensionInput,
    expected_version: i32,
) -> Result<StoredDimension, AppError> {
    actor.require(Capability::EditChildren)?;
    let dimension = parse_dimension(dimension)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case, sub_case, investigation) = editable(&mut tx, child, sub_case).await?;
    let text = DimensionText::parse(input).map_err(AppError::Invalid)?;
    if !investigations::save_dimension(
        &mut tx,
        investigation.id,
        dimension.code(),
        &text,
        expected_version,
        actor.user_id,
    )
    .await?
    {
        return Err(AppError::Conflict(format!(
            "«{}» er gemt af en anden, mens du skrev. Din tekst er ikke gemt: sammenlign og gem igen",
            dimension.label()
        )));
    }
    investigations::delete_draft(&mut tx, investigation.id, dimension.code(), actor.user_id)
        .await?;
    let filled: Vec<&str> = text
        .fields()
        .into_iter()
        .filter(|(_, _, value)| value.is_some())
        .map(|(_, label, _)| label)
        .collect();
    let body = format!(
        "{} gemte dimensionen «{}» i undersøgelsen. Udfyldt: {}.",
        actor.name,
        dimension.label(),
        if filled.is_empty() {
            "intet".to_owned()
        } else {
            filled.join(", ").to_lowercase()
        }
    );
    automatic_note(
        &mut tx,
        actor,
        case,
        Some(sub_case.id),
        "Undersøgelse opdateret",
        &body,
    )
    .await?;
    let saved = investigations::dimensions(&mut tx, investigation.id)
        .await?
        .into_iter()
        .find(|d| d.dimension == dimension.code())
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// Records who said what in a dimension, and when; a link must point into the child's own case.
pub async fn add_source(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    dimension: &str,
    input: &SourceInput,
) -> Result<(), AppError> {
    actor.require(Capability::EditChildren)?;
    let dimension = parse_dimension(dimension)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (child, case, _, investigation) = editable(&mut tx, child, sub_case).await?;
    let source = Source::parse(input, today()).map_err(AppError::Invalid)?;
    let link = match &source.link {
        None => None,
        Some((kind, id)) => Some((*kind, linked(&mut tx, &child, case, *kind, id).await?)),
    };
    investigations::add_source(
        &mut tx,
        investigation.id,
        dimension.code(),
        &source,
        link,
        actor.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks that a source's link points to a journal entry or document of the case, or a person
/// in the child's network.
async fn linked(
    tx: &mut TenantTx,
    child: &Child,
    case: ChildCaseId,
    kind: SourceLink,
    id: &str,
) -> Result<uuid::Uuid, AppError> {
    let bad = || AppError::Invalid(FieldErrors::single("link", "Kilden findes ikke på sagen"));
    let uuid: uuid::Uuid = id.parse().map_err(|_| bad())?;
    let found = match kind {
        SourceLink::JournalEntry => journal::get(tx, JournalEntryId(uuid))
            .await
            .map(|e| e.child_case_id == case),
        SourceLink::Document => documents::get(tx, DocumentId(uuid))
            .await
            .map(|d| d.child_case_id == case),
        SourceLink::Person => network::for_child(tx, child.id)
            .await
            .map(|members| members.iter().any(|m| m.person_id == PersonId(uuid))),
    };
    match found {
        Ok(true) => Ok(uuid),
        Ok(false) | Err(StoreError::NotFound) => Err(bad()),
        Err(other) => Err(other.into()),
    }
}

/// Records the conversation with the child (BL § 5) as a journal note on the investigation and
/// completes its step.
pub async fn record_conversation(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    held_on: &str,
    summary: &str,
) -> Result<(), AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case, sub_case) = investigation_sub_case(&mut tx, child, sub_case).await?;
    let mut errors = FieldErrors::new();
    let held_on = errors.take(
        "held_on",
        vaern_domain::dates::parse_date(held_on).and_then(|d| {
            if d > today() {
                Err("Samtalen kan ikke ligge i fremtiden".into())
            } else {
                Ok(d)
            }
        }),
    );
    let summary = errors.take(
        "summary",
        required_text(summary, "et referat af samtalen", 20_000),
    );
    let (Some(held_on), Some(summary)) = (held_on, summary) else {
        return Err(AppError::Invalid(errors));
    };
    journal::append(
        &mut tx,
        &journal::NewEntry {
            case,
            kind: EntryKind::Manual,
            title: "Børnesamtale (barnets lov § 5)",
            body: &summary,
            event_date: held_on,
            author: Some(actor.user_id),
            corrects: None,
            sub_case: Some(sub_case.id),
        },
    )
    .await?;
    finish(&mut tx, actor, &sub_case, "boernesamtale").await?;
    tx.commit().await?;
    Ok(())
}

/// Completes a pending step of the investigation and meets its deadline (a done step stays done).
async fn finish(
    tx: &mut TenantTx,
    actor: &Actor,
    sub_case: &SubCase,
    code: &str,
) -> Result<(), AppError> {
    if let Some(step) = sub_case
        .steps
        .iter()
        .find(|s| s.code == code && s.status == "pending")
        && sub_cases::finish_step(tx, step.id, "done", None, actor.user_id).await?
    {
        deadlines::meet_for_step(tx, step.id).await?;
    }
    Ok(())
}

/// Records the foreløbig vurdering (BL § 20, stk. 3), required once 4 months have passed.
pub async fn record_preliminary(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    text: &str,
) -> Result<(), AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case, sub_case, investigation) = editable(&mut tx, child, sub_case).await?;
    let text = required_text(text, "den foreløbige vurdering", 20_000)
        .map_err(|m| AppError::Invalid(FieldErrors::single("preliminary", m)))?;
    investigations::set_preliminary(&mut tx, investigation.id, &text, actor.user_id).await?;
    automatic_note(
        &mut tx,
        actor,
        case,
        Some(sub_case.id),
        "Foreløbig vurdering (barnets lov § 20, stk. 3)",
        &text,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Concludes the investigation (BL § 22, stk. 6) once: completes the investigation and
/// conclusion steps and meets the 4-month deadline. After 4 months the foreløbig vurdering must
/// be recorded first (BL § 20, stk. 3).
pub async fn conclude(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
    input: &ConclusionInput,
) -> Result<Investigation, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let view = load(&mut tx, child, sub_case).await?;
    editable(&mut tx, child, view.sub_case.id).await?;
    let conclusion = Conclusion::parse(input).map_err(AppError::Invalid)?;
    if view.preliminary_due(vaern_store::now()) {
        return Err(AppError::Invalid(FieldErrors::single(
            "preliminary",
            "Undersøgelsen har varet over 4 måneder. Registrér først den foreløbige vurdering \
             (barnets lov § 20, stk. 3)",
        )));
    }
    if !investigations::conclude(&mut tx, view.investigation.id, &conclusion, actor.user_id).await?
    {
        return Err(concluded());
    }
    for code in ["undersoegelse", "konklusion"] {
        finish(&mut tx, actor, &view.sub_case, code).await?;
    }
    investigations::delete_drafts(&mut tx, view.investigation.id).await?;
    // BL § 95, stk. 2: a measure started during the investigation is followed up when the
    // investigation ends, if that is before its 3 months.
    let brought_forward = deadlines::bring_forward(
        &mut tx,
        view.investigation.child_case_id,
        RuleId::FirstFollowUp,
        vaern_domain::calendar::end_of_danish_day(today()),
    )
    .await?;
    let mut body = format!(
        "{} afsluttede undersøgelsen.\nStillingtagen: {}.\nSamlet vurdering: {}\nBegrundelse: {}",
        actor.name,
        conclusion.position.label(),
        conclusion.assessment,
        conclusion.reasoning
    );
    if brought_forward > 0 {
        body.push_str(
            "\nFørste opfølgning på indsatser iværksat under undersøgelsen skal nu ske i dag \
             (barnets lov § 95, stk. 2).",
        );
    }
    automatic_note(
        &mut tx,
        actor,
        view.investigation.child_case_id,
        Some(view.sub_case.id),
        "Undersøgelse afsluttet (barnets lov § 22, stk. 6)",
        &body,
    )
    .await?;
    let investigation = investigations::get(&mut tx, view.investigation.id).await?;
    tx.commit().await?;
    Ok(investigation)
}

/// A document of the case laid out like a letter without recipient: the municipality, date,
/// case number and caseworker, and which child it concerns.
pub(crate) fn case_letter(title: &str, child: &Child, actor: &Actor, blocks: Vec<Block>) -> Letter {
    let mut concerning = format!("Vedrørende {}", child.full_name());
    if let Some(cpr) = child.cpr.as_deref().and_then(|c| Cpr::parse(c).ok()) {
        concerning.push_str(&format!(", CPR-nr. {}", cpr.masked()));
    }
    Letter {
        title: title.into(),
        letterhead: vec![actor.municipality_name.clone()],
        reference: vec![
            ("Dato".into(), format_date_long(today())),
            (
                "Sagsnr.".into(),
                child.case_number.clone().unwrap_or_default(),
            ),
            (
                "Sagsbehandler".into(),
                child
                    .caseworker_name
                    .clone()
                    .unwrap_or_else(|| actor.name.clone()),
            ),
        ],
        recipient: Vec::new(),
        concerning,
        blocks,
    }
}

/// Lines of a free text as one paragraph, so what a caseworker typed is never read as markup.
pub(crate) fn paragraph(text: &str) -> Block {
    Block::Paragraph(text.lines().map(str::to_owned).collect())
}

/// Renders `letter` as PDF/A and files it as a new document on the case (so what the parties
/// got stays as it was), with its journal note.
pub(crate) async fn file_pdf(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    (case, sub_case): (ChildCaseId, Option<SubCaseId>),
    letter: &Letter,
    file_stub: &str,
) -> Result<Document, AppError> {
    let content = to_pdf(letter, vaern_store::now()).map_err(AppError::Internal)?;
    let file = store_file(
        &files.store,
        format!("{file_stub}-{}.pdf", today()),
        content.into(),
        vaern_domain::document::FileType::Pdf,
    )
    .await?;
    let document = NewDocument {
        title: letter.title.clone(),
        kind: DocumentKind::Internal,
        document_date: today(),
        confidential: false,
        shareable_with_siblings: false,
    };
    let mut tx = db.tenant(actor.municipality_id).await?;
    let stored = record_document(&mut tx, actor, case, sub_case, &document, &file, None).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The investigation as laid out for the parties, the file and aktindsigt.
fn layout(view: &InvestigationView, actor: &Actor) -> Letter {
    let mut blocks = Vec::new();
    for side in Side::ALL {
        blocks.push(Block::Heading(side.label().to_owned()));
        for dimension in Dimension::ALL.into_iter().filter(|d| d.side() == side) {
            let saved = view.dimension(dimension);
            let text = saved.map(StoredDimension::text).unwrap_or_default();
            let texts: Vec<(&str, &str)> = text
                .fields()
                .into_iter()
                .filter_map(|(_, label, value)| value.map(|v| (label, v)))
                .collect();
            if texts.is_empty() {
                blocks.push(Block::Bullet(format!(
                    "{}: ikke beskrevet",
                    dimension.label()
                )));
                continue;
            }
            blocks.push(Block::Paragraph(vec![dimension.label().to_uppercase()]));
            for (label, text) in texts {
                blocks.push(Block::Paragraph(vec![format!("{label}:")]));
                blocks.push(paragraph(text));
            }
            for source in view
                .sources
                .iter()
                .filter(|s| s.dimension == dimension.code())
            {
                blocks.push(Block::Bullet(format!(
                    "Kilde: {}, {}",
                    source.who,
                    format_date(source.said_on)
                )));
            }
        }
    }
    let investigation = &view.investigation;
    if let Some(preliminary) = &investigation.preliminary {
        blocks.push(Block::Heading(
            "Foreløbig vurdering (barnets lov § 20, stk. 3)".into(),
        ));
        blocks.push(paragraph(preliminary));
    }
    blocks.push(Block::Heading(
        "Konklusion (barnets lov § 22, stk. 6)".into(),
    ));
    match (
        &investigation.assessment,
        &investigation.position,
        &investigation.reasoning,
    ) {
        (Some(assessment), Some(position), Some(reasoning)) => {
            blocks.push(Block::Paragraph(vec!["Samlet vurdering:".into()]));
            blocks.push(paragraph(assessment));
            blocks.push(Block::Paragraph(vec![format!(
                "Stillingtagen: {}",
                Position::label_of(position)
            )]));
            blocks.push(Block::Paragraph(vec!["Begrundelse:".into()]));
            blocks.push(paragraph(reasoning));
        }
        _ => blocks.push(Block::Paragraph(vec![
            "Undersøgelsen er ikke afsluttet endnu.".into(),
        ])),
    }
    let title = if investigation.concluded_at.is_some() {
        "Børnefaglig undersøgelse"
    } else {
        "Børnefaglig undersøgelse (ikke afsluttet)"
    };
    case_letter(title, &view.child, actor, blocks)
}

/// Renders the investigation as a Danish PDF/A document filed on the case.
pub async fn render_document(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    child: ChildId,
    sub_case: SubCaseId,
) -> Result<Document, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let view = load(&mut tx, child, sub_case).await?;
    tx.commit().await?;
    let letter = layout(&view, actor);
    let case = (view.investigation.child_case_id, Some(view.sub_case.id));
    file_pdf(
        db,
        files,
        actor,
        case,
        &letter,
        "boernefaglig-undersoegelse",
    )
    .await
}

/// The case's concluded investigations, to take plan goals from.
pub async fn concluded_for_child(
    tx: &mut TenantTx,
    child: ChildId,
) -> Result<Vec<Investigation>, AppError> {
    let child = children::get(tx, child).await?;
    let Some(case) = child.case_id else {
        return Ok(Vec::new());
    };
    Ok(investigations::concluded_for_case(tx, case).await?)
}
