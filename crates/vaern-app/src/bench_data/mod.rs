//! `vaern bench-data`: a deterministic synthetic Denmark for load benchmarks (issue 8). The 98
//! municipalities with their official codes and names, each sized by its population; children's
//! cases with sub-cases and their steps, underretninger, journal entries, deadlines, users and
//! teams, running measures on the demo catalogue's offers, and (in [`contacts`]) the children's
//! networks, professionals and documents with their files. The same seed gives the same data.

mod contacts;

use rand::{Rng, SeedableRng, rngs::StdRng};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use vaern_domain::{
    Role,
    economy::{measures::MeasureGroup, offers::ProviderKind},
    process::SubCaseKind,
    text::search_form,
};
use vaern_files::FileStore;
use vaern_store::{
    Db, MunicipalityId,
    bulk::{self, Value},
    municipalities,
};

use crate::{
    AppError,
    auth::hash_password,
    demo::{BOYS, DEMO_PASSWORD, GIRLS, NOTES, SURNAMES, seed_catalogue},
};

/// How big a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// About 1 % of the national set: for a quick run and CI.
    Small,
    /// About 60,000 cases, 250,000 sub-cases, 3,000,000 journal entries, 10,000 users.
    National,
}

impl Scale {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "small" => Ok(Scale::Small),
            "national" => Ok(Scale::National),
            _ => Err("Vælg --scale small eller --scale national".into()),
        }
    }

    fn cases(self) -> usize {
        match self {
            Scale::Small => 600,
            Scale::National => 60_000,
        }
    }

    fn users(self) -> usize {
        match self {
            Scale::Small => 100,
            Scale::National => 10_000,
        }
    }
}

/// Journal entries per case: 3,000,000 over 60,000 cases.
const JOURNAL_PER_CASE: usize = 50;

/// The 98 municipalities: official code, name and population in thousands (approximate, 2024),
/// the weight a municipality's cases and staff are drawn with.
pub const MUNICIPALITIES: [(&str, &str, u32); 98] = [
    ("101", "København", 660),
    ("147", "Frederiksberg", 105),
    ("151", "Ballerup", 50),
    ("153", "Brøndby", 36),
    ("155", "Dragør", 15),
    ("157", "Gentofte", 75),
    ("159", "Gladsaxe", 70),
    ("161", "Glostrup", 24),
    ("163", "Herlev", 30),
    ("165", "Albertslund", 28),
    ("167", "Hvidovre", 55),
    ("169", "Høje-Taastrup", 52),
    ("173", "Lyngby-Taarbæk", 57),
    ("175", "Rødovre", 41),
    ("183", "Ishøj", 24),
    ("185", "Tårnby", 44),
    ("187", "Vallensbæk", 17),
    ("190", "Furesø", 41),
    ("201", "Allerød", 26),
    ("210", "Fredensborg", 41),
    ("217", "Helsingør", 63),
    ("219", "Hillerød", 52),
    ("223", "Hørsholm", 25),
    ("230", "Rudersdal", 57),
    ("240", "Egedal", 44),
    ("250", "Frederikssund", 46),
    ("253", "Greve", 51),
    ("259", "Køge", 62),
    ("260", "Halsnæs", 31),
    ("265", "Roskilde", 90),
    ("269", "Solrød", 24),
    ("270", "Gribskov", 41),
    ("306", "Odsherred", 33),
    ("316", "Holbæk", 73),
    ("320", "Faxe", 37),
    ("326", "Kalundborg", 49),
    ("329", "Ringsted", 36),
    ("330", "Slagelse", 80),
    ("336", "Stevns", 23),
    ("340", "Sorø", 30),
    ("350", "Lejre", 29),
    ("360", "Lolland", 40),
    ("370", "Næstved", 84),
    ("376", "Guldborgsund", 60),
    ("390", "Vordingborg", 46),
    ("400", "Bornholm", 39),
    ("410", "Middelfart", 40),
    ("420", "Assens", 41),
    ("430", "Faaborg-Midtfyn", 52),
    ("440", "Kerteminde", 24),
    ("450", "Nyborg", 32),
    ("461", "Odense", 210),
    ("479", "Svendborg", 59),
    ("480", "Nordfyns", 30),
    ("482", "Langeland", 12),
    ("492", "Ærø", 6),
    ("510", "Haderslev", 56),
    ("530", "Billund", 27),
    ("540", "Sønderborg", 74),
    ("550", "Tønder", 37),
    ("561", "Esbjerg", 116),
    ("563", "Fanø", 4),
    ("573", "Varde", 50),
    ("575", "Vejen", 43),
    ("580", "Aabenraa", 59),
    ("607", "Fredericia", 52),
    ("615", "Horsens", 97),
    ("621", "Kolding", 95),
    ("630", "Vejle", 121),
    ("657", "Herning", 90),
    ("661", "Holstebro", 59),
    ("665", "Lemvig", 19),
    ("671", "Struer", 21),
    ("706", "Syddjurs", 43),
    ("707", "Norddjurs", 37),
    ("710", "Favrskov", 50),
    ("727", "Odder", 24),
    ("730", "Randers", 99),
    ("740", "Silkeborg", 100),
    ("741", "Samsø", 4),
    ("746", "Skanderborg", 64),
    ("751", "Aarhus", 365),
    ("756", "Ikast-Brande", 42),
    ("760", "Ringkøbing-Skjern", 56),
    ("766", "Hedensted", 48),
    ("773", "Morsø", 20),
    ("779", "Skive", 46),
    ("787", "Thisted", 43),
    ("791", "Viborg", 98),
    ("810", "Brønderslev", 37),
    ("813", "Frederikshavn", 58),
    ("820", "Vesthimmerlands", 36),
    ("825", "Læsø", 2),
    ("840", "Rebild", 30),
    ("846", "Mariagerfjord", 41),
    ("849", "Jammerbugt", 38),
    ("851", "Aalborg", 222),
    ("860", "Hjørring", 64),
];

/// What was generated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub municipalities: usize,
    pub users: usize,
    pub cases: usize,
    pub sub_cases: usize,
    pub steps: usize,
    pub notifications: usize,
    pub journal_entries: usize,
    pub deadlines: usize,
    pub measures: usize,
    pub network_persons: usize,
    pub professionals: usize,
    pub documents: usize,
}

/// A municipality's share of `total` by its population `weight`.
fn share(total: usize, weight: u32) -> usize {
    let all: u32 = MUNICIPALITIES.iter().map(|m| m.2).sum();
    (total * weight as usize).div_ceil(all as usize)
}

/// How many users a municipality of `weight` gets: at least one of each role and a few
/// caseworkers.
fn staff_count(scale: Scale, weight: u32) -> usize {
    share(scale.users(), weight).max(6)
}

/// The role of a municipality's n-th generated user.
fn role_of(n: usize) -> Role {
    match n {
        0 => Role::Admin,
        1 => Role::Finance,
        2 => Role::Auditor,
        n if n % 10 == 3 => Role::TeamLead,
        _ => Role::Caseworker,
    }
}

/// Every generated user's name and role at `scale` (for load tests).
pub fn logins(scale: Scale) -> Vec<(String, Role)> {
    MUNICIPALITIES
        .iter()
        .flat_map(|(code, _, weight)| {
            (0..staff_count(scale, *weight))
                .map(move |n| (username(role_of(n), code, n), role_of(n)))
        })
        .collect()
}

/// A user name of a generated municipality: `raadgiver101-7`, `teamleder101-1`, …; every one
/// has the demo password.
pub fn username(role: Role, code: &str, n: usize) -> String {
    let prefix = match role {
        Role::Caseworker => "raadgiver",
        Role::TeamLead => "teamleder",
        Role::Finance => "oekonomi",
        Role::Admin => "admin",
        Role::Auditor => "revisor",
    };
    format!("{prefix}{code}-{n}")
}

fn id(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// A stretch of work's progress: `what`, done so far, of how many.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// Fills an empty database. Refused when it holds a municipality already.
pub async fn generate(
    db: &Db,
    files: &FileStore,
    scale: Scale,
    seed: u64,
    progress: Progress<'_>,
) -> Result<Report, AppError> {
    if !crate::demo::is_empty(db).await? {
        return Err(AppError::Invalid(vaern_domain::FieldErrors::single(
            "database",
            "Databasen indeholder allerede data; testdata lægges kun i en tom database",
        )));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut report = Report::default();
    let now = vaern_store::now();
    for (i, (code, name, weight)) in MUNICIPALITIES.iter().enumerate() {
        let mut global = db.global().await?;
        let municipality =
            municipalities::create(&mut global, code, &format!("{name} Kommune")).await?;
        global.commit().await?;
        let staff = staff_count(scale, *weight);
        let cases = share(scale.cases(), *weight).max(2);
        let (workers, offers) = users_and_teams(
            db,
            municipality.id,
            code,
            staff,
            &hash,
            &mut rng,
            now,
            &mut report,
        )
        .await?;
        let book = contacts::address_book(db, files, municipality.id, name, &mut rng, now).await?;
        let staff = Staff {
            workers: &workers,
            offers: &offers,
            book: &book,
        };
        cases_of(
            db,
            municipality.id,
            code,
            cases,
            &staff,
            &mut rng,
            now,
            &mut report,
        )
        .await?;
        report.municipalities += 1;
        progress("kommuner", i + 1, MUNICIPALITIES.len());
    }
    let mut tx = db.global().await?;
    bulk::analyze(&mut tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// Who works in a municipality, and what it buys.
struct Staff<'a> {
    workers: &'a [Worker],
    offers: &'a [vaern_store::offers::Offer],
    book: &'a contacts::AddressBook,
}

/// A caseworker (or lead) and their team.
struct Worker {
    id: Uuid,
    team: Uuid,
}

#[allow(clippy::too_many_arguments)]
async fn users_and_teams(
    db: &Db,
    municipality: MunicipalityId,
    code: &str,
    staff: usize,
    hash: &str,
    rng: &mut StdRng,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(Vec<Worker>, Vec<vaern_store::offers::Offer>), AppError> {
    let mut tx = db.tenant(municipality).await?;
    let teams: Vec<Uuid> = (0..staff.div_ceil(12)).map(|_| id(rng)).collect();
    let team_rows: Vec<Vec<Value>> = teams
        .iter()
        .enumerate()
        .map(|(n, t)| {
            vec![
                Value::Id(*t),
                Value::Id(municipality.0),
                Value::Text(format!("Team {}", n + 1)),
                Value::At(now),
            ]
        })
        .collect();
    bulk::insert(
        &mut tx,
        "teams",
        &["id", "municipality_id", "name", "created_at"],
        &team_rows,
    )
    .await?;
    let mut rows = Vec::with_capacity(staff);
    let mut workers = Vec::new();
    for n in 0..staff {
        let role = role_of(n);
        let user = id(rng);
        let team = teams[n % teams.len()];
        if matches!(role, Role::Caseworker | Role::TeamLead) {
            workers.push(Worker { id: user, team });
        }
        let first = if n % 2 == 0 {
            GIRLS[n % 15]
        } else {
            BOYS[n % 15]
        };
        rows.push(vec![
            Value::Id(user),
            Value::Id(municipality.0),
            Value::OptId(Some(team)),
            Value::Text(username(role, code, n)),
            Value::Text(format!("{first} {}", SURNAMES[(n * 7) % 15])),
            Value::Text(role.code().to_owned()),
            Value::Text(hash.to_owned()),
            Value::Bool(true),
            Value::At(now),
            Value::At(now),
        ]);
    }
    let finance = match &rows[1][0] {
        Value::Id(finance) => *finance,
        _ => unreachable!("the second user is the finance officer"),
    };
    bulk::insert(
        &mut tx,
        "users",
        &[
            "id",
            "municipality_id",
            "team_id",
            "username",
            "name",
            "role",
            "password_hash",
            "active",
            "created_at",
            "updated_at",
        ],
        &rows,
    )
    .await?;
    seed_catalogue(&mut tx, vaern_store::UserId(finance), crate::today()).await?;
    let offers = vaern_store::offers::offers(&mut tx).await?;
    tx.commit().await?;
    report.users += staff;
    Ok((workers, offers))
}

/// Sub-case kinds by how often they occur.
const KINDS: [(SubCaseKind, u32); 6] = [
    (SubCaseKind::Clarification, 40),
    (SubCaseKind::Investigation, 20),
    (SubCaseKind::Decision, 15),
    (SubCaseKind::Measure, 15),
    (SubCaseKind::ChildConversation, 7),
    (SubCaseKind::Appeal, 3),
];

fn kind(rng: &mut StdRng) -> SubCaseKind {
    let mut pick = rng.random_range(0..100);
    for (kind, share) in KINDS {
        if pick < share {
            return kind;
        }
        pick -= share;
    }
    SubCaseKind::Clarification
}

/// Rows waiting to be written, per table.
#[derive(Default)]
struct Batch {
    children: Vec<Vec<Value>>,
    cases: Vec<Vec<Value>>,
    sub_cases: Vec<Vec<Value>>,
    steps: Vec<Vec<Value>>,
    notifications: Vec<Vec<Value>>,
    journal: Vec<Vec<Value>>,
    deadlines: Vec<Vec<Value>>,
    measures: Vec<Vec<Value>>,
    persons: Vec<Vec<Value>>,
    relations: Vec<Vec<Value>>,
    child_professionals: Vec<Vec<Value>>,
    documents: Vec<Vec<Value>>,
    document_versions: Vec<Vec<Value>>,
}

impl Batch {
    async fn write(&mut self, db: &Db, municipality: MunicipalityId) -> Result<(), AppError> {
        let mut tx = db.tenant(municipality).await?;
        bulk::insert(
            &mut tx,
            "children",
            &[
                "id",
                "municipality_id",
                "cpr",
                "first_name",
                "last_name",
                "search_name",
                "birth_date",
                "sex",
                "created_at",
                "updated_at",
            ],
            &self.children,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "child_cases",
            &[
                "id",
                "municipality_id",
                "child_id",
                "case_number",
                "caseworker_id",
                "team_id",
                "status",
                "opened_at",
                "created_at",
                "updated_at",
            ],
            &self.cases,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "sub_cases",
            &[
                "id",
                "municipality_id",
                "child_case_id",
                "kind",
                "title",
                "status",
                "opened_at",
                "opened_by",
                "closed_at",
                "close_reason",
                "created_at",
                "updated_at",
            ],
            &self.sub_cases,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "steps",
            &[
                "id",
                "municipality_id",
                "sub_case_id",
                "code",
                "position",
                "required",
                "status",
                "finished_at",
            ],
            &self.steps,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "notifications",
            &[
                "id",
                "municipality_id",
                "sub_case_id",
                "received_at",
                "channel",
                "notifier_kind",
                "notifier_name",
                "concerns",
                "body",
                "assessed_at",
                "risk",
                "immediate_action",
                "assessment_reasoning",
                "created_at",
            ],
            &self.notifications,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "journal_entries",
            &[
                "id",
                "municipality_id",
                "child_case_id",
                "kind",
                "title",
                "body",
                "event_date",
                "author_id",
                "created_at",
                "sub_case_id",
            ],
            &self.journal,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "deadlines",
            &[
                "id",
                "municipality_id",
                "child_case_id",
                "sub_case_id",
                "step_id",
                "rule_id",
                "trigger_at",
                "due_at",
                "status",
                "closed_at",
                "created_at",
            ],
            &self.deadlines,
        )
        .await?;
        bulk::insert(
            &mut tx,
            "measures",
            &[
                "id",
                "municipality_id",
                "child_case_id",
                "offer_id",
                "legal_basis",
                "measure_group",
                "quantity",
                "hours_per",
                "starts_on",
                "ends_on",
                "purpose",
                "status",
                "sub_case_id",
                "version",
                "created_at",
                "created_by",
                "approved_at",
                "approved_by",
                "started_at",
            ],
            &self.measures,
        )
        .await?;
        contacts::write(&mut tx, self).await?;
        tx.commit().await?;
        *self = Batch::default();
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn cases_of(
    db: &Db,
    municipality: MunicipalityId,
    code: &str,
    count: usize,
    staff: &Staff<'_>,
    rng: &mut StdRng,
    now: OffsetDateTime,
    report: &mut Report,
) -> Result<(), AppError> {
    let today = crate::today();
    let mut batch = Batch::default();
    let m = Value::Id(municipality.0);
    for n in 0..count {
        let child = id(rng);
        let case = id(rng);
        // The birth date follows the number, so two children never share a CPR number.
        let birth = today - Duration::days(200 + (n as i64 * 7) % 6_300);
        let girl = n % 2 == 0;
        let first = if girl {
            GIRLS[(n / 2) % 15]
        } else {
            BOYS[(n / 2) % 15]
        };
        let last = SURNAMES[(n * 7 + n / 15) % 15];
        let cpr = format!(
            "{:02}{:02}{:02}{:04}",
            birth.day(),
            u8::from(birth.month()),
            birth.year() % 100,
            5_000 + n % 4_999
        );
        batch.children.push(vec![
            Value::Id(child),
            m.clone(),
            Value::OptText(Some(cpr)),
            Value::Text(first.into()),
            Value::Text(last.into()),
            Value::Text(search_form(&format!("{first} {last}"))),
            Value::Date(birth),
            Value::OptText(Some(if girl { "female" } else { "male" }.into())),
            Value::At(now),
            Value::At(now),
        ]);
        let worker = &staff.workers[rng.random_range(0..staff.workers.len())];
        let open = rng.random_range(0..10) < 9;
        let opened = now - Duration::days(rng.random_range(30..1_500));
        batch.cases.push(vec![
            Value::Id(case),
            m.clone(),
            Value::Id(child),
            Value::Text(format!("{code}-{}-{:06}", opened.year(), n + 1)),
            Value::OptId(Some(worker.id)),
            Value::OptId(Some(worker.team)),
            Value::Text(if open { "open" } else { "closed" }.into()),
            Value::At(opened),
            Value::At(opened),
            Value::At(opened),
        ]);
        // 250,000 sub-cases over 60,000 cases: four or five each.
        let subs = 3
            + usize::from(rng.random_range(0..6) < 1)
            + usize::from(rng.random_range(0..6) < 1)
            + rng.random_range(0..2);
        let mut sub_ids = Vec::new();
        for s in 0..subs {
            let kind = kind(rng);
            let sub = id(rng);
            sub_ids.push(sub);
            let started = opened + Duration::days(s as i64 * 40);
            let sub_open = open && s + 2 >= subs;
            batch.sub_cases.push(vec![
                Value::Id(sub),
                m.clone(),
                Value::Id(case),
                Value::Text(kind.code().into()),
                Value::Text(kind.label().into()),
                Value::Text(if sub_open { "open" } else { "closed" }.into()),
                Value::At(started),
                Value::OptId(Some(worker.id)),
                Value::OptAt((!sub_open).then(|| started + Duration::days(30))),
                Value::OptText((!sub_open).then(|| "Afsluttet".to_owned())),
                Value::At(started),
                Value::At(started),
            ]);
            // Every underretning here comes from a professional: the receipt step applies too.
            let context = vaern_domain::process::StepContext {
                underretning: kind == SubCaseKind::Clarification,
                professional_notifier: kind == SubCaseKind::Clarification,
                ..Default::default()
            };
            let steps: Vec<_> = kind.steps_for(context).collect();
            let done_until = if sub_open {
                rng.random_range(0..=steps.len())
            } else {
                steps.len()
            };
            for (position, def) in steps.iter().enumerate() {
                let step = id(rng);
                let done = position < done_until;
                batch.steps.push(vec![
                    Value::Id(step),
                    m.clone(),
                    Value::Id(sub),
                    Value::Text(def.code.into()),
                    Value::Int(position as i64),
                    Value::Bool(def.required),
                    Value::Text(if done { "done" } else { "pending" }.into()),
                    Value::OptAt(done.then(|| started + Duration::days(3))),
                ]);
                if let Some(rule) = def.rule {
                    let due = if done {
                        started + Duration::days(20)
                    } else {
                        now + Duration::days(rng.random_range(-10..120))
                    };
                    batch.deadlines.push(vec![
                        Value::Id(id(rng)),
                        m.clone(),
                        Value::Id(case),
                        Value::Id(sub),
                        Value::OptId(Some(step)),
                        Value::Text(rule.code().into()),
                        Value::At(started),
                        Value::At(due),
                        Value::Text(if done { "met" } else { "open" }.into()),
                        Value::OptAt(done.then(|| started + Duration::days(3))),
                        Value::At(started),
                    ]);
                    report.deadlines += 1;
                }
            }
            report.steps += steps.len();
            if kind == SubCaseKind::Decision && !sub_open {
                let known = started + Duration::days(25);
                batch.deadlines.push(vec![
                    Value::Id(id(rng)),
                    m.clone(),
                    Value::Id(case),
                    Value::Id(sub),
                    Value::OptId(None),
                    Value::Text("afgoerelse.klagefrist_4u".into()),
                    Value::At(known),
                    Value::At(known + Duration::weeks(4)),
                    Value::Text("met".into()),
                    Value::OptAt(Some(known + Duration::weeks(4))),
                    Value::At(known),
                ]);
                report.deadlines += 1;
            }
            if kind == SubCaseKind::Measure && sub_open {
                let offer = &staff.offers[rng.random_range(0..staff.offers.len())];
                let provider =
                    ProviderKind::parse(&offer.provider_kind).map_err(AppError::Internal)?;
                let basis = if provider == ProviderKind::FamilyTreatment
                    || provider == ProviderKind::ContactPerson
                {
                    "bl32_1_3"
                } else {
                    "bl46"
                };
                let starts = vaern_domain::dates::danish_today(started);
                batch.measures.push(vec![
                    Value::Id(id(rng)),
                    m.clone(),
                    Value::Id(case),
                    Value::Id(offer.id.0),
                    Value::Text(basis.into()),
                    Value::Text(MeasureGroup::of(basis, provider).code().into()),
                    Value::Int(100),
                    Value::Text("week".into()),
                    Value::Date(starts),
                    Value::Date(starts + Duration::days(rng.random_range(90..730))),
                    Value::Text("Støtte til barnets trivsel og skolegang".into()),
                    Value::Text("active".into()),
                    Value::OptId(Some(sub)),
                    Value::Int(3),
                    Value::At(started),
                    Value::OptId(Some(worker.id)),
                    Value::OptAt(Some(started)),
                    Value::OptId(Some(worker.id)),
                    Value::OptAt(Some(started)),
                ]);
                report.measures += 1;
            }
            if kind == SubCaseKind::Clarification {
                let assessed = !sub_open || rng.random_range(0..20) > 0;
                batch.notifications.push(vec![
                    Value::Id(id(rng)),
                    m.clone(),
                    Value::Id(sub),
                    Value::At(started),
                    Value::Text("telefon".into()),
                    Value::Text("professional".into()),
                    Value::OptText(Some("Skolen".into())),
                    Value::Text("skole".into()),
                    Value::Text("Bekymring for barnets fravær og trivsel.".into()),
                    Value::OptAt(assessed.then(|| started + Duration::hours(6))),
                    Value::OptBool(assessed.then_some(false)),
                    Value::OptBool(assessed.then_some(false)),
                    Value::OptText(
                        assessed.then(|| "Ingen akut risiko; afklaring fortsætter.".to_owned()),
                    ),
                    Value::At(started),
                ]);
                report.notifications += 1;
            }
        }
        contacts::of_case(
            &mut batch,
            staff.book,
            municipality,
            (n, child, case, last, birth),
            worker.id,
            rng,
            now,
            report,
        );
        for j in 0..JOURNAL_PER_CASE {
            let (title, body) = NOTES[j % NOTES.len()];
            let at = opened + Duration::days((j as i64 * 29) % 1_400).min(now - opened);
            batch.journal.push(vec![
                Value::Id(id(rng)),
                m.clone(),
                Value::Id(case),
                Value::Text(if j % 3 == 0 { "automatic" } else { "manual" }.into()),
                Value::Text(title.into()),
                Value::Text(body.into()),
                Value::Date(vaern_domain::dates::danish_today(at)),
                Value::OptId(Some(worker.id)),
                Value::At(at),
                Value::OptId((j % 4 == 0).then(|| sub_ids[j % sub_ids.len()])),
            ]);
        }
        report.cases += 1;
        report.sub_cases += subs;
        report.journal_entries += JOURNAL_PER_CASE;
        if batch.cases.len() == 100 {
            batch.write(db, municipality).await?;
        }
    }
    batch.write(db, municipality).await?;
    let mut tx = db.tenant(municipality).await?;
    bulk::set_next_case_number(&mut tx, count as i64 + 1).await?;
    tx.commit().await?;
    Ok(())
}
