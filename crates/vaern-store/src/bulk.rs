//! Many rows at once, for generating benchmark data sets (`vaern bench-data`): a synthetic
//! country is millions of rows, which one-row use cases would take hours to write. Only the
//! generator uses this; every use case writes through its own repository.

use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{StoreError, TenantTx, on};

/// A value of a column.
#[derive(Debug, Clone)]
pub enum Value {
    Id(Uuid),
    OptId(Option<Uuid>),
    Text(String),
    OptText(Option<String>),
    Int(i64),
    Bool(bool),
    OptBool(Option<bool>),
    Date(Date),
    At(OffsetDateTime),
    OptAt(Option<OffsetDateTime>),
}

/// Rows per statement: small statements, prepared once and reused, are faster than huge ones
/// (the drivers' cost per parameter grows with the statement; see BENCHMARKS.md, CPR import).
const ROWS_PER_STATEMENT: usize = 20;

/// Inserts `rows` (each with one value per column) into `table` in the tenant's transaction.
/// `table` and `columns` are the caller's constants, never input.
pub async fn insert(
    tx: &mut TenantTx,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let width = columns.len();
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let params: Vec<String> =
                    (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "insert into {table} ({}) values {}",
            columns.join(", "),
            values.join(", ")
        );
        on!(&mut tx.tx, c => {
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for value in chunk.iter().flatten() {
                query = match value {
                    Value::Id(v) => query.bind(*v),
                    Value::OptId(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.as_str()),
                    Value::OptText(v) => query.bind(v.as_deref()),
                    Value::Int(v) => query.bind(*v),
                    Value::Bool(v) => query.bind(*v),
                    Value::OptBool(v) => query.bind(*v),
                    Value::Date(v) => query.bind(*v),
                    Value::At(v) => query.bind(*v),
                    Value::OptAt(v) => query.bind(*v),
                };
            }
            query.execute(c).await?;
        });
    }
    Ok(())
}

/// Sets the municipality's next case number (after generated cases took the numbers before).
pub async fn set_next_case_number(tx: &mut TenantTx, next: i64) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into case_counters (municipality_id, next_value) values ($1, $2) \
             on conflict (municipality_id) do update set next_value = excluded.next_value",
        )
        .bind(municipality).bind(next)
        .execute(c).await?;
    });
    Ok(())
}

/// Refreshes the query planner's statistics after a bulk load: without them both databases plan
/// Mit overblik and the journal as scans (BENCHMARKS.md, issue 8). On PostgreSQL only the tables'
/// owner can analyze them; as another role this skips them with a notice.
pub async fn analyze(tx: &mut crate::GlobalTx) -> Result<(), StoreError> {
    on!(&mut tx.tx, c => {
        sqlx::query("analyze").execute(c).await?;
    });
    Ok(())
}
