//! Municipalities (tenants) and their teams.

use serde::Serialize;

use crate::{GlobalTx, MunicipalityId, StoreError, TeamId, TenantTx, now, on};

/// A municipality with its official three-digit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Municipality {
    pub id: MunicipalityId,
    pub code: String,
    pub name: String,
}

/// A team of a municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

/// Creates a municipality.
pub async fn create(tx: &mut GlobalTx, code: &str, name: &str) -> Result<Municipality, StoreError> {
    let id = MunicipalityId::new();
    on!(&mut tx.tx, c => {
        sqlx::query("insert into municipalities (id, code, name, created_at) values ($1, $2, $3, $4)")
            .bind(id).bind(code).bind(name).bind(now())
            .execute(&mut *c).await?;
    });
    Ok(Municipality {
        id,
        code: code.to_owned(),
        name: name.to_owned(),
    })
}

/// Finds a municipality by its code.
pub async fn by_code(tx: &mut GlobalTx, code: &str) -> Result<Municipality, StoreError> {
    let sql = "select id, code, name from municipalities where code = $1";
    Ok(on!(&mut tx.tx, c => sqlx::query_as(sql).bind(code).fetch_one(c).await?))
}

/// Finds a municipality by id.
pub async fn get(tx: &mut GlobalTx, id: MunicipalityId) -> Result<Municipality, StoreError> {
    let sql = "select id, code, name from municipalities where id = $1";
    Ok(on!(&mut tx.tx, c => sqlx::query_as(sql).bind(id).fetch_one(c).await?))
}

/// All municipalities, by code.
pub async fn list(tx: &mut GlobalTx) -> Result<Vec<Municipality>, StoreError> {
    let sql = "select id, code, name from municipalities order by code";
    Ok(on!(&mut tx.tx, c => sqlx::query_as(sql).fetch_all(c).await?))
}

/// Whether the transaction's municipality allows login with a local password.
pub async fn local_login(tx: &mut TenantTx) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let sql = "select local_login from municipalities where id = $1";
    Ok(on!(&mut tx.tx, c => sqlx::query_scalar(sql).bind(municipality).fetch_one(c).await?))
}

/// Allows or refuses login with a local password in the transaction's municipality.
pub async fn set_local_login(tx: &mut TenantTx, allowed: bool) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query("update municipalities set local_login = $2 where id = $1")
            .bind(municipality).bind(allowed).execute(c).await?;
    });
    Ok(())
}

/// Creates a team in the transaction's municipality.
pub async fn create_team(tx: &mut TenantTx, name: &str) -> Result<Team, StoreError> {
    let id = TeamId::new();
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query("insert into teams (id, municipality_id, name, created_at) values ($1, $2, $3, $4)")
            .bind(id).bind(municipality).bind(name).bind(now())
            .execute(c).await?;
    });
    Ok(Team {
        id,
        name: name.to_owned(),
    })
}

/// The municipality's teams, by name.
pub async fn teams(tx: &mut TenantTx) -> Result<Vec<Team>, StoreError> {
    let municipality = tx.municipality();
    let sql = "select id, name from teams where municipality_id = $1 order by name";
    Ok(on!(&mut tx.tx, c => sqlx::query_as(sql).bind(municipality).fetch_all(c).await?))
}

/// One team of the municipality.
pub async fn team(tx: &mut TenantTx, id: TeamId) -> Result<Team, StoreError> {
    let municipality = tx.municipality();
    let sql = "select id, name from teams where municipality_id = $1 and id = $2";
    Ok(on!(&mut tx.tx, c => sqlx::query_as(sql).bind(municipality).bind(id).fetch_one(c).await?))
}
