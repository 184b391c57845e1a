//! Documents on a child's case and their versions. A version is never changed or removed (the
//! database refuses it); a document only learns which version is its latest.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use vaern_domain::document::NewDocument;

use crate::{
    ChildCaseId, DocumentId, DocumentVersionId, StoreError, SubCaseId, TenantTx, UserId, now, on,
};

/// A document with its latest version's file.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: DocumentId,
    pub child_case_id: ChildCaseId,
    pub sub_case_id: Option<SubCaseId>,
    pub sub_case_title: Option<String>,
    pub title: String,
    pub kind: String,
    pub document_date: Date,
    pub confidential: bool,
    pub shareable_with_siblings: bool,
    pub latest_version: i32,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
    pub media_type: String,
    pub size_bytes: i64,
    pub file_name: String,
}

/// One version of a document's file.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Version {
    pub id: DocumentVersionId,
    pub document_id: DocumentId,
    pub version: i32,
    pub content_hash: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: String,
    /// For a generated letter: the template and merge data it was made from (JSON).
    pub letter_data: Option<String>,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
}

/// A file already in the file store, to be recorded as a version.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub content_hash: &'a str,
    pub size_bytes: i64,
    pub media_type: &'a str,
    pub file_name: &'a str,
    pub letter_data: Option<&'a str>,
}

const DOCUMENT_SELECT: &str = "select d.id, d.child_case_id, d.sub_case_id, s.title as sub_case_title, \
    d.title, d.kind, d.document_date, d.confidential, d.shareable_with_siblings, d.latest_version, \
    d.created_at, u.name as created_by_name, v.media_type, v.size_bytes, v.file_name \
    from documents d \
    join document_versions v on v.document_id = d.id and v.version = d.latest_version \
    left join sub_cases s on s.id = d.sub_case_id \
    left join users u on u.id = d.created_by";

const VERSION_SELECT: &str = "select v.id, v.document_id, v.version, v.content_hash, v.size_bytes, \
    v.media_type, v.file_name, v.letter_data, v.created_at, u.name as created_by_name \
    from document_versions v left join users u on u.id = v.created_by";

/// Files a new document with its first version on `case` (and `sub_case`, which must be the
/// case's). `NotFound` if the case or sub-case is not this municipality's.
pub async fn create(
    tx: &mut TenantTx,
    case: ChildCaseId,
    sub_case: Option<SubCaseId>,
    document: &NewDocument,
    file: &NewVersion<'_>,
    by: UserId,
) -> Result<Document, StoreError> {
    let id = DocumentId::new();
    let municipality = tx.municipality();
    let at = now();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into documents (id, municipality_id, child_case_id, sub_case_id, title, kind, \
             document_date, confidential, shareable_with_siblings, latest_version, created_at, created_by) \
             select $1, $2, cc.id, $4, $5, $6, $7, $8, $9, 1, $10, $11 from child_cases cc \
             where cc.municipality_id = $2 and cc.id = $3 and ($4 is null or exists \
             (select 1 from sub_cases s where s.id = $4 and s.child_case_id = cc.id))",
        )
        .bind(id).bind(municipality).bind(case).bind(sub_case).bind(&document.title)
        .bind(document.kind.code()).bind(document.document_date).bind(document.confidential)
        .bind(document.shareable_with_siblings).bind(at).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    insert_version(tx, id, 1, file, by, at).await?;
    get(tx, id).await
}

/// Adds the next version of a document; the earlier ones stay. Two people adding a version at
/// the same moment cannot get the same number: the loser gets a `Conflict`.
pub async fn add_version(
    tx: &mut TenantTx,
    document: DocumentId,
    expected_latest: i32,
    file: &NewVersion<'_>,
    by: UserId,
) -> Result<Version, StoreError> {
    let municipality = tx.municipality();
    let next = expected_latest + 1;
    let moved = on!(&mut tx.tx, c => {
        sqlx::query(
            "update documents set latest_version = $4 \
             where municipality_id = $1 and id = $2 and latest_version = $3",
        )
        .bind(municipality).bind(document).bind(expected_latest).bind(next)
        .execute(c).await?.rows_affected()
    });
    if moved == 0 {
        return Err(StoreError::Conflict(format!(
            "document {document} is no longer at version {expected_latest}"
        )));
    }
    let id = insert_version(tx, document, next, file, by, now()).await?;
    let sql = format!("{VERSION_SELECT} where v.municipality_id = $1 and v.id = $2");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?),
    )
}

async fn insert_version(
    tx: &mut TenantTx,
    document: DocumentId,
    version: i32,
    file: &NewVersion<'_>,
    by: UserId,
    at: OffsetDateTime,
) -> Result<DocumentVersionId, StoreError> {
    let id = DocumentVersionId::new();
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into document_versions (id, municipality_id, document_id, version, content_hash, \
             size_bytes, media_type, file_name, letter_data, created_at, created_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id).bind(municipality).bind(document).bind(version).bind(file.content_hash)
        .bind(file.size_bytes).bind(file.media_type).bind(file.file_name).bind(file.letter_data)
        .bind(at).bind(by)
        .execute(c).await?;
    });
    Ok(id)
}

/// A document of this municipality.
pub async fn get(tx: &mut TenantTx, id: DocumentId) -> Result<Document, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{DOCUMENT_SELECT} where d.municipality_id = $1 and d.id = $2");
    on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}

/// The case's documents, newest document date first.
pub async fn for_case(tx: &mut TenantTx, case: ChildCaseId) -> Result<Vec<Document>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{DOCUMENT_SELECT} where d.municipality_id = $1 and d.child_case_id = $2 \
         order by d.document_date desc, d.created_at desc, d.id"
    );
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(c).await?),
    )
}

/// The content hashes of every version of the municipality's documents.
pub async fn content_hashes(tx: &mut TenantTx) -> Result<Vec<String>, StoreError> {
    let municipality = tx.municipality();
    let rows: Vec<(String,)> = on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select distinct content_hash from document_versions where municipality_id = $1 \
             order by content_hash",
        )
        .bind(municipality)
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(|(hash,)| hash).collect())
}

/// Every version of a document, newest first.
pub async fn versions(tx: &mut TenantTx, document: DocumentId) -> Result<Vec<Version>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{VERSION_SELECT} where v.municipality_id = $1 and v.document_id = $2 order by v.version desc"
    );
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(document).fetch_all(c).await?),
    )
}

/// One version of a document.
pub async fn version(
    tx: &mut TenantTx,
    document: DocumentId,
    version: i32,
) -> Result<Version, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{VERSION_SELECT} where v.municipality_id = $1 and v.document_id = $2 and v.version = $3"
    );
    on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(document).bind(version).fetch_optional(c).await?)
        .ok_or(StoreError::NotFound)
}
