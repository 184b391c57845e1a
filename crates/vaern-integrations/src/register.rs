//! The person register Værn looks CPR numbers up in, behind one trait: the stored register that
//! CPR extracts are imported into (production), and an in-memory register (tests, demo).

use std::{collections::HashMap, future::Future, io::BufRead, pin::Pin, sync::RwLock};

use vaern_domain::{Cpr, register::RegisterPerson};
use vaern_store::{Db, StoreError, register};

use crate::extract::{ExtractError, ExtractReader};

/// A register lookup that failed (the register could not be read; an unknown CPR is `None`).
#[derive(Debug, thiserror::Error)]
#[error("CPR-registret kunne ikke læses: {0}")]
pub struct RegisterError(#[from] pub StoreError);

/// What a lookup returns, boxed so the register can be a trait object shared by the server.
pub type Lookup<'a> =
    Pin<Box<dyn Future<Output = Result<Option<RegisterPerson>, RegisterError>> + Send + 'a>>;

/// Where persons are looked up by CPR number. Callers access-log each lookup.
pub trait PersonRegister: Send + Sync {
    /// The person's current record; `None` if the register does not know the number.
    fn lookup<'a>(&'a self, cpr: &'a Cpr) -> Lookup<'a>;
}

/// A register held in memory, for tests and the demo.
#[derive(Debug, Default)]
pub struct InMemoryRegister {
    persons: RwLock<HashMap<String, RegisterPerson>>,
}

impl InMemoryRegister {
    /// Adds or replaces a person's record.
    pub fn insert(&self, person: RegisterPerson) {
        self.persons
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(person.cpr.digits().to_owned(), person);
    }
}

impl PersonRegister for InMemoryRegister {
    fn lookup<'a>(&'a self, cpr: &'a Cpr) -> Lookup<'a> {
        let found = self
            .persons
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(cpr.digits())
            .cloned();
        Box::pin(async move { Ok(found) })
    }
}

/// The register as last imported from CPR extracts, kept in Værn's database.
#[derive(Clone)]
pub struct StoredRegister {
    db: Db,
}

impl PersonRegister for StoredRegister {
    fn lookup<'a>(&'a self, cpr: &'a Cpr) -> Lookup<'a> {
        Box::pin(async move {
            let mut tx = self.db.global().await?;
            let person = register::get(&mut tx, cpr).await?;
            tx.commit().await?;
            Ok(person)
        })
    }
}

/// Persons per import transaction: a failure loses at most one batch, never half of one.
pub const BATCH: usize = 1_000;
/// Line errors kept in a report; the count goes on beyond it.
pub const REPORTED_ERRORS: usize = 1_000;

/// How an import or a sync went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Persons stored.
    pub persons: u64,
    /// Transactions committed.
    pub batches: u64,
    pub lines: u64,
    /// Malformed records, all counted.
    pub rejected: u64,
    /// The first [`REPORTED_ERRORS`] of them, with line numbers.
    pub errors: Vec<ExtractError>,
}

impl ImportReport {
    fn reject(&mut self, error: ExtractError) {
        self.rejected += 1;
        if self.errors.len() < REPORTED_ERRORS {
            self.errors.push(error);
        }
    }
}

/// An extract read in batches of [`BATCH`] valid persons; malformed records are counted and
/// reported with their line. Memory holds one batch, whatever the file's size.
pub struct Batches<R: BufRead> {
    reader: ExtractReader<R>,
    report: ImportReport,
}

impl<R: BufRead> Batches<R> {
    pub fn new(extract: R) -> Self {
        Batches {
            reader: ExtractReader::new(extract),
            report: ImportReport::default(),
        }
    }

    /// The next batch, or `None` at the end of the extract. The caller stores the batch and
    /// then calls [`Batches::stored`].
    pub fn next_batch(&mut self) -> Option<Vec<RegisterPerson>> {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            match self.reader.next() {
                Some(Ok(person)) => batch.push(person),
                Some(Err(error)) => self.report.reject(error),
                None => break,
            }
        }
        (!batch.is_empty()).then_some(batch)
    }

    /// Counts a batch as stored, and tells how far the reading has come.
    pub fn stored(&mut self, persons: usize) -> Progress {
        self.report.persons += persons as u64;
        self.report.batches += 1;
        Progress {
            lines: self.reader.lines_read(),
            bytes: self.reader.bytes_read(),
            persons: self.report.persons,
        }
    }

    /// The report, once every batch is stored.
    pub fn finish(mut self) -> ImportReport {
        self.report.lines = self.reader.lines_read();
        self.report
    }
}

/// Progress after each batch: lines and bytes read so far.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub lines: u64,
    pub bytes: u64,
    pub persons: u64,
}

impl StoredRegister {
    pub fn new(db: Db) -> Self {
        StoredRegister { db }
    }

    /// Imports an extract, each batch of valid persons in one transaction (see [`Batches`]).
    pub async fn import<R: BufRead>(
        &self,
        extract: R,
        mut progress: impl FnMut(Progress),
    ) -> Result<ImportReport, RegisterError> {
        let mut batches = Batches::new(extract);
        while let Some(batch) = batches.next_batch() {
            let mut tx = self.db.global().await?;
            register::upsert(&mut tx, &batch).await?;
            tx.commit().await?;
            progress(batches.stored(batch.len()));
        }
        Ok(batches.finish())
    }
}
