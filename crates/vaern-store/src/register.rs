//! The CPR register as last imported: national reference data, read when a caseworker looks a
//! person up and compared with when changes arrive.

use sqlx::AssertSqlSafe;
use time::Date;
use vaern_domain::{
    Cpr,
    register::{RegisterAddress, RegisterPerson, RegisterStatus},
};

use crate::{GlobalTx, StoreError, now, on};

/// Persons per insert statement. Measured (BENCHMARKS.md): ten rows a statement imports 100,000
/// persons in 1.5 s on either database; 500 rows took 13.7 s on SQLite, whose driver pays per
/// parameter per statement, and a full chunk's statement is prepared once and reused.
const ROWS_PER_STATEMENT: usize = 10;
/// CPR numbers per lookup statement.
const CPRS_PER_LOOKUP: usize = 500;
const COLUMNS: usize = 11;

/// Inserts or replaces each person's record; when a CPR number comes twice, the later record
/// wins (PostgreSQL refuses one statement that changes a row twice).
pub async fn upsert(tx: &mut GlobalTx, persons: &[RegisterPerson]) -> Result<(), StoreError> {
    let at = now();
    let mut seen = std::collections::HashSet::new();
    let mut latest: Vec<&RegisterPerson> = persons
        .iter()
        .rev()
        .filter(|p| seen.insert(p.cpr.digits()))
        .collect();
    latest.reverse();
    for chunk in latest.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| {
                let params: Vec<String> = (1..=COLUMNS)
                    .map(|col| format!("${}", row * COLUMNS + col))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "insert into cpr_register (cpr, first_name, last_name, status, status_date, \
             municipality_code, address, mother, father, custody, updated_at) values {} \
             on conflict (cpr) do update set first_name = excluded.first_name, \
             last_name = excluded.last_name, status = excluded.status, \
             status_date = excluded.status_date, municipality_code = excluded.municipality_code, \
             address = excluded.address, mother = excluded.mother, father = excluded.father, \
             custody = excluded.custody, updated_at = excluded.updated_at",
            rows.join(", ")
        );
        on!(&mut tx.tx, c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for person in chunk {
                query = query
                    .bind(person.cpr.digits().to_owned())
                    .bind(person.first_name.clone())
                    .bind(person.last_name.clone())
                    .bind(person.status.code())
                    .bind(person.status.date())
                    .bind(person.address.as_ref().map(|a| a.municipality_code.clone()))
                    .bind(person.address.as_ref().map(|a| a.lines.join("\n")))
                    .bind(person.mother.as_ref().map(|c| c.digits().to_owned()))
                    .bind(person.father.as_ref().map(|c| c.digits().to_owned()))
                    .bind(person.custody.iter().map(Cpr::digits).collect::<Vec<_>>().join(","))
                    .bind(at);
            }
            query.execute(c).await?;
        });
    }
    Ok(())
}

/// A stored record that no longer parses: the database was changed outside Værn.
fn corrupt(what: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("cpr_register: {what}").into()))
}

#[derive(sqlx::FromRow)]
struct Row {
    cpr: String,
    first_name: String,
    last_name: String,
    status: String,
    status_date: Option<Date>,
    municipality_code: Option<String>,
    address: Option<String>,
    mother: Option<String>,
    father: Option<String>,
    custody: String,
}

impl Row {
    fn into_person(self) -> Result<RegisterPerson, StoreError> {
        let cpr = |digits: &str| Cpr::parse(digits).map_err(corrupt);
        Ok(RegisterPerson {
            cpr: cpr(&self.cpr)?,
            first_name: self.first_name,
            last_name: self.last_name,
            status: RegisterStatus::from_code(&self.status, self.status_date)
                .ok_or_else(|| corrupt(format!("status {}", self.status)))?,
            address: match (self.municipality_code, self.address) {
                (Some(municipality_code), Some(lines)) => Some(RegisterAddress {
                    municipality_code,
                    lines: lines.lines().map(str::to_owned).collect(),
                }),
                _ => None,
            },
            mother: self.mother.as_deref().map(cpr).transpose()?,
            father: self.father.as_deref().map(cpr).transpose()?,
            custody: self
                .custody
                .split(',')
                .filter(|c| !c.is_empty())
                .map(cpr)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// The register's record of `cpr`, if it has one.
pub async fn get(tx: &mut GlobalTx, cpr: &Cpr) -> Result<Option<RegisterPerson>, StoreError> {
    let row: Option<Row> = on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select cpr, first_name, last_name, status, status_date, municipality_code, address, \
             mother, father, custody from cpr_register where cpr = $1",
        )
        .bind(cpr.digits()).fetch_optional(c).await?
    });
    row.map(Row::into_person).transpose()
}

/// The register's records of these CPR numbers (those it has).
pub async fn get_many(
    tx: &mut GlobalTx,
    cprs: &[String],
) -> Result<Vec<RegisterPerson>, StoreError> {
    let mut found = Vec::with_capacity(cprs.len());
    for chunk in cprs.chunks(CPRS_PER_LOOKUP) {
        let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "select cpr, first_name, last_name, status, status_date, municipality_code, address, \
             mother, father, custody from cpr_register where cpr in ({})",
            params.join(", ")
        );
        let rows: Vec<Row> = on!(&mut tx.tx, c => {
            let mut query = sqlx::query_as(AssertSqlSafe(sql));
            for cpr in chunk {
                query = query.bind(cpr);
            }
            query.fetch_all(c).await?
        });
        for row in rows {
            found.push(row.into_person()?);
        }
    }
    Ok(found)
}

/// How many persons the register holds.
pub async fn count(tx: &mut GlobalTx) -> Result<i64, StoreError> {
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_scalar("select count(*) from cpr_register").fetch_one(c).await?
    }))
}
