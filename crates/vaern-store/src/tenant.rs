//! Transactions that know whose data they touch.
//!
//! - [`TenantTx`]: one municipality's data. Repository functions take it and bind
//!   [`TenantTx::municipality`] into every query; on PostgreSQL it also sets `app.municipality`
//!   for row-level security. This is the only way to reach municipality-owned tables.
//! - [`AuthTx`]: login, session and token lookups, before the municipality is known.
//! - [`GlobalTx`]: the shared reference data (municipalities) and the login throttle.
//!
//! Each comes for writing (`db.tenant`, …) or for reading only (`db.tenant_read`, …). A page that
//! only reads uses the latter: on SQLite it does not queue for the one writer, and its
//! access-log rows go to the group commit ([`crate::group_commit`]) when it commits.
//!
//! Dropping any of them without `commit` rolls back: a use case is one transaction.

use crate::{
    Db, MunicipalityId, StoreError,
    group_commit::{AccessLogWriter, AccessRow},
};

/// A transaction on either database. Run a query on it with [`on!`].
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever database it is.
/// The body is written once; `$1` placeholders work on both. Each block counts as one
/// statement in [`crate::queries`]; a block that sends more counts the rest itself.
#[macro_export]
macro_rules! on {
    ($tx:expr, $conn:ident => $body:expr) => {{
        $crate::count_queries(1);
        match $tx {
            $crate::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::Tx::Pg(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    }};
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Pg(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn set_local(&mut self, name: &str, value: &str) -> Result<(), StoreError> {
        if let Tx::Pg(tx) = self {
            crate::count_queries(1);
            sqlx::query("select set_config($1, $2, true)")
                .bind(name)
                .bind(value)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// A transaction scoped to one municipality.
pub struct TenantTx {
    pub(crate) tx: Tx,
    municipality: MunicipalityId,
    /// A read transaction's access-log rows, written by the group commit when it commits.
    pub(crate) deferred_log: Option<DeferredLog>,
}

pub(crate) struct DeferredLog {
    writer: AccessLogWriter,
    pub(crate) rows: Vec<AccessRow>,
}

impl TenantTx {
    /// The municipality every query in this transaction is bound to.
    pub fn municipality(&self) -> MunicipalityId {
        self.municipality
    }

    /// Makes the use case's changes durable, all together. A read transaction ends its
    /// snapshot, then waits until its access-log rows are committed.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        match self.deferred_log {
            Some(log) => log.writer.write(log.rows).await,
            None => Ok(()),
        }
    }
}

/// A transaction for authentication lookups across municipalities.
pub struct AuthTx {
    pub(crate) tx: Tx,
}

impl AuthTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }
}

/// A transaction on data no municipality owns.
pub struct GlobalTx {
    pub(crate) tx: Tx,
}

impl GlobalTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }
}

impl Db {
    /// Starts a transaction on `municipality`'s data.
    pub async fn tenant(&self, municipality: MunicipalityId) -> Result<TenantTx, StoreError> {
        let mut tx = self.pool().begin_write().await?;
        tx.set_local("app.municipality", &municipality.to_string())
            .await?;
        Ok(TenantTx {
            tx,
            municipality,
            deferred_log: None,
        })
    }

    /// Starts a transaction that reads `municipality`'s data and writes nothing but the access
    /// log (PostgreSQL refuses any other write in it).
    pub async fn tenant_read(&self, municipality: MunicipalityId) -> Result<TenantTx, StoreError> {
        let mut tx = self.pool().begin_read().await?;
        tx.set_local("app.municipality", &municipality.to_string())
            .await?;
        Ok(TenantTx {
            tx,
            municipality,
            deferred_log: Some(DeferredLog {
                writer: self.access_log.clone(),
                rows: Vec::new(),
            }),
        })
    }

    /// Starts an authentication transaction.
    pub async fn auth(&self) -> Result<AuthTx, StoreError> {
        let mut tx = self.pool().begin_write().await?;
        tx.set_local("app.auth", "on").await?;
        Ok(AuthTx { tx })
    }

    /// Starts an authentication transaction that only reads (a session lookup).
    pub async fn auth_read(&self) -> Result<AuthTx, StoreError> {
        let mut tx = self.pool().begin_read().await?;
        tx.set_local("app.auth", "on").await?;
        Ok(AuthTx { tx })
    }

    /// Starts a transaction on shared data.
    pub async fn global(&self) -> Result<GlobalTx, StoreError> {
        Ok(GlobalTx {
            tx: self.pool().begin_write().await?,
        })
    }

    /// Starts a transaction that only reads shared data.
    pub async fn global_read(&self) -> Result<GlobalTx, StoreError> {
        Ok(GlobalTx {
            tx: self.pool().begin_read().await?,
        })
    }
}
