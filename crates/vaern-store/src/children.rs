//! Children and their cases (barnets sag): one case per child per municipality.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, OffsetDateTime};
use vaern_domain::{child::NewChild, text::search_form};

use crate::{ChildCaseId, ChildId, StoreError, TeamId, TenantTx, UserId, now, on};

/// The most rows a search returns; the UI asks for a narrower search beyond it.
pub const SEARCH_LIMIT: i64 = 50;
/// The most cases Mit overblik lists at once.
pub const OVERVIEW_LIMIT: i64 = 200;

/// A child with its case, as lists and the child page header show it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Child {
    pub id: ChildId,
    /// Ten digits, no separator; `None` for a child without CPR.
    pub cpr: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Date,
    pub sex: Option<String>,
    pub created_at: OffsetDateTime,
    pub case_id: Option<ChildCaseId>,
    pub case_number: Option<String>,
    pub case_status: Option<String>,
    pub caseworker_id: Option<UserId>,
    pub caseworker_name: Option<String>,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
}

impl Child {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

const CHILD_SELECT: &str = "select ch.id, ch.cpr, ch.first_name, ch.last_name, ch.birth_date, \
    ch.sex, ch.created_at, cc.id as case_id, cc.case_number, cc.status as case_status, \
    cc.caseworker_id, w.name as caseworker_name, cc.team_id, t.name as team_name \
    from children ch left join child_cases cc on cc.child_id = ch.id \
    left join users w on w.id = cc.caseworker_id left join teams t on t.id = cc.team_id";

/// Inserts a child. A CPR already in the municipality is a `Conflict`.
pub async fn create(tx: &mut TenantTx, child: &NewChild) -> Result<Child, StoreError> {
    let id = ChildId::new();
    let municipality = tx.municipality();
    let at = now();
    let search_name = search_form(&format!("{} {}", child.first_name, child.last_name));
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into children (id, municipality_id, cpr, first_name, last_name, search_name, \
             birth_date, sex, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id).bind(municipality).bind(child.cpr.as_ref().map(|c| c.digits()))
        .bind(&child.first_name).bind(&child.last_name).bind(search_name)
        .bind(child.birth_date).bind(child.sex.map(|s| s.as_str())).bind(at)
        .execute(c).await?;
    });
    get(tx, id).await
}

/// A child of the municipality (another municipality's child is `NotFound`).
pub async fn get(tx: &mut TenantTx, id: ChildId) -> Result<Child, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{CHILD_SELECT} where ch.municipality_id = $1 and ch.id = $2");
    Ok(
        on!(&mut tx.tx, c => sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?),
    )
}

/// The child registered with this CPR in the municipality, if any.
pub async fn by_cpr(tx: &mut TenantTx, digits: &str) -> Result<Option<Child>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{CHILD_SELECT} where ch.municipality_id = $1 and ch.cpr = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(digits).fetch_optional(c).await?
    }))
}

/// Children on open cases with these CPR numbers.
pub async fn open_with_cprs(tx: &mut TenantTx, cprs: &[String]) -> Result<Vec<Child>, StoreError> {
    if cprs.is_empty() {
        return Ok(Vec::new());
    }
    let municipality = tx.municipality();
    let params: Vec<String> = (0..cprs.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "{CHILD_SELECT} where ch.municipality_id = $1 and cc.status = 'open' and ch.cpr in ({}) \
         order by ch.cpr",
        params.join(", ")
    );
    Ok(on!(&mut tx.tx, c => {
        let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality);
        for cpr in cprs {
            query = query.bind(cpr);
        }
        query.fetch_all(c).await?
    }))
}

/// Renames a child (a name change reported by CPR).
pub async fn rename(
    tx: &mut TenantTx,
    id: ChildId,
    first_name: &str,
    last_name: &str,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    let search_name = search_form(&format!("{first_name} {last_name}"));
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update children set first_name = $3, last_name = $4, search_name = $5, \
             updated_at = $6 where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(id).bind(first_name).bind(last_name).bind(search_name)
        .bind(now())
        .execute(c).await?;
    });
    Ok(())
}

/// Finds children by name (words in order, anywhere), CPR (prefix, with or without dash) or
/// case number; at most [`SEARCH_LIMIT`] + 1 rows so the caller can tell there were more.
pub async fn search(tx: &mut TenantTx, query: &str) -> Result<Vec<Child>, StoreError> {
    let municipality = tx.municipality();
    let folded = search_form(query);
    let name_pattern = format!(
        "%{}%",
        folded
            .split(' ')
            .map(escape_like)
            .collect::<Vec<_>>()
            .join("%")
    );
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let looks_like_cpr = !digits.is_empty()
        && query
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    let cpr_pattern = looks_like_cpr.then(|| format!("{digits}%"));
    let sql = format!(
        "{CHILD_SELECT} where ch.municipality_id = $1 and (ch.search_name like $2 escape '\\' \
         or ch.cpr like $3 or ch.id in (select k.child_id from child_cases k \
         where k.municipality_id = $1 and k.case_number = $4)) \
         order by ch.last_name, ch.first_name, ch.id limit $5"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(municipality).bind(&name_pattern).bind(&cpr_pattern).bind(query.trim())
            .bind(SEARCH_LIMIT + 1)
            .fetch_all(c).await?
    }))
}

fn escape_like(word: &str) -> String {
    word.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Open cases whose caseworker is `user`, by the child's name.
pub async fn open_cases_of(tx: &mut TenantTx, user: UserId) -> Result<Vec<Child>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{CHILD_SELECT} where ch.municipality_id = $1 and cc.municipality_id = $1 and cc.caseworker_id = $2 \
         and cc.status = 'open' order by ch.last_name, ch.first_name, ch.id limit $3"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(user).bind(OVERVIEW_LIMIT)
            .fetch_all(c).await?
    }))
}

/// Opens the child's case with a caseworker and team; the case number is
/// `<municipality code>-<year>-<serial>` from a per-municipality counter. A second case for the
/// same child is a `Conflict`.
pub async fn open_case(
    tx: &mut TenantTx,
    child: ChildId,
    municipality_code: &str,
    caseworker: UserId,
    team: Option<TeamId>,
) -> Result<ChildCaseId, StoreError> {
    let municipality = tx.municipality();
    let id = ChildCaseId::new();
    let at = now();
    crate::count_queries(2);
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into case_counters (municipality_id, next_value) values ($1, 1) \
             on conflict (municipality_id) do nothing",
        )
        .bind(municipality).execute(&mut *c).await?;
        let serial: i64 = sqlx::query_scalar(
            "update case_counters set next_value = next_value + 1 where municipality_id = $1 \
             returning next_value - 1",
        )
        .bind(municipality).fetch_one(&mut *c).await?;
        let number = format!("{municipality_code}-{}-{serial:06}", at.year());
        sqlx::query(
            "insert into child_cases (id, municipality_id, child_id, case_number, caseworker_id, \
             team_id, status, opened_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $7)",
        )
        .bind(id).bind(municipality).bind(child).bind(number).bind(caseworker).bind(team).bind(at)
        .execute(&mut *c).await?;
    });
    Ok(id)
}

/// Changes the case's caseworker and team.
pub async fn assign_case(
    tx: &mut TenantTx,
    case: ChildCaseId,
    caseworker: UserId,
    team: Option<TeamId>,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    let changed = on!(&mut tx.tx, c => {
        sqlx::query(
            "update child_cases set caseworker_id = $3, team_id = $4, updated_at = $5 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(case).bind(caseworker).bind(team).bind(now())
        .execute(c).await?.rows_affected()
    });
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Open cases of a team, by caseworker and child's name.
pub async fn open_cases_of_team(tx: &mut TenantTx, team: TeamId) -> Result<Vec<Child>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!(
        "{CHILD_SELECT} where ch.municipality_id = $1 and cc.municipality_id = $1 and cc.team_id = $2 and cc.status = 'open' \
         order by w.name, ch.last_name, ch.first_name, ch.id limit $3"
    );
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(team).bind(OVERVIEW_LIMIT * 5)
            .fetch_all(c).await?
    }))
}
