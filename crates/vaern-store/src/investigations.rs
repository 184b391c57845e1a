//! Børnefaglige undersøgelser: the ICS dimensions (saved with optimistic locking), each
//! caseworker's autosaved drafts, sources, the foreløbig vurdering and the conclusion.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use vaern_domain::ics::{Conclusion, DimensionText, Source, SourceLink};

use crate::{
    ChildCaseId, InvestigationId, SourceId, StoreError, SubCaseId, TenantTx, UserId, now, on,
};

/// An investigation with its preliminary assessment and conclusion, when made.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Investigation {
    pub id: InvestigationId,
    pub child_case_id: ChildCaseId,
    pub sub_case_id: SubCaseId,
    pub preliminary: Option<String>,
    pub preliminary_at: Option<OffsetDateTime>,
    pub preliminary_by_name: Option<String>,
    pub assessment: Option<String>,
    /// `support`, `placement_with_consent`, `placement_without_consent` or `no_measure`.
    pub position: Option<String>,
    pub reasoning: Option<String>,
    pub concluded_at: Option<OffsetDateTime>,
    pub concluded_by_name: Option<String>,
    pub created_at: OffsetDateTime,
}

const INVESTIGATION: &str = "select i.id, i.child_case_id, i.sub_case_id, i.preliminary, \
    i.preliminary_at, p.name as preliminary_by_name, i.assessment, i.position, i.reasoning, \
    i.concluded_at, c.name as concluded_by_name, i.created_at from investigations i \
    left join users p on p.id = i.preliminary_by left join users c on c.id = i.concluded_by";

/// The investigation of a sub-case, created on first use. `NotFound` if the sub-case is not
/// the case's, or not the municipality's.
pub async fn ensure(
    tx: &mut TenantTx,
    case: ChildCaseId,
    sub_case: SubCaseId,
) -> Result<Investigation, StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into investigations (id, municipality_id, child_case_id, sub_case_id, \
             created_at) select $1, $2, s.child_case_id, s.id, $5 from sub_cases s \
             where s.municipality_id = $2 and s.child_case_id = $3 and s.id = $4 \
             on conflict (sub_case_id) do nothing",
        )
        .bind(InvestigationId::new()).bind(municipality).bind(case).bind(sub_case).bind(now())
        .execute(c).await?;
    });
    let sql = format!(
        "{INVESTIGATION} where i.municipality_id = $1 and i.sub_case_id = $2 and i.child_case_id = $3"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(sub_case).bind(case)
            .fetch_one(c).await?
    }))
}

/// A dimension as saved.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredDimension {
    pub dimension: String,
    pub description: Option<String>,
    pub resources: Option<String>,
    pub concerns: Option<String>,
    pub child_view: Option<String>,
    pub parents_view: Option<String>,
    pub version: i32,
    pub updated_at: OffsetDateTime,
    pub updated_by_name: Option<String>,
}

impl StoredDimension {
    /// The five texts as saved.
    pub fn text(&self) -> DimensionText {
        DimensionText {
            description: self.description.clone(),
            resources: self.resources.clone(),
            concerns: self.concerns.clone(),
            child_view: self.child_view.clone(),
            parents_view: self.parents_view.clone(),
        }
    }
}

/// The investigation's saved dimensions (those ever saved).
pub async fn dimensions(
    tx: &mut TenantTx,
    investigation: InvestigationId,
) -> Result<Vec<StoredDimension>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select d.dimension, d.description, d.resources, d.concerns, d.child_view, \
             d.parents_view, d.version, d.updated_at, u.name as updated_by_name \
             from investigation_dimensions d left join users u on u.id = d.updated_by \
             where d.municipality_id = $1 and d.investigation_id = $2 order by d.dimension",
        )
        .bind(municipality).bind(investigation).fetch_all(c).await?
    }))
}

/// Saves a dimension if it is still at `expected_version` (0: never saved). False when someone
/// else saved it in between: the caller shows the conflict, nothing is overwritten.
pub async fn save_dimension(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    dimension: &str,
    text: &DimensionText,
    expected_version: i32,
    by: UserId,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let at = now();
    let changed = if expected_version == 0 {
        on!(&mut tx.tx, c => {
            sqlx::query(
                "insert into investigation_dimensions (investigation_id, municipality_id, \
                 dimension, description, resources, concerns, child_view, parents_view, version, \
                 updated_at, updated_by) select i.id, i.municipality_id, $3, $4, $5, $6, $7, $8, \
                 1, $9, $10 from investigations i where i.id = $1 and i.municipality_id = $2 \
                 on conflict (investigation_id, dimension) do nothing",
            )
            .bind(investigation).bind(municipality).bind(dimension).bind(&text.description)
            .bind(&text.resources).bind(&text.concerns).bind(&text.child_view)
            .bind(&text.parents_view).bind(at).bind(by)
            .execute(c).await?.rows_affected()
        })
    } else {
        on!(&mut tx.tx, c => {
            sqlx::query(
                "update investigation_dimensions set description = $4, resources = $5, \
                 concerns = $6, child_view = $7, parents_view = $8, version = version + 1, \
                 updated_at = $9, updated_by = $10 where municipality_id = $1 \
                 and investigation_id = $2 and dimension = $3 and version = $11",
            )
            .bind(municipality).bind(investigation).bind(dimension).bind(&text.description)
            .bind(&text.resources).bind(&text.concerns).bind(&text.child_view)
            .bind(&text.parents_view).bind(at).bind(by).bind(expected_version)
            .execute(c).await?.rows_affected()
        })
    };
    Ok(changed == 1)
}

/// A caseworker's unsaved text of a dimension, autosaved while typing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Draft {
    /// The five texts as JSON, exactly as typed.
    pub fields: String,
    pub base_version: i32,
    pub saved_at: OffsetDateTime,
}

/// Keeps the caseworker's latest draft of a dimension; `NotFound` for another municipality's
/// investigation.
pub async fn save_draft(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    dimension: &str,
    user: UserId,
    fields: &str,
    base_version: i32,
) -> Result<OffsetDateTime, StoreError> {
    let municipality = tx.municipality();
    let at = now();
    let saved = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into investigation_drafts (investigation_id, municipality_id, dimension, \
             user_id, fields, base_version, saved_at) select i.id, i.municipality_id, $3, $4, \
             $5, $6, $7 from investigations i where i.id = $1 and i.municipality_id = $2 \
             on conflict (investigation_id, dimension, user_id) do update set \
             fields = excluded.fields, base_version = excluded.base_version, \
             saved_at = excluded.saved_at",
        )
        .bind(investigation).bind(municipality).bind(dimension).bind(user).bind(fields)
        .bind(base_version).bind(at)
        .execute(c).await?.rows_affected()
    });
    if saved == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(at)
}

/// The caseworker's draft of a dimension, if one is waiting.
pub async fn draft(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    dimension: &str,
    user: UserId,
) -> Result<Option<Draft>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select fields, base_version, saved_at from investigation_drafts \
             where municipality_id = $1 and investigation_id = $2 and dimension = $3 \
             and user_id = $4",
        )
        .bind(municipality).bind(investigation).bind(dimension).bind(user)
        .fetch_optional(c).await?
    }))
}

/// Discards the caseworker's draft of a dimension (once saved or abandoned).
pub async fn delete_draft(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    dimension: &str,
    user: UserId,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "delete from investigation_drafts where municipality_id = $1 \
             and investigation_id = $2 and dimension = $3 and user_id = $4",
        )
        .bind(municipality).bind(investigation).bind(dimension).bind(user)
        .execute(c).await?;
    });
    Ok(())
}

/// Discards every draft of the investigation (once it is concluded, drafts can never be saved).
pub async fn delete_drafts(
    tx: &mut TenantTx,
    investigation: InvestigationId,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "delete from investigation_drafts where municipality_id = $1 and investigation_id = $2",
        )
        .bind(municipality).bind(investigation)
        .execute(c).await?;
    });
    Ok(())
}

/// A source of what a dimension says.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredSource {
    pub id: SourceId,
    pub dimension: String,
    pub who: String,
    pub said_on: Date,
    pub link_kind: Option<String>,
    pub link_id: Option<uuid::Uuid>,
    pub created_at: OffsetDateTime,
}

/// Records a source; the link (when any) must already be checked against the case. `NotFound`
/// for another municipality's investigation.
pub async fn add_source(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    dimension: &str,
    source: &Source,
    link: Option<(SourceLink, uuid::Uuid)>,
    by: UserId,
) -> Result<SourceId, StoreError> {
    let municipality = tx.municipality();
    let id = SourceId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into investigation_sources (id, municipality_id, investigation_id, dimension, \
             who, said_on, link_kind, link_id, created_at, created_by) \
             select $1, i.municipality_id, i.id, $4, $5, $6, $7, $8, $9, $10 \
             from investigations i where i.municipality_id = $2 and i.id = $3",
        )
        .bind(id).bind(municipality).bind(investigation).bind(dimension).bind(&source.who)
        .bind(source.said_on).bind(link.map(|(k, _)| k.code())).bind(link.map(|(_, id)| id))
        .bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(id)
}

/// The investigation's sources, by dimension and date.
pub async fn sources(
    tx: &mut TenantTx,
    investigation: InvestigationId,
) -> Result<Vec<StoredSource>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select id, dimension, who, said_on, link_kind, link_id, created_at \
             from investigation_sources where municipality_id = $1 and investigation_id = $2 \
             order by dimension, said_on, created_at, id",
        )
        .bind(municipality).bind(investigation).fetch_all(c).await?
    }))
}

/// Records the foreløbig vurdering (BL § 20, stk. 3); a later one replaces it.
pub async fn set_preliminary(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    text: &str,
    by: UserId,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update investigations set preliminary = $3, preliminary_at = $4, preliminary_by = $5 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(investigation).bind(text).bind(now()).bind(by)
        .execute(c).await?;
    });
    Ok(())
}

/// Records the conclusion once; false if the investigation was concluded already.
pub async fn conclude(
    tx: &mut TenantTx,
    investigation: InvestigationId,
    conclusion: &Conclusion,
    by: UserId,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update investigations set assessment = $3, position = $4, reasoning = $5, \
             concluded_at = $6, concluded_by = $7 \
             where municipality_id = $1 and id = $2 and concluded_at is null",
        )
        .bind(municipality).bind(investigation).bind(&conclusion.assessment)
        .bind(conclusion.position.code()).bind(&conclusion.reasoning).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// One investigation of the municipality.
pub async fn get(
    tx: &mut TenantTx,
    investigation: InvestigationId,
) -> Result<Investigation, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{INVESTIGATION} where i.municipality_id = $1 and i.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(investigation).fetch_one(c).await?
    }))
}

/// The case's concluded investigations, newest first (to build a plan from).
pub async fn concluded_for_case(
    tx: &mut TenantTx,
    case: ChildCaseId,
) -> Result<Vec<Investigation>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{INVESTIGATION} where i.municipality_id = $1 and i.child_case_id = $2 \
         and i.concluded_at is not null order by i.concluded_at desc, i.id"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(c).await?
    }))
}
