//! Documents on a child's case: filing an upload, adding versions, listing, viewing and
//! downloading. The file goes into the file store first and its row commits afterwards with the
//! journal note, so no row ever points to a missing file; a refused upload stores nothing a user
//! can reach. Every view and download is access-logged.

use bytes::Bytes;
use serde::Deserialize;
use time::OffsetDateTime;
use vaern_domain::{
    Capability, FieldErrors,
    dates::format_date,
    document::{
        FileType, NewDocument, NewDocumentInput, clean_file_name, format_size, identify, too_large,
    },
};
use vaern_files::{ContentHash, FileError, FileStore, VerifiedStream};
use vaern_store::{
    ChildCaseId, ChildId, DocumentId, StoreError, SubCaseId, TenantTx,
    access_log::{self, AccessKind},
    children::Child,
    documents::{self, Document, NewVersion, Version},
    sub_cases::{self, SubCase},
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, check_sub_case, child_case, parse_sub_case},
    today,
};

/// The default largest file accepted (`VAERN_MAX_FILE_MB`).
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Where case files go and how large one may be.
#[derive(Debug, Clone)]
pub struct CaseFiles {
    pub store: FileStore,
    pub max_bytes: u64,
}

impl CaseFiles {
    pub fn new(store: FileStore, max_bytes: u64) -> Self {
        Self { store, max_bytes }
    }

    /// Files kept in memory with the default limit (`VAERN_FILES=memory:`, tests).
    pub fn in_memory() -> Self {
        Self::new(FileStore::in_memory(), DEFAULT_MAX_BYTES)
    }
}

/// The file part of an upload as the web layer received it.
#[derive(Debug, Clone)]
pub enum Received {
    /// No file was chosen.
    Nothing,
    /// The file passed the size limit; it was not kept.
    TooLarge,
    File {
        name: String,
        content: Bytes,
    },
}

/// The description fields of an upload, plus the sub-case it belongs to (optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UploadInput {
    #[serde(flatten)]
    pub document: NewDocumentInput,
    pub sub_case: Option<String>,
}

/// A file checked and put in the file store, not yet recorded on a case.
pub(crate) struct StoredFile {
    pub hash: ContentHash,
    pub size: u64,
    pub file_type: FileType,
    pub file_name: String,
}

impl StoredFile {
    fn row<'a>(&'a self, letter_data: Option<&'a str>) -> NewVersion<'a> {
        NewVersion {
            content_hash: self.hash.as_str(),
            size_bytes: i64::try_from(self.size).unwrap_or(i64::MAX),
            media_type: self.file_type.media_type(),
            file_name: &self.file_name,
            letter_data,
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} ({}, {})",
            self.file_name,
            self.file_type.label(),
            format_size(self.size)
        )
    }
}

/// Checks the received file; the message is for the `file` field.
fn check_file(received: Received, max_bytes: u64) -> Result<(String, Bytes, FileType), String> {
    match received {
        Received::Nothing => Err("Vælg en fil".into()),
        Received::TooLarge => Err(too_large(max_bytes)),
        Received::File { content, .. } if content.len() as u64 > max_bytes => {
            Err(too_large(max_bytes))
        }
        Received::File { name, content } => {
            let name = clean_file_name(&name);
            let file_type = identify(&name, &content)?;
            Ok((name, content, file_type))
        }
    }
}

pub(crate) async fn store_file(
    store: &FileStore,
    file_name: String,
    content: Bytes,
    file_type: FileType,
) -> Result<StoredFile, AppError> {
    let size = content.len() as u64;
    let hash = store.put(content).await.map_err(file_error)?;
    Ok(StoredFile {
        hash,
        size,
        file_type,
        file_name,
    })
}

fn file_error(error: FileError) -> AppError {
    AppError::Internal(error.to_string())
}

/// Records a new document whose file is already stored, with its journal note.
pub(crate) async fn record_document(
    tx: &mut TenantTx,
    actor: &Actor,
    case: ChildCaseId,
    sub_case: Option<SubCaseId>,
    document: &NewDocument,
    file: &StoredFile,
    letter_data: Option<&str>,
) -> Result<Document, AppError> {
    let stored = documents::create(
        tx,
        case,
        sub_case,
        document,
        &file.row(letter_data),
        actor.user_id,
    )
    .await?;
    let mut body = format!(
        "{} lagde dokumentet «{}» på sagen: {}, dateret {}. Fil: {}.",
        actor.name,
        document.title,
        document.kind.label().to_lowercase(),
        format_date(document.document_date),
        file.describe()
    );
    if document.confidential {
        body.push_str(" Dokumentet er fortroligt.");
    }
    if document.shareable_with_siblings {
        body.push_str(" Det må deles med søskendes sager.");
    }
    automatic_note(tx, actor, case, sub_case, "Dokument tilføjet", &body).await?;
    Ok(stored)
}

/// Files an uploaded document on the child's case (and one of its sub-cases).
pub async fn upload(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    child: ChildId,
    input: &UploadInput,
    received: Received,
) -> Result<Document, AppError> {
    actor.require(Capability::WriteJournal)?;
    let mut errors = FieldErrors::new();
    let document = match NewDocument::parse(&input.document, today()) {
        Ok(document) => Some(document),
        Err(found) => {
            for error in found.iter() {
                errors.add(&error.field, error.message.clone());
            }
            None
        }
    };
    let sub_case = parse_sub_case(input.sub_case.as_deref(), &mut errors);
    let checked = errors.take("file", check_file(received, files.max_bytes));
    let (Some(document), Some((name, content, file_type))) = (document, checked) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // Where it goes is checked before the file is written, so a refused upload leaves no file.
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, case) = child_case(&mut tx, child).await?;
    if let Some(id) = sub_case {
        check_sub_case(&mut tx, case, id).await?;
    }
    tx.commit().await?;
    let file = store_file(&files.store, name, content, file_type).await?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let stored = record_document(&mut tx, actor, case, sub_case, &document, &file, None).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Adds a new version of a document; the earlier versions stay. `expected` is the version the
/// user saw: if someone added another since, theirs is not silently buried under this one.
pub async fn add_version(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    child: ChildId,
    id: DocumentId,
    expected: Option<i32>,
    received: Received,
) -> Result<Version, AppError> {
    actor.require(Capability::WriteJournal)?;
    let (name, content, file_type) = check_file(received, files.max_bytes)
        .map_err(|message| AppError::Invalid(FieldErrors::single("file", message)))?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    document_of(&mut tx, child, id).await?;
    tx.commit().await?;
    let file = store_file(&files.store, name, content, file_type).await?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (_, document) = document_of(&mut tx, child, id).await?;
    let expected = expected.unwrap_or(document.latest_version);
    let version = match documents::add_version(
        &mut tx,
        id,
        expected,
        &file.row(None),
        actor.user_id,
    )
    .await
    {
        Ok(version) => version,
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(format!(
                "Der er kommet en nyere version af «{}» (nu version {}), siden du åbnede siden. \
                 Se den først, og tilføj så din version igen.",
                document.title, document.latest_version
            )));
        }
        Err(other) => return Err(other.into()),
    };
    let body = format!(
        "{} tilføjede version {} af «{}». Fil: {}. De tidligere versioner er bevaret.",
        actor.name,
        version.version,
        document.title,
        file.describe()
    );
    automatic_note(
        &mut tx,
        actor,
        document.child_case_id,
        document.sub_case_id,
        "Ny version af dokument",
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

async fn document_of(
    tx: &mut TenantTx,
    child: ChildId,
    id: DocumentId,
) -> Result<(Child, Document), AppError> {
    let (child, case) = child_case(tx, child).await?;
    let document = documents::get(tx, id).await?;
    if document.child_case_id != case {
        return Err(AppError::NotFound);
    }
    Ok((child, document))
}

/// A child's documents and the sub-cases a new one may be filed under.
pub struct CaseDocuments {
    pub child: Child,
    pub documents: Vec<Document>,
    pub sub_cases: Vec<SubCase>,
}

/// The child's documents; reading the list is access-logged.
pub async fn list(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: AccessKind,
) -> Result<CaseDocuments, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let child = vaern_store::children::get(&mut tx, child).await?;
    let (documents, sub_cases) = match child.case_id {
        Some(case) => (
            documents::for_case(&mut tx, case).await?,
            sub_cases::for_case(&mut tx, case).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, "Dokumenter").await?;
    tx.commit().await?;
    Ok(CaseDocuments {
        child,
        documents,
        sub_cases,
    })
}

/// One document with all its versions; access-logged.
pub async fn show(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    id: DocumentId,
    kind: AccessKind,
) -> Result<(Child, Document, Vec<Version>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, document) = document_of(&mut tx, child, id).await?;
    let versions = documents::versions(&mut tx, id).await?;
    let detail = format!("Dokument «{}»", document.title);
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, &detail).await?;
    tx.commit().await?;
    Ok((child, document, versions))
}

/// Why a file is opened, for the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Shown in the browser.
    Preview,
    /// Saved as a file.
    Download,
    /// Fetched through the API.
    Api,
}

/// An opened file: what it is and its verified bytes.
pub struct OpenedFile {
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: u64,
    pub created_at: OffsetDateTime,
    pub content: VerifiedStream,
}

/// Opens one version (the latest if `None`) of a document's file; access-logged before a byte
/// leaves. A file missing or damaged in the file store is an internal error, logged.
pub async fn open(
    db: &vaern_store::Db,
    files: &CaseFiles,
    actor: &Actor,
    child: ChildId,
    id: DocumentId,
    version: Option<i32>,
    opening: Opening,
) -> Result<OpenedFile, AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let (child, document) = document_of(&mut tx, child, id).await?;
    let version =
        documents::version(&mut tx, id, version.unwrap_or(document.latest_version)).await?;
    let (kind, verb) = match opening {
        Opening::Preview => (AccessKind::View, "vist"),
        Opening::Download => (AccessKind::Export, "hentet"),
        Opening::Api => (AccessKind::ApiRead, "hentet via API"),
    };
    let detail = format!(
        "Dokument «{}» version {} {verb}",
        document.title, version.version
    );
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, &detail).await?;
    tx.commit().await?;
    let hash = ContentHash::parse(&version.content_hash).ok_or_else(|| {
        AppError::Internal(format!(
            "stored hash {:?} is malformed",
            version.content_hash
        ))
    })?;
    let file_type = FileType::from_media_type(&version.media_type)
        .ok_or_else(|| AppError::Internal(format!("stored media type {:?}", version.media_type)))?;
    let content = files.store.stream(&hash).await.map_err(file_error)?;
    Ok(OpenedFile {
        file_name: version.file_name,
        file_type,
        size_bytes: u64::try_from(version.size_bytes).unwrap_or(0),
        created_at: version.created_at,
        content,
    })
}

/// What `vaern files check` found.
#[derive(Debug, Default)]
pub struct FileReport {
    /// Files referred to by a document version and checked.
    pub checked: usize,
    /// Referred to but not in the store.
    pub missing: Vec<String>,
    /// In the store but no longer matching their hash.
    pub damaged: Vec<String>,
    /// In the store but referred to by no document (left by a failed transaction).
    pub unreferenced: Vec<String>,
}

impl FileReport {
    pub fn is_sound(&self) -> bool {
        self.missing.is_empty() && self.damaged.is_empty()
    }
}

/// Reads every file the documents of every municipality refer to and checks it against its
/// hash; lists files nothing refers to. For operators and auditors; it changes nothing.
pub async fn check_files(db: &vaern_store::Db, store: &FileStore) -> Result<FileReport, AppError> {
    let mut tx = db.global().await?;
    let municipalities = vaern_store::municipalities::list(&mut tx).await?;
    tx.commit().await?;
    let mut referenced = std::collections::BTreeSet::new();
    for municipality in municipalities {
        let mut tx = db.tenant(municipality.id).await?;
        referenced.extend(documents::content_hashes(&mut tx).await?);
        tx.commit().await?;
    }
    let mut report = FileReport::default();
    for hex in &referenced {
        let Some(hash) = ContentHash::parse(hex) else {
            report.damaged.push(hex.clone());
            continue;
        };
        report.checked += 1;
        match store.verify(&hash).await {
            Ok(()) => {}
            Err(FileError::Missing(_)) => report.missing.push(hex.clone()),
            Err(FileError::Corrupt(_)) => report.damaged.push(hex.clone()),
            Err(other) => return Err(file_error(other)),
        }
    }
    report.unreferenced = store
        .unreferenced(|hash| referenced.contains(hash.as_str()))
        .await
        .map_err(file_error)?
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok(report)
}
