//! The generated children's networks, professionals and documents: per municipality an address
//! book (a school, a daycare and the health visitors, with their staff) and a few small e-mail
//! files in the file store; per case the parents and sometimes a grandparent, one or two
//! professionals, and two documents whose versions point at those files (storage is
//! content-addressed, so many documents share one file, as copies between siblings do).

use bytes::Bytes;
use rand::{Rng, rngs::StdRng};
use time::{Date, OffsetDateTime};
use uuid::Uuid;
use vaern_files::FileStore;
use vaern_store::{
    MunicipalityId,
    bulk::{self, Value},
};

use super::{Batch, GIRLS, Report, SURNAMES, id};
use crate::AppError;

/// What a municipality's cases draw their professionals and document files from.
pub(super) struct AddressBook {
    professionals: Vec<Uuid>,
    files: Vec<StoredFile>,
}

struct StoredFile {
    title: &'static str,
    file_name: &'static str,
    hash: String,
    size: i64,
}

/// The organisations: name, kind, and the role of the professionals who work there.
const ORGANISATIONS: [(&str, &str, &str); 3] = [
    ("Skole", "school", "teacher"),
    ("Børnehus", "daycare", "daycare"),
    ("Sundhedspleje", "health", "health_nurse"),
];

const PROFESSIONALS_PER_ORGANISATION: usize = 6;

/// The documents each case gets: title and file name.
const DOCUMENTS: [(&str, &str); 3] = [
    ("Statusudtalelse fra skolen", "statusudtalelse.eml"),
    (
        "Bekymringshenvendelse fra sundhedsplejen",
        "henvendelse.eml",
    ),
    ("Referat af netværksmøde", "referat.eml"),
];

/// Writes the municipality's address book and stores its document files.
pub(super) async fn address_book(
    db: &vaern_store::Db,
    files: &FileStore,
    municipality: MunicipalityId,
    name: &str,
    rng: &mut StdRng,
    now: OffsetDateTime,
) -> Result<AddressBook, AppError> {
    let m = Value::Id(municipality.0);
    let mut organisations = Vec::new();
    let mut people = Vec::new();
    let mut professionals = Vec::new();
    for (n, (label, kind, role)) in ORGANISATIONS.iter().enumerate() {
        let organisation = id(rng);
        organisations.push(vec![
            Value::Id(organisation),
            m.clone(),
            Value::Text(format!("{name} {label}")),
            Value::Text((*kind).into()),
            Value::Text(format!("Skolevej {}\n{name}", n + 1)),
            Value::OptText(Some(format!("7010{:04}", n + 1))),
            Value::At(now),
        ]);
        for p in 0..PROFESSIONALS_PER_ORGANISATION {
            let professional = id(rng);
            professionals.push(professional);
            people.push(vec![
                Value::Id(professional),
                m.clone(),
                Value::Id(organisation),
                Value::Text(format!("{} {}", GIRLS[(n * 5 + p) % 15], SURNAMES[p % 15])),
                Value::Text((*role).into()),
                Value::OptText(Some(format!("{}@{}.dk", p + 1, kind))),
                Value::At(now),
            ]);
        }
    }
    let mut tx = db.tenant(municipality).await?;
    bulk::insert(
        &mut tx,
        "organisations",
        &[
            "id",
            "municipality_id",
            "name",
            "kind",
            "address",
            "phone",
            "created_at",
        ],
        &organisations,
    )
    .await?;
    bulk::insert(
        &mut tx,
        "professionals",
        &[
            "id",
            "municipality_id",
            "organisation_id",
            "name",
            "role",
            "email",
            "created_at",
        ],
        &people,
    )
    .await?;
    tx.commit().await?;
    let mut stored = Vec::new();
    for (title, file_name) in DOCUMENTS {
        let content = format!(
            "From: {name} Kommune <post@kommune.dk>\r\nTo: Familieafdelingen\r\n\
             Subject: {title}\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             {title}. Barnet trives bedre, men fraværet er fortsat højt. \
             Vi foreslår et opfølgende møde med forældrene.\r\n"
        );
        let size = content.len() as i64;
        let hash = files
            .put(Bytes::from(content))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        stored.push(StoredFile {
            title,
            file_name,
            hash: hash.as_str().to_owned(),
            size,
        });
    }
    Ok(AddressBook {
        professionals,
        files: stored,
    })
}

/// The `n`-th case's network, professionals and documents, added to `batch`.
#[allow(clippy::too_many_arguments)]
pub(super) fn of_case(
    batch: &mut Batch,
    book: &AddressBook,
    municipality: MunicipalityId,
    (n, child, case, last_name, birth): (usize, Uuid, Uuid, &str, Date),
    worker: Uuid,
    rng: &mut StdRng,
    now: OffsetDateTime,
    report: &mut Report,
) {
    let m = Value::Id(municipality.0);
    let mut relatives = vec![("mother", "Mette"), ("father", "Lars")];
    if rng.random_range(0..3) == 0 {
        relatives.push(("family", "Inger"));
    }
    for (kind, first) in relatives {
        let person = id(rng);
        batch.persons.push(vec![
            Value::Id(person),
            m.clone(),
            Value::Text(first.into()),
            Value::Text(last_name.into()),
            Value::Text("Storegade 1\n2000 Frederiksberg".into()),
            Value::OptText(Some("20304050".into())),
            Value::At(now),
            Value::OptId(Some(worker)),
        ]);
        batch.relations.push(vec![
            Value::Id(id(rng)),
            m.clone(),
            Value::Id(child),
            Value::Id(person),
            Value::Text(kind.into()),
            Value::Bool(kind != "family"),
            Value::At(now),
            Value::OptId(Some(worker)),
        ]);
        report.network_persons += 1;
    }
    let first = rng.random_range(0..book.professionals.len());
    let count = 1 + usize::from(rng.random_range(0..2) == 0);
    for k in 0..count {
        let professional = book.professionals[(first + k * 7) % book.professionals.len()];
        batch.child_professionals.push(vec![
            Value::Id(id(rng)),
            m.clone(),
            Value::Id(child),
            Value::Id(professional),
            Value::At(now),
            Value::OptId(Some(worker)),
        ]);
        report.professionals += 1;
    }
    for k in 0..2 {
        // In turn, so that a municipality's two cases use all its files (none lies unreferenced).
        let file = &book.files[(n * 2 + k) % book.files.len()];
        let document = id(rng);
        let date = birth.max(vaern_domain::dates::danish_today(now) - time::Duration::days(90));
        batch.documents.push(vec![
            Value::Id(document),
            m.clone(),
            Value::Id(case),
            Value::Text(file.title.into()),
            Value::Text("incoming".into()),
            Value::Date(date),
            Value::Bool(false),
            Value::Bool(k == 0),
            Value::Int(1),
            Value::At(now),
            Value::OptId(Some(worker)),
        ]);
        batch.document_versions.push(vec![
            Value::Id(id(rng)),
            m.clone(),
            Value::Id(document),
            Value::Int(1),
            Value::Text(file.hash.clone()),
            Value::Int(file.size),
            Value::Text("message/rfc822".into()),
            Value::Text(file.file_name.into()),
            Value::At(now),
            Value::OptId(Some(worker)),
        ]);
        report.documents += 1;
    }
}

/// Writes the batch's network, professional and document rows.
pub(super) async fn write(
    tx: &mut vaern_store::TenantTx,
    batch: &Batch,
) -> Result<(), vaern_store::StoreError> {
    bulk::insert(
        tx,
        "persons",
        &[
            "id",
            "municipality_id",
            "first_name",
            "last_name",
            "address",
            "phone",
            "created_at",
            "created_by",
        ],
        &batch.persons,
    )
    .await?;
    bulk::insert(
        tx,
        "relations",
        &[
            "id",
            "municipality_id",
            "child_id",
            "person_id",
            "kind",
            "custody",
            "created_at",
            "created_by",
        ],
        &batch.relations,
    )
    .await?;
    bulk::insert(
        tx,
        "child_professionals",
        &[
            "id",
            "municipality_id",
            "child_id",
            "professional_id",
            "created_at",
            "created_by",
        ],
        &batch.child_professionals,
    )
    .await?;
    bulk::insert(
        tx,
        "documents",
        &[
            "id",
            "municipality_id",
            "child_case_id",
            "title",
            "kind",
            "document_date",
            "confidential",
            "shareable_with_siblings",
            "latest_version",
            "created_at",
            "created_by",
        ],
        &batch.documents,
    )
    .await?;
    bulk::insert(
        tx,
        "document_versions",
        &[
            "id",
            "municipality_id",
            "document_id",
            "version",
            "content_hash",
            "size_bytes",
            "media_type",
            "file_name",
            "created_at",
            "created_by",
        ],
        &batch.document_versions,
    )
    .await
}
