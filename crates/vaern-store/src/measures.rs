//! Measures (indsatser) on children's cases: what is bought, from whom, for how long, and where
//! each stands (planned → approved → active → ended). Status changes carry the version read, so
//! two people acting on the same measure cannot both succeed.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use vaern_domain::economy::measures::{MeasureGroup, NewMeasure};

use crate::{
    ChildCaseId, ChildId, GoalKey, MeasureId, OfferId, ProviderId, StoreError, SubCaseId, TeamId,
    TenantTx, UserId, now, on,
};

/// A measure with its offer, provider and case.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Measure {
    pub id: MeasureId,
    pub child_case_id: ChildCaseId,
    pub child_id: ChildId,
    pub child_name: String,
    pub case_number: String,
    pub team_id: Option<TeamId>,
    pub offer_id: OfferId,
    pub offer_name: String,
    /// [`vaern_domain::economy::cost::Unit`] code.
    pub unit: String,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub provider_cvr: Option<String>,
    pub legal_basis: String,
    /// [`MeasureGroup`] code.
    pub measure_group: String,
    /// Hundredths.
    pub quantity: i64,
    pub hours_per: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub ended_on: Option<Date>,
    pub purpose: String,
    /// [`vaern_domain::economy::measures::MeasureStatus`] code.
    pub status: String,
    pub end_reason: Option<String>,
    pub sub_case_id: Option<SubCaseId>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub created_by: Option<UserId>,
    pub created_by_name: Option<String>,
    pub approved_at: Option<OffsetDateTime>,
    pub approved_by_name: Option<String>,
    pub started_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    /// The plan goals the measure works towards.
    #[sqlx(skip)]
    pub goals: Vec<GoalKey>,
}

impl Measure {
    /// The last day the measure runs (or ran): its actual end once ended, else the expected.
    pub fn last_day(&self) -> Date {
        self.ended_on.unwrap_or(self.ends_on)
    }
}

const MEASURE: &str = "select m.id, m.child_case_id, cc.child_id, \
    ch.first_name || ' ' || ch.last_name as child_name, cc.case_number, cc.team_id, \
    m.offer_id, o.name as offer_name, o.unit, o.provider_id, p.name as provider_name, \
    p.cvr as provider_cvr, m.legal_basis, m.measure_group, m.quantity, m.hours_per, m.starts_on, \
    m.ends_on, m.ended_on, m.purpose, m.status, m.end_reason, m.sub_case_id, m.version, \
    m.created_at, m.created_by, cu.name as created_by_name, m.approved_at, \
    au.name as approved_by_name, m.started_at, m.ended_at from measures m \
    join child_cases cc on cc.id = m.child_case_id join children ch on ch.id = cc.child_id \
    join offers o on o.id = m.offer_id \
    join providers p on p.id = o.provider_id left join users cu on cu.id = m.created_by \
    left join users au on au.id = m.approved_by";

/// Creates a planned measure with the plan goals it works towards. `NotFound` if the case or
/// the offer is not the municipality's.
pub async fn create(
    tx: &mut TenantTx,
    case: ChildCaseId,
    offer: OfferId,
    measure: &NewMeasure,
    group: MeasureGroup,
    goals: &[GoalKey],
    by: UserId,
) -> Result<Measure, StoreError> {
    let municipality = tx.municipality();
    let id = MeasureId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into measures (id, municipality_id, child_case_id, offer_id, legal_basis, \
             measure_group, quantity, hours_per, starts_on, ends_on, purpose, status, version, \
             created_at, created_by) select $1, $2, cc.id, o.id, $5, $6, $7, $8, $9, $10, $11, \
             'planned', 1, $12, $13 from child_cases cc, offers o where cc.municipality_id = $2 \
             and cc.id = $3 and o.municipality_id = $2 and o.id = $4",
        )
        .bind(id).bind(municipality).bind(case).bind(offer).bind(measure.legal_basis.id)
        .bind(group.code()).bind(measure.terms.quantity).bind(measure.terms.hours_per.code())
        .bind(measure.terms.starts_on).bind(measure.terms.ends_on).bind(&measure.purpose).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    for goal in goals {
        on!(&mut tx.tx, c => {
            sqlx::query(
                "insert into measure_goals (measure_id, municipality_id, goal_key) \
                 values ($1, $2, $3)",
            )
            .bind(id).bind(municipality).bind(*goal)
            .execute(c).await?;
        });
    }
    get(tx, id).await
}

async fn with_goals(
    tx: &mut TenantTx,
    mut measures: Vec<Measure>,
) -> Result<Vec<Measure>, StoreError> {
    if measures.is_empty() {
        return Ok(measures);
    }
    let municipality = tx.municipality();
    let placeholders: Vec<String> = (0..measures.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "select measure_id, goal_key from measure_goals where municipality_id = $1 \
         and measure_id in ({})",
        placeholders.join(", ")
    );
    let rows: Vec<(MeasureId, GoalKey)> = on!(&mut tx.tx, c => {
        let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality);
        for m in &measures {
            query = query.bind(m.id);
        }
        query.fetch_all(c).await?
    });
    for (measure, goal) in rows {
        if let Some(m) = measures.iter_mut().find(|m| m.id == measure) {
            m.goals.push(goal);
        }
    }
    Ok(measures)
}

/// One measure of the municipality.
pub async fn get(tx: &mut TenantTx, id: MeasureId) -> Result<Measure, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{MEASURE} where m.municipality_id = $1 and m.id = $2");
    let measure: Measure = on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    });
    let mut with = with_goals(tx, vec![measure]).await?;
    with.pop().ok_or(StoreError::NotFound)
}

/// The case's measures, newest start first.
pub async fn for_case(tx: &mut TenantTx, case: ChildCaseId) -> Result<Vec<Measure>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{MEASURE} where m.municipality_id = $1 and m.child_case_id = $2 \
         order by m.starts_on desc, m.created_at desc, m.id"
    );
    let measures = on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(case).fetch_all(c).await?
    });
    with_goals(tx, measures).await
}

/// Which measures a listing wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Only these statuses (codes); empty: all.
    pub statuses: &'a [&'a str],
    /// Only measures running on some day from this date on.
    pub running_from: Option<Date>,
    /// Only measures running on some day up to this date.
    pub running_until: Option<Date>,
    /// Only the cases of this team.
    pub team: Option<TeamId>,
    /// Only measures buying these offers; `None`: any offer.
    pub offers: Option<&'a [OfferId]>,
}

/// The municipality's measures matching `filter`, by case and start (without goals).
pub async fn list(tx: &mut TenantTx, filter: Filter<'_>) -> Result<Vec<Measure>, StoreError> {
    let municipality = tx.municipality();
    let mut conditions = vec!["m.municipality_id = $1".to_owned()];
    let mut next = 2;
    let mut placeholder = || {
        let p = format!("${next}");
        next += 1;
        p
    };
    if !filter.statuses.is_empty() {
        let list: Vec<String> = filter.statuses.iter().map(|_| placeholder()).collect();
        conditions.push(format!("m.status in ({})", list.join(", ")));
    }
    if filter.running_from.is_some() {
        conditions.push(format!(
            "coalesce(m.ended_on, m.ends_on) >= {}",
            placeholder()
        ));
    }
    if filter.running_until.is_some() {
        conditions.push(format!("m.starts_on <= {}", placeholder()));
    }
    if filter.team.is_some() {
        conditions.push(format!("cc.team_id = {}", placeholder()));
    }
    if let Some(offers) = filter.offers {
        if offers.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = offers.iter().map(|_| placeholder()).collect();
        conditions.push(format!("m.offer_id in ({})", list.join(", ")));
    }
    let sql = format!(
        "{MEASURE} where {} order by cc.case_number, m.starts_on, m.id",
        conditions.join(" and ")
    );
    Ok(on!(&mut tx.tx, c => {
        let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality);
        for status in filter.statuses {
            query = query.bind(*status);
        }
        if let Some(from) = filter.running_from {
            query = query.bind(from);
        }
        if let Some(until) = filter.running_until {
            query = query.bind(until);
        }
        if let Some(team) = filter.team {
            query = query.bind(team);
        }
        for offer in filter.offers.unwrap_or_default() {
            query = query.bind(*offer);
        }
        query.fetch_all(c).await?
    }))
}

/// A status change, applied only if the measure still has `version` and status `from`.
pub enum Change<'a> {
    Approve { by: UserId },
    Start { sub_case: SubCaseId },
    End { ended_on: Date, reason: &'a str },
}

/// Applies `change`; false if the measure changed meanwhile (another version or status).
pub async fn change(
    tx: &mut TenantTx,
    id: MeasureId,
    version: i32,
    from: &str,
    change: Change<'_>,
) -> Result<bool, StoreError> {
    let municipality = tx.municipality();
    let at = now();
    let changed = on!(&mut tx.tx, c => {
        let query = match change {
            Change::Approve { by } => sqlx::query(
                "update measures set status = 'approved', approved_at = $5, approved_by = $6, \
                 version = version + 1 where municipality_id = $1 and id = $2 and version = $3 \
                 and status = $4",
            )
            .bind(municipality).bind(id).bind(version).bind(from).bind(at).bind(by),
            Change::Start { sub_case } => sqlx::query(
                "update measures set status = 'active', started_at = $5, sub_case_id = $6, \
                 version = version + 1 where municipality_id = $1 and id = $2 and version = $3 \
                 and status = $4",
            )
            .bind(municipality).bind(id).bind(version).bind(from).bind(at).bind(sub_case),
            Change::End { ended_on, reason } => sqlx::query(
                "update measures set status = 'ended', ended_at = $5, ended_on = $6, \
                 end_reason = $7, version = version + 1 where municipality_id = $1 and id = $2 \
                 and version = $3 and status = $4",
            )
            .bind(municipality).bind(id).bind(version).bind(from).bind(at).bind(ended_on)
            .bind(reason),
        };
        query.execute(c).await?.rows_affected()
    });
    Ok(changed == 1)
}

/// The legal bases of the case's running (active) measures.
pub async fn active_bases(tx: &mut TenantTx, case: ChildCaseId) -> Result<Vec<String>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_scalar(
            "select distinct legal_basis from measures where municipality_id = $1 \
             and child_case_id = $2 and status = 'active'",
        )
        .bind(municipality).bind(case).fetch_all(c).await?
    }))
}
