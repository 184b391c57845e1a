//! The municipality's shared address book: organisations, their professionals, and which
//! professionals know which child.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use vaern_domain::address_book::{NewOrganisation, NewProfessional};

use crate::{
    ChildId, ChildProfessionalId, OrganisationId, ProfessionalId, StoreError, TenantTx, UserId,
    now, on,
};

/// An organisation in the address book.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    /// `school`, `daycare`, … ([`vaern_domain::address_book::OrganisationKind`]).
    pub kind: String,
    pub cvr: Option<String>,
    pub p_number: Option<String>,
    /// Address lines separated by line breaks; empty when unknown.
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A professional with their organisation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Professional {
    pub id: ProfessionalId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub organisation_kind: String,
    pub name: String,
    /// `teacher`, `health_nurse`, … ([`vaern_domain::address_book::ProfessionalRole`]).
    pub role: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: OffsetDateTime,
}

const ORGANISATION: &str = "select id, name, kind, cvr, p_number, address, phone, email, \
    created_at from organisations";

const PROFESSIONAL: &str = "select p.id, p.organisation_id, o.name as organisation_name, \
    o.kind as organisation_kind, p.name, p.role, p.phone, p.email, p.created_at \
    from professionals p join organisations o on o.id = p.organisation_id";

/// Adds an organisation to the municipality's address book.
pub async fn add_organisation(
    tx: &mut TenantTx,
    organisation: &NewOrganisation,
    by: UserId,
) -> Result<Organisation, StoreError> {
    let municipality = tx.municipality();
    let id = OrganisationId::new();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into organisations (id, municipality_id, name, kind, cvr, p_number, address, \
             phone, email, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11)",
        )
        .bind(id).bind(municipality).bind(&organisation.name).bind(organisation.kind.code())
        .bind(&organisation.cvr).bind(&organisation.p_number)
        .bind(organisation.address.join("\n")).bind(&organisation.phone)
        .bind(&organisation.email).bind(now()).bind(by)
        .execute(c).await?;
    });
    organisation_by_id(tx, id).await
}

/// One organisation of the municipality.
pub async fn organisation_by_id(
    tx: &mut TenantTx,
    id: OrganisationId,
) -> Result<Organisation, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{ORGANISATION} where municipality_id = $1 and id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    }))
}

/// The municipality's organisations by name.
pub async fn organisations(tx: &mut TenantTx) -> Result<Vec<Organisation>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{ORGANISATION} where municipality_id = $1 order by name, id");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?
    }))
}

/// Adds a professional working at `organisation`; `NotFound` if the organisation is not the
/// municipality's.
pub async fn add_professional(
    tx: &mut TenantTx,
    organisation: OrganisationId,
    professional: &NewProfessional,
    by: UserId,
) -> Result<Professional, StoreError> {
    let municipality = tx.municipality();
    let id = ProfessionalId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into professionals (id, municipality_id, organisation_id, name, role, phone, \
             email, created_at, created_by) select $1, $2, o.id, $4, $5, $6, $7, $8, $9 \
             from organisations o where o.municipality_id = $2 and o.id = $3",
        )
        .bind(id).bind(municipality).bind(organisation).bind(&professional.name)
        .bind(professional.role.code()).bind(&professional.phone).bind(&professional.email)
        .bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    professional_by_id(tx, id).await
}

/// One professional of the municipality.
pub async fn professional_by_id(
    tx: &mut TenantTx,
    id: ProfessionalId,
) -> Result<Professional, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{PROFESSIONAL} where p.municipality_id = $1 and p.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    }))
}

/// The municipality's professionals by organisation and name.
pub async fn professionals(tx: &mut TenantTx) -> Result<Vec<Professional>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{PROFESSIONAL} where p.municipality_id = $1 order by o.name, p.name, p.id");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?
    }))
}

/// Links a professional to a child. False if they were linked already; `NotFound` if either
/// is not the municipality's.
pub async fn link(
    tx: &mut TenantTx,
    child: ChildId,
    professional: ProfessionalId,
    by: UserId,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let exists = on!(&mut tx.tx, c => {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from children ch, professionals p where ch.municipality_id = $1 \
             and ch.id = $2 and p.municipality_id = $1 and p.id = $3",
        )
        .bind(municipality).bind(child).bind(professional).fetch_one(c).await?
    });
    if exists == 0 {
        return Err(StoreError::NotFound);
    }
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into child_professionals (id, municipality_id, child_id, professional_id, \
             created_at, created_by) values ($1, $2, $3, $4, $5, $6) \
             on conflict (child_id, professional_id) do nothing",
        )
        .bind(ChildProfessionalId::new()).bind(municipality).bind(child).bind(professional)
        .bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    Ok(inserted == 1)
}

/// The professionals around a child, by organisation and name.
pub async fn for_child(tx: &mut TenantTx, child: ChildId) -> Result<Vec<Professional>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{PROFESSIONAL} join child_professionals cp on cp.professional_id = p.id \
         where cp.municipality_id = $1 and cp.child_id = $2 order by o.name, p.name, p.id"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(child).fetch_all(c).await?
    }))
}
