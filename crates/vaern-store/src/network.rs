//! The child's network: persons and their relations to the child.

use serde::Serialize;
use time::{Date, OffsetDateTime};
use vaern_domain::network::NewRelation;

use crate::{ChildId, PersonId, RelationId, StoreError, TenantTx, UserId, now, on};

/// A person in the child's network with their relation to it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub relation_id: RelationId,
    pub person_id: PersonId,
    /// `mother`, `father`, `sibling`, … ([`vaern_domain::network::RelationKind`]).
    pub kind: String,
    pub custody: bool,
    pub first_name: String,
    pub last_name: String,
    pub cpr: Option<String>,
    pub birth_date: Option<Date>,
    /// Address lines separated by line breaks; empty when unknown.
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Member {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn address_lines(&self) -> Vec<String> {
        self.address.lines().map(str::to_owned).collect()
    }
}

const SELECT: &str = "select r.id as relation_id, p.id as person_id, r.kind, r.custody, \
    p.first_name, p.last_name, p.cpr, p.birth_date, p.address, p.phone, p.email, r.created_at \
    from relations r join persons p on p.id = r.person_id";

/// Adds a person to the child's network; `NotFound` if the child is not the municipality's.
pub async fn add(
    tx: &mut TenantTx,
    child: ChildId,
    relation: &NewRelation,
    by: UserId,
) -> Result<Member, StoreError> {
    let municipality = tx.municipality();
    let person = PersonId::new();
    let id = RelationId::new();
    let at = now();
    let address = relation.address.join("\n");
    let cpr = relation.cpr.as_ref().map(|c| c.digits().to_owned());
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into persons (id, municipality_id, cpr, first_name, last_name, birth_date, \
             address, phone, email, created_at, created_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(person).bind(municipality).bind(&cpr).bind(&relation.first_name)
        .bind(&relation.last_name).bind(relation.birth_date).bind(&address).bind(&relation.phone)
        .bind(&relation.email).bind(at).bind(by)
        .execute(c).await?;
    });
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into relations (id, municipality_id, child_id, person_id, kind, custody, \
             created_at, created_by) select $1, $2, ch.id, $4, $5, $6, $7, $8 from children ch \
             where ch.municipality_id = $2 and ch.id = $3",
        )
        .bind(id).bind(municipality).bind(child).bind(person).bind(relation.kind.code())
        .bind(relation.custody).bind(at).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    let sql = format!("{SELECT} where r.municipality_id = $1 and r.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    }))
}

/// The child's network: custody holders first, then by relation and name.
pub async fn for_child(tx: &mut TenantTx, child: ChildId) -> Result<Vec<Member>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{SELECT} where r.municipality_id = $1 and r.child_id = $2 \
         order by r.custody desc, r.kind, p.last_name, p.first_name, r.id"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(child).fetch_all(c).await?
    }))
}

/// A person already registered in the municipality.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct KnownPerson {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub cpr: Option<String>,
    pub birth_date: Option<Date>,
}

/// The municipality's persons born on `birth_date` (candidates for a duplicate).
pub async fn born_on(tx: &mut TenantTx, birth_date: Date) -> Result<Vec<KnownPerson>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select id, first_name, last_name, cpr, birth_date from persons \
             where municipality_id = $1 and birth_date = $2 order by last_name, first_name, id",
        )
        .bind(municipality).bind(birth_date).fetch_all(c).await?
    }))
}
