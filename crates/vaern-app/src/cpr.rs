//! CPR: looking a person up for a child's network (access-logged), and applying the register's
//! changes to open cases (`vaern cpr sync` and the scheduled job): address changes and moves,
//! name changes, deaths and custody holders reach the case and its network.

use std::{collections::HashMap, io::BufRead};

use vaern_domain::{
    Capability, Cpr, FieldErrors,
    dates::format_date,
    journal::EntryKind,
    network::{NewRelation, RelationKind},
    process::{StepContext, SubCaseKind},
    register::{RegisterPerson, RegisterStatus},
};
use vaern_integrations::register::{Batches, ImportReport, PersonRegister, Progress};
use vaern_store::{
    ChildId, Db, TenantTx,
    access_log::{self, AccessKind},
    children::{self, Child},
    journal,
    municipalities::{self, Municipality},
    network::{self, CaseRelation, Member, PersonUpdate},
    register, sub_cases,
};

use crate::{
    Actor, AppError,
    case_process::{Opening, open_with_deadlines},
    clocks::Clock,
    today,
};

/// A person found in CPR, and how the register relates them to the child.
#[derive(Debug, Clone)]
pub struct Found {
    pub person: RegisterPerson,
    /// Mother or father when the child's own record names the person so.
    pub kind: Option<RelationKind>,
    /// Whether the child's record names the person as a custody holder.
    pub custody: bool,
}

/// The message for a number CPR does not know.
pub const UNKNOWN: &str = "CPR-nummeret findes ikke i CPR-registret. Tjek nummeret, eller tilføj personen uden CPR-nummer";

/// Looks a person up in CPR for the child's network. The lookup is access-logged on the child
/// before the register is asked, so even a failed lookup leaves its trace.
pub async fn lookup_for_child(
    db: &Db,
    register: &dyn PersonRegister,
    actor: &Actor,
    child: ChildId,
    cpr: &str,
    kind: AccessKind,
) -> Result<(Child, Found), AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let cpr = Cpr::parse(cpr).map_err(|m| AppError::Invalid(FieldErrors::single("cpr", m)))?;
    access_log::record(
        &mut tx,
        actor.user_id,
        Some(child.id),
        kind,
        &format!("CPR-opslag på {}", cpr.masked()),
    )
    .await?;
    tx.commit().await?;
    let person = register
        .lookup(&cpr)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .ok_or_else(|| AppError::Invalid(FieldErrors::single("cpr", UNKNOWN)))?;
    let child_record = child_record(register, &child).await?;
    let kind = child_record.as_ref().and_then(|r| {
        if r.mother.as_ref() == Some(&cpr) {
            Some(RelationKind::Mother)
        } else if r.father.as_ref() == Some(&cpr) {
            Some(RelationKind::Father)
        } else {
            None
        }
    });
    let custody = child_record.is_some_and(|r| r.custody.contains(&cpr));
    Ok((
        child,
        Found {
            person,
            kind,
            custody,
        },
    ))
}

/// The child's own record in CPR, when the child has a CPR number the register knows.
pub(crate) async fn child_record(
    register: &dyn PersonRegister,
    child: &Child,
) -> Result<Option<RegisterPerson>, AppError> {
    let Some(cpr) = child.cpr.as_deref().and_then(|c| Cpr::parse(c).ok()) else {
        return Ok(None);
    };
    register
        .lookup(&cpr)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Persons read from the change file, batches, lines and rejected records.
    pub read: ImportReport,
    /// Automatic journal notes written on cases.
    pub notes: u64,
    /// Sagsoverdragelser opened because a child moved to another municipality.
    pub transfers: u64,
}

/// Applies a CPR change file (the extract layout) to every open case it concerns, in every
/// municipality, then stores the new records in the register. Each batch of persons is applied
/// one municipality at a time, each in one transaction. Network persons, names and custody are
/// compared with what the case holds, so running a file twice changes nothing twice. The child's
/// address, move and death are compared with the register's previous record, which is updated
/// after the batch: a run that fails part-way and is run again may repeat those notes (never a
/// second open transfer), as docs/operations.md says.
pub async fn sync<R: BufRead>(
    db: &Db,
    changes: R,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport, AppError> {
    let mut tx = db.global().await?;
    let all = municipalities::list(&mut tx).await?;
    tx.commit().await?;
    let mut applied = Applied::default();
    let mut batches = Batches::new(changes);
    while let Some(batch) = batches.next_batch() {
        apply_batch(db, &all, &batch, &mut applied).await?;
        progress(batches.stored(batch.len()));
    }
    Ok(SyncReport {
        read: batches.finish(),
        notes: applied.notes,
        transfers: applied.transfers,
    })
}

async fn apply_batch(
    db: &Db,
    all: &[Municipality],
    batch: &[RegisterPerson],
    total: &mut Applied,
) -> Result<(), AppError> {
    let cprs: Vec<String> = batch.iter().map(|p| p.cpr.digits().to_owned()).collect();
    let holders: Vec<String> = batch
        .iter()
        .flat_map(|p| &p.custody)
        .map(|c| c.digits().to_owned())
        .collect();
    let mut tx = db.global().await?;
    let previous: HashMap<String, RegisterPerson> = register::get_many(&mut tx, &cprs)
        .await?
        .into_iter()
        .map(|p| (p.cpr.digits().to_owned(), p))
        .collect();
    // New custody holders are added from their own records: the file's, else the register's.
    let mut known: HashMap<String, RegisterPerson> = register::get_many(&mut tx, &holders)
        .await?
        .into_iter()
        .map(|p| (p.cpr.digits().to_owned(), p))
        .collect();
    tx.commit().await?;
    known.extend(batch.iter().map(|p| (p.cpr.digits().to_owned(), p.clone())));
    let changes = Changes {
        current: batch
            .iter()
            .map(|p| (p.cpr.digits().to_owned(), p))
            .collect(),
        previous: &previous,
        known: &known,
    };
    for municipality in all {
        let mut tx = db.tenant(municipality.id).await?;
        let relations = network::on_open_cases(&mut tx, &cprs).await?;
        let kids = children::open_with_cprs(&mut tx, &cprs).await?;
        if relations.is_empty() && kids.is_empty() {
            continue;
        }
        let mut applied = Applied::default();
        changes
            .to_relations(&mut tx, &relations, &mut applied)
            .await?;
        for child in &kids {
            changes
                .to_child(&mut tx, municipality, child, &mut applied)
                .await?;
        }
        tx.commit().await?;
        total.notes += applied.notes;
        total.transfers += applied.transfers;
    }
    // The register is updated last: a crash before this line replays the batch, and the
    // comparisons above find what is already applied.
    let mut tx = db.global().await?;
    register::upsert(&mut tx, batch).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Default)]
struct Applied {
    notes: u64,
    transfers: u64,
}

/// A batch of new records, with the register's previous ones and everyone's records by CPR.
struct Changes<'a> {
    current: HashMap<String, &'a RegisterPerson>,
    previous: &'a HashMap<String, RegisterPerson>,
    known: &'a HashMap<String, RegisterPerson>,
}

fn address_text(person: &RegisterPerson) -> Option<String> {
    person.address.as_ref().map(|a| a.lines.join("\n"))
}

fn one_line(address: &str) -> String {
    if address.is_empty() {
        "ikke oplyst".into()
    } else {
        address.replace('\n', ", ")
    }
}

fn same_code(register_code: &str, municipality_code: &str) -> bool {
    match (
        register_code.parse::<u16>(),
        municipality_code.parse::<u16>(),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => register_code == municipality_code,
    }
}

impl Changes<'_> {
    /// Network persons: name, address and death, compared with what the case holds. Each
    /// relation row was read before any update, so every child's case gets its own note.
    async fn to_relations(
        &self,
        tx: &mut TenantTx,
        relations: &[CaseRelation],
        applied: &mut Applied,
    ) -> Result<(), AppError> {
        for relation in relations {
            let member = &relation.member;
            let Some(new) = member.cpr.as_ref().and_then(|c| self.current.get(c)) else {
                continue;
            };
            let mut lines = Vec::new();
            let old_name = member.full_name();
            if new.full_name() != old_name {
                lines.push(format!(
                    "Navneændring: {old_name} hedder nu {}.",
                    new.full_name()
                ));
            }
            let address = address_text(new).unwrap_or_else(|| member.address.clone());
            if address != member.address {
                lines.push(format!(
                    "Adresseændring for {}: {} (tidligere {}).",
                    new.full_name(),
                    one_line(&address),
                    one_line(&member.address)
                ));
            }
            let died_on = match new.status {
                RegisterStatus::Dead(date) => Some(date),
                _ => member.died_on,
            };
            if died_on != member.died_on
                && let Some(date) = died_on
            {
                lines.push(format!("{} er død {}.", new.full_name(), format_date(date)));
            }
            if lines.is_empty() {
                continue;
            }
            network::update_person(
                tx,
                member.person_id,
                &PersonUpdate {
                    first_name: &new.first_name,
                    last_name: &new.last_name,
                    address: &address,
                    died_on,
                },
            )
            .await?;
            let title = format!("Ændring fra CPR: {}", member_label(member));
            cpr_note(tx, relation.case_id, &title, &lines.join("\n")).await?;
            applied.notes += 1;
        }
        Ok(())
    }

    /// The child: name, address, a move to another municipality, death and custody holders.
    async fn to_child(
        &self,
        tx: &mut TenantTx,
        municipality: &Municipality,
        child: &Child,
        applied: &mut Applied,
    ) -> Result<(), AppError> {
        let (Some(cpr), Some(case)) = (child.cpr.as_deref(), child.case_id) else {
            return Ok(());
        };
        let Some(new) = self.current.get(cpr) else {
            return Ok(());
        };
        let previous = self.previous.get(cpr);
        let mut lines = Vec::new();
        if new.first_name != child.first_name || new.last_name != child.last_name {
            children::rename(tx, child.id, &new.first_name, &new.last_name).await?;
            lines.push(format!(
                "Navneændring: barnet hedder nu {} (tidligere {}).",
                new.full_name(),
                child.full_name()
            ));
        }
        if let Some(address) = &new.address
            && previous.is_none_or(|p| p.address.as_ref() != Some(address))
        {
            lines.push(format!(
                "Barnets adresse ifølge CPR: {}.",
                address.lines.join(", ")
            ));
        }
        // A move is a change of municipality in the register: a later record of a child who
        // already moved (its transfer done and closed) opens no second transfer.
        let moved = |address: &vaern_domain::register::RegisterAddress| {
            previous.is_none_or(|p| {
                p.address
                    .as_ref()
                    .is_none_or(|a| !same_code(&a.municipality_code, &address.municipality_code))
            })
        };
        if let Some(address) = &new.address
            && !same_code(&address.municipality_code, &municipality.code)
            && moved(address)
            && !has_open_transfer(tx, case).await?
        {
            let title = format!(
                "Sagsoverdragelse ved flytning til kommune {}",
                address.municipality_code
            );
            let steps = SubCaseKind::Transfer
                .steps_for(StepContext::default())
                .collect();
            let now = vaern_store::now();
            let clock = Clock::at(now, "Flytning meddelt af CPR");
            let (sub_case, started) = open_with_deadlines(
                tx,
                Opening {
                    case,
                    kind: SubCaseKind::Transfer,
                    title: &title,
                    opened_at: now,
                    opened_by: None,
                    steps,
                },
                &clock,
            )
            .await?;
            lines.push(format!(
                "Barnet er flyttet til kommune {} ifølge CPR. Delsagen «{}» er oprettet. \
                 Frister: {}.",
                address.municipality_code,
                sub_case.title,
                started.join("; ")
            ));
            applied.transfers += 1;
        }
        if let RegisterStatus::Dead(date) = new.status
            && !previous.is_some_and(|p| matches!(p.status, RegisterStatus::Dead(_)))
        {
            lines.push(format!("Barnet er død {} ifølge CPR.", format_date(date)));
        }
        self.custody(tx, child, new, &mut lines).await?;
        if !lines.is_empty() {
            cpr_note(tx, case, "Ændring fra CPR: barnet", &lines.join("\n")).await?;
            applied.notes += 1;
        }
        Ok(())
    }

    /// Makes the network's custody holders those CPR names: a holder already in the network
    /// gets custody, a new one is added from their own record, and one no longer named loses it.
    async fn custody(
        &self,
        tx: &mut TenantTx,
        child: &Child,
        new: &RegisterPerson,
        lines: &mut Vec<String>,
    ) -> Result<(), AppError> {
        let members = network::for_child(tx, child.id).await?;
        for holder in &new.custody {
            let member = members
                .iter()
                .find(|m| m.cpr.as_deref() == Some(holder.digits()));
            match member {
                Some(member) if member.custody => {}
                Some(member) => {
                    network::set_custody(tx, member.relation_id, true).await?;
                    lines.push(format!(
                        "{} har nu forældremyndighed ifølge CPR.",
                        member.full_name()
                    ));
                }
                None => {
                    let Some(record) = self.known.get(holder.digits()) else {
                        lines.push(format!(
                            "CPR angiver en ny indehaver af forældremyndigheden ({}), som \
                             registret ikke har oplysninger om. Tilføj personen i netværket.",
                            holder.masked()
                        ));
                        continue;
                    };
                    let kind = if new.mother.as_ref() == Some(holder) {
                        RelationKind::Mother
                    } else if new.father.as_ref() == Some(holder) {
                        RelationKind::Father
                    } else {
                        RelationKind::Family
                    };
                    let relation = NewRelation {
                        first_name: record.first_name.clone(),
                        last_name: record.last_name.clone(),
                        cpr: Some(holder.clone()),
                        birth_date: Some(holder.birth_date()),
                        kind,
                        custody: true,
                        address: record
                            .address
                            .as_ref()
                            .map(|a| a.lines.clone())
                            .unwrap_or_default(),
                        phone: None,
                        email: None,
                    };
                    network::add(tx, child.id, &relation, None).await?;
                    lines.push(format!(
                        "{} er tilføjet netværket som {} med forældremyndighed ifølge CPR.",
                        record.full_name(),
                        kind.label().to_lowercase()
                    ));
                }
            }
        }
        for member in members.iter().filter(|m| m.custody) {
            let named = member
                .cpr
                .as_deref()
                .is_none_or(|c| new.custody.iter().any(|h| h.digits() == c));
            if !named {
                network::set_custody(tx, member.relation_id, false).await?;
                lines.push(format!(
                    "{} har ikke længere forældremyndighed ifølge CPR.",
                    member.full_name()
                ));
            }
        }
        Ok(())
    }
}

fn member_label(member: &Member) -> String {
    let kind = RelationKind::parse(&member.kind).map_or("netværksperson", RelationKind::label);
    format!("{} ({})", member.full_name(), kind.to_lowercase())
}

async fn has_open_transfer(
    tx: &mut TenantTx,
    case: vaern_store::ChildCaseId,
) -> Result<bool, AppError> {
    Ok(sub_cases::for_case(tx, case)
        .await?
        .iter()
        .any(|s| s.kind == SubCaseKind::Transfer.code() && s.status == "open"))
}

async fn cpr_note(
    tx: &mut TenantTx,
    case: vaern_store::ChildCaseId,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    journal::append(
        tx,
        &journal::NewEntry {
            case,
            kind: EntryKind::Automatic,
            title,
            body,
            event_date: today(),
            author: None,
            corrects: None,
            sub_case: None,
        },
    )
    .await?;
    Ok(())
}

/// The job that applies change files dropped in the CPR inbox.
pub const SYNC_JOB: &str = "cpr_sync";
/// Where applied change files are moved, inside the inbox.
pub const PROCESSED: &str = "behandlet";

/// One change file the job applied.
#[derive(Debug)]
pub struct InboxFile {
    pub name: String,
    pub report: SyncReport,
}

/// Applies every change file in `inbox` (oldest name first) under the job's lease, moving each
/// to `inbox/behandlet/` once applied. A file that fails stays for the next run; `None` when
/// another instance holds the lease.
pub async fn sync_inbox(
    db: &Db,
    owner: &str,
    inbox: &std::path::Path,
) -> Result<Option<Vec<InboxFile>>, AppError> {
    let mut tx = db.global().await?;
    let taken = vaern_store::jobs::take_lease(&mut tx, SYNC_JOB, owner, crate::jobs::LEASE).await?;
    tx.commit().await?;
    if !taken {
        return Ok(None);
    }
    let result = sync_files(db, inbox).await;
    let summary = match &result {
        Ok(files) => format!("ok: {} filer", files.len()),
        Err(error) => format!("fejl: {error}"),
    };
    let mut tx = db.global().await?;
    vaern_store::jobs::finish(&mut tx, SYNC_JOB, owner, &summary).await?;
    tx.commit().await?;
    result.map(Some)
}

async fn sync_files(db: &Db, inbox: &std::path::Path) -> Result<Vec<InboxFile>, AppError> {
    let io =
        |e: std::io::Error| AppError::Internal(format!("CPR-indbakken {}: {e}", inbox.display()));
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(inbox)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    names.sort();
    let processed = inbox.join(PROCESSED);
    let mut applied = Vec::new();
    for path in names {
        let file = std::fs::File::open(&path).map_err(io)?;
        let report = sync(db, std::io::BufReader::new(file), |_| {}).await?;
        std::fs::create_dir_all(&processed).map_err(io)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::fs::rename(&path, processed.join(&name)).map_err(io)?;
        applied.push(InboxFile { name, report });
    }
    Ok(applied)
}
