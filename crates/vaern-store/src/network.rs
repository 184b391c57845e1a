//! The child's network: persons and their relations to the child.

use serde::Serialize;
use time::{Date, OffsetDateTime};
use vaern_domain::network::{NewRelation, RelationKind};

use crate::{ChildCaseId, ChildId, PersonId, RelationId, StoreError, TenantTx, UserId, now, on};

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
    /// Set when CPR reports the person dead.
    pub died_on: Option<Date>,
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
    p.first_name, p.last_name, p.cpr, p.birth_date, p.address, p.phone, p.email, p.died_on, \
    r.created_at \
    from relations r join persons p on p.id = r.person_id";

/// Adds a person to the child's network; `NotFound` if the child is not the municipality's,
/// `Conflict` if the person (by CPR) is in it already.
pub async fn add(
    tx: &mut TenantTx,
    child: ChildId,
    relation: &NewRelation,
    by: Option<UserId>,
) -> Result<Member, StoreError> {
    let municipality = tx.municipality();
    let id = RelationId::new();
    let at = now();
    let cpr = relation.cpr.as_ref().map(|c| c.digits().to_owned());
    // A person with a CPR number is one person in the municipality, however many children
    // they relate to: a mother of two siblings is found again, not created twice.
    let known = match &cpr {
        Some(cpr) => person_by_cpr(tx, cpr).await?,
        None => None,
    };
    let person = match known {
        Some(person) => person,
        None => {
            let person = PersonId::new();
            let address = relation.address.join("\n");
            on!(&mut tx.tx, c => {
                sqlx::query(
                    "insert into persons (id, municipality_id, cpr, first_name, last_name, \
                     birth_date, address, phone, email, created_at, created_by) \
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(person).bind(municipality).bind(&cpr).bind(&relation.first_name)
                .bind(&relation.last_name).bind(relation.birth_date).bind(&address)
                .bind(&relation.phone).bind(&relation.email).bind(at).bind(by)
                .execute(c).await?;
            });
            person
        }
    };
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
    relation_by_id(tx, id).await
}

/// One relation of the municipality with its person.
pub async fn relation_by_id(tx: &mut TenantTx, id: RelationId) -> Result<Member, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{SELECT} where r.municipality_id = $1 and r.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    }))
}

/// Relates a person already in the municipality to the child. False if they were related
/// already; `NotFound` if the child or person is not the municipality's.
pub async fn relate(
    tx: &mut TenantTx,
    child: ChildId,
    person: PersonId,
    kind: RelationKind,
    custody: bool,
    by: UserId,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into relations (id, municipality_id, child_id, person_id, kind, custody, \
             created_at, created_by) select $1, $2, ch.id, p.id, $5, $6, $7, $8 \
             from children ch, persons p where ch.municipality_id = $2 and ch.id = $3 \
             and p.municipality_id = $2 and p.id = $4 \
             on conflict (child_id, person_id) do nothing",
        )
        .bind(RelationId::new()).bind(municipality).bind(child).bind(person).bind(kind.code())
        .bind(custody).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        let known = on!(&mut tx.tx, c => {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from children ch, persons p where ch.municipality_id = $1 \
                 and ch.id = $2 and p.municipality_id = $1 and p.id = $3",
            )
            .bind(municipality).bind(child).bind(person).fetch_one(c).await?
        });
        if known == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(inserted == 1)
}

/// A person's relation to a child on an open case, found by the person's CPR.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRelation {
    pub child_id: ChildId,
    pub case_id: ChildCaseId,
    #[sqlx(flatten)]
    pub member: Member,
}

/// Relations on open cases of the persons with these CPR numbers.
pub async fn on_open_cases(
    tx: &mut TenantTx,
    cprs: &[String],
) -> Result<Vec<CaseRelation>, StoreError> {
    if cprs.is_empty() {
        return Ok(Vec::new());
    }
    let municipality = tx.municipality();
    let params: Vec<String> = (0..cprs.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "select cc.child_id, cc.id as case_id, r.id as relation_id, p.id as person_id, r.kind, \
         r.custody, p.first_name, p.last_name, p.cpr, p.birth_date, p.address, p.phone, p.email, \
         p.died_on, r.created_at from relations r join persons p on p.id = r.person_id \
         join child_cases cc on cc.child_id = r.child_id and cc.status = 'open' \
         where r.municipality_id = $1 and p.cpr in ({}) order by p.cpr, r.id",
        params.join(", ")
    );
    Ok(on!(&mut tx.tx, c => {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(municipality);
        for cpr in cprs {
            query = query.bind(cpr);
        }
        query.fetch_all(c).await?
    }))
}

/// What CPR says of a person now: name, address lines and date of death.
pub struct PersonUpdate<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub address: &'a str,
    pub died_on: Option<Date>,
}

/// Updates a person from CPR.
pub async fn update_person(
    tx: &mut TenantTx,
    person: PersonId,
    update: &PersonUpdate<'_>,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update persons set first_name = $3, last_name = $4, address = $5, died_on = $6 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(person).bind(update.first_name).bind(update.last_name)
        .bind(update.address).bind(update.died_on)
        .execute(c).await?;
    });
    Ok(())
}

/// Gives or takes custody on a relation.
pub async fn set_custody(
    tx: &mut TenantTx,
    relation: RelationId,
    custody: bool,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query("update relations set custody = $3 where municipality_id = $1 and id = $2")
            .bind(municipality).bind(relation).bind(custody)
            .execute(c).await?;
    });
    Ok(())
}

/// The municipality's person with this CPR, if any.
pub async fn person_by_cpr(tx: &mut TenantTx, cpr: &str) -> Result<Option<PersonId>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_scalar(
            "select id from persons where municipality_id = $1 and cpr = $2 order by created_at, id",
        )
        .bind(municipality).bind(cpr).fetch_optional(c).await?
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

/// Children of the municipality who are the child's siblings: they share a mother or father in
/// the network, or one lists the other's CPR as a (half-)sibling.
pub async fn sibling_children(
    tx: &mut TenantTx,
    child: ChildId,
) -> Result<Vec<ChildId>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_scalar(
            "select r2.child_id from relations r1 join relations r2 \
             on r2.person_id = r1.person_id and r2.child_id <> r1.child_id \
             where r1.municipality_id = $1 and r1.child_id = $2 \
             and r1.kind in ('mother', 'father') and r2.kind in ('mother', 'father') \
             union select ch.id from relations r join persons p on p.id = r.person_id \
             join children ch on ch.municipality_id = r.municipality_id and ch.cpr = p.cpr \
             where r.municipality_id = $1 and r.child_id = $2 \
             and r.kind in ('sibling', 'half_sibling') and ch.id <> $2 \
             union select r.child_id from relations r join persons p on p.id = r.person_id \
             join children ch on ch.municipality_id = r.municipality_id and ch.cpr = p.cpr \
             where r.municipality_id = $1 and ch.id = $2 and r.kind in ('sibling', 'half_sibling')",
        )
        .bind(municipality).bind(child).fetch_all(c).await?
    }))
}
