//! The child's network (Netværk): listing it with the professionals around the child
//! (access-logged), adding a person with their relation to the child, and copying shared data
//! from a sibling's case — each journalled on the case.

use serde::Serialize;
use vaern_domain::{
    Capability, Cpr, FieldErrors,
    dates::format_date,
    document::{DocumentKind, NewDocument},
    network::{NewRelation, NewRelationInput, RelationKind, similar_names},
    register::RegisterPerson,
};
use vaern_integrations::register::PersonRegister;
use vaern_store::{
    ChildCaseId, ChildId, StoreError, TenantTx,
    access_log::{self, AccessKind},
    address_book::{self, Professional},
    children::{self, Child},
    documents::{self, NewVersion},
    network::{self, Member},
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    cpr::child_record,
    today,
};

/// The child's network and professionals; reading them is access-logged for the child.
pub async fn list(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: AccessKind,
) -> Result<Network, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let members = network::for_child(&mut tx, child.id).await?;
    let professionals = address_book::for_child(&mut tx, child.id).await?;
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, "Netværk").await?;
    tx.commit().await?;
    Ok(Network {
        child,
        members,
        professionals,
    })
}

/// A child's network: family and other persons, and the professionals around the child.
pub struct Network {
    pub child: Child,
    pub members: Vec<Member>,
    pub professionals: Vec<Professional>,
}

/// The form field a possible duplicate is reported at, and confirmed with.
pub const DUPLICATE_FIELD: &str = "confirm_new";
/// The form field a disagreement with CPR is reported at, and confirmed with.
pub const REGISTER_FIELD: &str = "confirm_register";

/// What the caseworker has confirmed after a warning.
#[derive(Debug, Clone, Copy, Default)]
pub struct Confirmed {
    /// A person without CPR whose name sounds like someone born the same day is someone else.
    pub new_person: bool,
    /// The mother or father is added although CPR or the network names another.
    pub against_register: bool,
}

/// Adds a person to the child's network, with an automatic journal note. Warnings hold the
/// person back until the caseworker confirms: a name that sounds like someone born the same day
/// ([`DUPLICATE_FIELD`]), and a mother or father where CPR or the network already names another
/// ([`REGISTER_FIELD`]; the register lookup is access-logged).
pub async fn add(
    db: &vaern_store::Db,
    register: &dyn PersonRegister,
    actor: &Actor,
    child: ChildId,
    input: &NewRelationInput,
    confirmed: Confirmed,
) -> Result<Member, AppError> {
    actor.require(Capability::EditChildren)?;
    let parent_kind = matches!(
        RelationKind::parse(&input.kind),
        Ok(RelationKind::Mother | RelationKind::Father)
    );
    // The register is asked before the write transaction opens (SQLite allows one writer), and
    // the lookup is logged in its own transaction first, so it stays logged even when a warning
    // then holds the person back.
    let child_record = if parent_kind && !confirmed.against_register {
        let mut tx = db.tenant(actor.municipality_id).await?;
        let (child, _) = child_case(&mut tx, child).await?;
        if child.cpr.is_some() {
            access_log::record(
                &mut tx,
                actor.user_id,
                Some(child.id),
                AccessKind::View,
                "CPR-opslag på barnet (kontrol af forældre)",
            )
            .await?;
        }
        tx.commit().await?;
        child_record(register, &child).await?
    } else {
        None
    };
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let relation =
        NewRelation::parse(input, child.cpr.as_deref(), today()).map_err(AppError::Invalid)?;
    if !confirmed.new_person {
        check_duplicate(&mut tx, &relation).await?;
    }
    if !confirmed.against_register {
        let members = network::for_child(&mut tx, child.id).await?;
        check_parent(&relation, child_record.as_ref(), &members)?;
    }
    let member = network::add(&mut tx, child.id, &relation, Some(actor.user_id))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Invalid(FieldErrors::single(
                "cpr",
                "Personen er allerede i barnets netværk",
            )),
            other => other.into(),
        })?;
    let mut body = format!(
        "{} tilføjede {} til netværket som {}.",
        actor.name,
        member.full_name(),
        relation.kind.label().to_lowercase()
    );
    if relation.custody {
        body.push_str(" Personen har forældremyndighed.");
    }
    if relation.address.is_empty() {
        body.push_str(" Adressen er ikke oplyst.");
    }
    if confirmed.against_register && relation.kind.is_parent() {
        body.push_str(" Tilføjet trods advarsel om, at CPR eller netværket angiver en anden.");
    }
    automatic_note(&mut tx, actor, case, None, "Netværk ændret", &body).await?;
    tx.commit().await?;
    Ok(member)
}

/// A person without CPR whose name sounds like someone the municipality knows with the same
/// birth date.
async fn check_duplicate(tx: &mut TenantTx, relation: &NewRelation) -> Result<(), AppError> {
    let (None, Some(birth_date)) = (&relation.cpr, relation.birth_date) else {
        return Ok(());
    };
    let name = format!("{} {}", relation.first_name, relation.last_name);
    let alike: Vec<String> = network::born_on(tx, birth_date)
        .await?
        .iter()
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .filter(|known| similar_names(&name, known))
        .collect();
    if alike.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid(FieldErrors::single(
        DUPLICATE_FIELD,
        format!(
            "Kommunen kender allerede {} med samme fødselsdato ({}). Er det en anden \
             person, så sæt kryds i «Det er en anden person» og tilføj igen",
            alike.join(" og "),
            format_date(birth_date)
        ),
    )))
}

/// A second mother or father: CPR names someone else, or the network already has one.
fn check_parent(
    relation: &NewRelation,
    child_record: Option<&RegisterPerson>,
    members: &[Member],
) -> Result<(), AppError> {
    let registered = match relation.kind {
        RelationKind::Mother => child_record.and_then(|r| r.mother.as_ref()),
        RelationKind::Father => child_record.and_then(|r| r.father.as_ref()),
        _ => return Ok(()),
    };
    let label = relation.kind.label().to_lowercase();
    let typed_cpr = relation.cpr.as_ref().map(Cpr::digits);
    let warning = if let Some(registered) = registered.filter(|r| relation.cpr.as_ref() != Some(*r))
    {
        Some(format!(
            "CPR-registret angiver en anden som barnets {label} ({}). Hent personen fra CPR, \
             eller sæt kryds i «Tilføj alligevel», hvis du er sikker",
            registered.masked()
        ))
    } else {
        members
            .iter()
            .find(|m| {
                m.kind == relation.kind.code() && (m.cpr.is_none() || m.cpr.as_deref() != typed_cpr)
            })
            .map(|m| {
                format!(
                    "Barnet har allerede {} som {label} i netværket. Sæt kryds i «Tilføj \
                     alligevel», hvis du er sikker",
                    m.full_name()
                )
            })
    };
    match warning {
        Some(message) => Err(AppError::Invalid(FieldErrors::single(
            REGISTER_FIELD,
            message,
        ))),
        None => Ok(()),
    }
}

/// What a copy from a sibling's case brought over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Copied {
    pub persons: usize,
    pub professionals: usize,
    pub documents: usize,
}

/// The municipality's children who are the child's siblings (by shared parents, or listed as
/// siblings by CPR), to copy shared data from.
pub async fn siblings(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
) -> Result<Vec<Child>, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let mut found = Vec::new();
    for id in network::sibling_children(&mut tx, child.id).await? {
        found.push(children::get(&mut tx, id).await?);
    }
    // The siblings' names and case numbers are shown to copy from: that is a read of their data.
    let shown: Vec<Option<ChildId>> = found.iter().map(|s| Some(s.id)).collect();
    if !shown.is_empty() {
        access_log::record_many(
            &mut tx,
            actor.user_id,
            &shown,
            AccessKind::View,
            &format!(
                "Søskende til {} (kopi fra søskendes sag)",
                child.full_name()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    found.sort_by_key(Child::full_name);
    Ok(found)
}

/// Copies the shared data of a sibling's case — its network persons other than parents (custody
/// never, as it is the child's own), its professionals and its documents marked «Må deles med
/// søskendes sager» — into the child's case, in one transaction, journalled on both cases. What the child already has is left as it is, so
/// copying again adds only what is new.
pub async fn copy_from_sibling(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    from: &str,
    kind: AccessKind,
) -> Result<Copied, AppError> {
    actor.require(Capability::EditChildren)?;
    let not_a_sibling = || {
        AppError::Invalid(FieldErrors::single(
            "from",
            "Vælg et af barnets søskende. Søskende findes via fælles mor eller far i netværket",
        ))
    };
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let from: ChildId = from.trim().parse().map_err(|_| not_a_sibling())?;
    if !network::sibling_children(&mut tx, child.id)
        .await?
        .contains(&from)
    {
        return Err(not_a_sibling());
    }
    let (sibling, sibling_case) = child_case(&mut tx, from).await?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(sibling.id),
        kind,
        &format!(
            "Kopi af fælles oplysninger til søskendes sag {}",
            child.full_name()
        ),
    )
    .await?;
    let mut copied = Copied::default();
    for member in network::for_child(&mut tx, sibling.id).await? {
        if member.cpr.is_some() && member.cpr == child.cpr {
            continue;
        }
        let kind = RelationKind::parse(&member.kind).map_err(AppError::Internal)?;
        // Parents are never copied: a shared parent is in both networks already (that is how
        // siblings are found), and the sibling's other parent may be no parent of this child.
        if kind.is_parent() {
            continue;
        }
        // Custody is the child's own (CPR says who holds it), so it is never copied.
        if network::relate(
            &mut tx,
            child.id,
            member.person_id,
            kind,
            false,
            actor.user_id,
        )
        .await?
        {
            copied.persons += 1;
        }
    }
    for professional in address_book::for_child(&mut tx, sibling.id).await? {
        if address_book::link(&mut tx, child.id, professional.id, actor.user_id).await? {
            copied.professionals += 1;
        }
    }
    copied.documents = copy_documents(&mut tx, actor, sibling_case, case).await?;
    let summary = format!(
        "{} personer, {} fagpersoner og {} dokumenter. Forældre og forældremyndighed kopieres \
         ikke; hent barnets forældre fra CPR",
        copied.persons, copied.professionals, copied.documents
    );
    let to_child = format!(
        "{} kopierede fælles oplysninger fra søskendes sag ({}, {}): {summary}.",
        actor.name,
        sibling.full_name(),
        sibling.case_number.as_deref().unwrap_or("uden sagsnummer")
    );
    automatic_note(
        &mut tx,
        actor,
        case,
        None,
        "Kopieret fra søskendes sag",
        &to_child,
    )
    .await?;
    let to_sibling = format!(
        "{} kopierede fælles oplysninger fra denne sag til søskendes sag ({}, {}): {summary}.",
        actor.name,
        child.full_name(),
        child.case_number.as_deref().unwrap_or("uden sagsnummer")
    );
    automatic_note(
        &mut tx,
        actor,
        sibling_case,
        None,
        "Kopieret til søskendes sag",
        &to_sibling,
    )
    .await?;
    tx.commit().await?;
    Ok(copied)
}

/// Files the sibling's shareable documents on the case, pointing at the same stored files
/// (content-addressed, so nothing is duplicated on disk); a document the case already holds
/// with the same title and content is skipped.
async fn copy_documents(
    tx: &mut TenantTx,
    actor: &Actor,
    from: ChildCaseId,
    to: ChildCaseId,
) -> Result<usize, AppError> {
    let mut held = Vec::new();
    for document in documents::for_case(tx, to).await? {
        let latest = documents::version(tx, document.id, document.latest_version).await?;
        held.push((document.title, latest.content_hash));
    }
    let mut copied = 0;
    for document in documents::for_case(tx, from).await? {
        if !document.shareable_with_siblings {
            continue;
        }
        let latest = documents::version(tx, document.id, document.latest_version).await?;
        if held.contains(&(document.title.clone(), latest.content_hash.clone())) {
            continue;
        }
        let description = NewDocument {
            title: document.title.clone(),
            kind: DocumentKind::parse(&document.kind).map_err(AppError::Internal)?,
            document_date: document.document_date,
            confidential: document.confidential,
            shareable_with_siblings: true,
        };
        let file = NewVersion {
            content_hash: &latest.content_hash,
            size_bytes: latest.size_bytes,
            media_type: &latest.media_type,
            file_name: &latest.file_name,
            letter_data: latest.letter_data.as_deref(),
        };
        documents::create(tx, to, None, &description, &file, actor.user_id).await?;
        copied += 1;
    }
    Ok(copied)
}
