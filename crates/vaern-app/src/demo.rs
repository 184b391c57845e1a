//! Demo data: two fictitious municipalities (codes 901 and 902, to show isolation), teams, one
//! user of each role per municipality (plus a second caseworker), and about 30 fictitious
//! children with family members named in their journals. Deterministic, so the README's logins
//! and the browser tests can rely on it. All persons and CPR numbers are invented; the numbers
//! are well-formed but chosen without modulus-11, which CPR has not required since 2007.

use time::{Date, Duration, Month};
use vaern_domain::economy::{
    cost::{PricePeriod, Unit},
    offers::{NewOffer, NewProvider, ProviderKind},
};
use vaern_domain::{
    Cpr, Role,
    child::{NewChild, NewChildInput},
    journal::EntryKind,
    register::{RegisterAddress, RegisterPerson, RegisterStatus},
};
use vaern_store::{Db, budgets, children, journal, municipalities, offers as stored_offers, users};

use crate::{AppError, auth::hash_password, today};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo-adgang-2026";
/// The demo administrators' authenticator secret (base32), public like the password: add it to
/// an authenticator app, or get the current code with `oathtool --totp -b <secret>`.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A demo login for the README and the start-up banner.
pub struct DemoLogin {
    pub municipality: &'static str,
    pub username: String,
    pub role: Role,
    pub name: &'static str,
}

struct DemoMunicipality {
    code: &'static str,
    name: &'static str,
    teams: [&'static str; 2],
    users: [(&'static str, Role, &'static str); 7],
    children: usize,
}

const MUNICIPALITIES: [DemoMunicipality; 2] = [
    DemoMunicipality {
        code: "901",
        name: "Værnby Kommune",
        teams: ["Team Småbørn", "Team Skolebørn og unge"],
        users: [
            ("raadgiver", Role::Caseworker, "Anne Sørensen"),
            ("raadgiver2", Role::Caseworker, "Mads Kjær"),
            ("teamleder", Role::TeamLead, "Birgitte Holm"),
            ("oekonomi", Role::Finance, "Kasper Lund"),
            ("admin", Role::Admin, "Lene Dahl"),
            // A second administrator approves the first's case-reading accounts (four eyes).
            ("admin2", Role::Admin, "Jens Brix"),
            ("revisor", Role::Auditor, "Ole Frandsen"),
        ],
        children: 20,
    },
    DemoMunicipality {
        code: "902",
        name: "Nordskov Kommune",
        teams: ["Familieafdelingen Nord", "Familieafdelingen Syd"],
        users: [
            ("raadgiver", Role::Caseworker, "Sofie Bach"),
            ("raadgiver2", Role::Caseworker, "Jonas Vestergaard"),
            ("teamleder", Role::TeamLead, "Pia Mortensen"),
            ("oekonomi", Role::Finance, "Henrik Juhl"),
            ("admin", Role::Admin, "Marianne Krogh"),
            ("admin2", Role::Admin, "Tove Lind"),
            ("revisor", Role::Auditor, "Erik Thomsen"),
        ],
        children: 10,
    },
];

pub(crate) const GIRLS: [&str; 15] = [
    "Emma", "Ida", "Clara", "Freja", "Alma", "Ella", "Sofia", "Laura", "Karla", "Agnes", "Nora",
    "Asta", "Josefine", "Mathilde", "Liva",
];
pub(crate) const BOYS: [&str; 15] = [
    "William", "Noah", "Oscar", "Lucas", "Carl", "Alfred", "Malthe", "Emil", "Valdemar", "Aksel",
    "Magnus", "Villads", "Elias", "Frederik", "Anton",
];
pub(crate) const SURNAMES: [&str; 15] = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Østergaard",
];
const MOTHERS: [&str; 8] = [
    "Mette", "Louise", "Camilla", "Maria", "Julie", "Sara", "Line", "Nadia",
];
const FATHERS: [&str; 8] = [
    "Thomas", "Martin", "Jesper", "Michael", "Rasmus", "Anders", "Peter", "Ali",
];

pub(crate) const NOTES: [(&str, &str); 4] = [
    (
        "Telefonsamtale med skolen",
        "Klasselæreren fortæller, at barnet i perioder kommer sent og virker træt. Der er aftalt et \
         møde med forældrene i næste uge.",
    ),
    (
        "Hjemmebesøg",
        "Hjemmebesøg hos familien. Begge forældre deltog. Hjemmet fremstod ryddeligt. Forældrene \
         er enige i, at der er behov for støtte omkring morgenrutiner.",
    ),
    (
        "Samtale med barnet",
        "Samtale med barnet på skolen (BL § 5). Barnet fortæller, at det er glad for sin klasse, \
         men bekymret for mors helbred.",
    ),
    (
        "Netværksmøde",
        "Netværksmøde med sundhedsplejerske, dagtilbud og forældre. Næste skridt: afklaring af \
         behov for familiebehandling.",
    ),
];

/// The demo logins, for printing.
pub fn logins() -> Vec<DemoLogin> {
    MUNICIPALITIES
        .iter()
        .flat_map(|m| {
            m.users.iter().map(|(username, role, name)| DemoLogin {
                municipality: m.name,
                username: format!("{username}{}", m.code),
                role: *role,
                name,
            })
        })
        .collect()
}

/// Whether the database holds no municipality yet.
pub async fn is_empty(db: &Db) -> Result<bool, AppError> {
    let mut tx = db.global().await?;
    let empty = municipalities::list(&mut tx).await?.is_empty();
    tx.commit().await?;
    Ok(empty)
}

/// Seeds the demo data into an empty database, one transaction per municipality.
pub async fn seed(db: &Db) -> Result<(), AppError> {
    if !is_empty(db).await? {
        return Err(AppError::Invalid(vaern_domain::FieldErrors::single(
            "database",
            "Databasen indeholder allerede data; demodata lægges kun i en tom database",
        )));
    }
    // One hash for all demo users: argon2 is slow on purpose, and the password is public anyway.
    let hash = hash_password(DEMO_PASSWORD)?;
    let today = today();
    let mut serial = 0usize;
    let mut register = Vec::new();
    for demo in &MUNICIPALITIES {
        let mut global = db.global().await?;
        let municipality = municipalities::create(&mut global, demo.code, demo.name).await?;
        global.commit().await?;
        let mut tx = db.tenant(municipality.id).await?;
        let mut teams = Vec::new();
        for name in demo.teams {
            teams.push(municipalities::create_team(&mut tx, name).await?.id);
        }
        let mut caseworkers = Vec::new();
        let mut finance = None;
        for (i, (username, role, name)) in demo.users.iter().enumerate() {
            let user = users::create(
                &mut tx,
                &users::NewUserRow {
                    username: &format!("{username}{}", demo.code),
                    name,
                    role: *role,
                    password_hash: &hash,
                    team_id: Some(teams[i % 2]),
                    pending_by: None,
                },
            )
            .await?;
            if crate::auth::second_factor::required(*role) {
                // Enrolled as of step 0, so every code from now on is new to it.
                users::accept_totp(&mut tx, user.id, DEMO_TOTP_SECRET, 0).await?;
            }
            if *role == Role::Finance {
                finance = Some(user.id);
            }
            if matches!(role, Role::Caseworker | Role::TeamLead) {
                caseworkers.push(user);
            }
        }
        if let Some(by) = finance {
            seed_catalogue(&mut tx, by, today).await?;
        }
        for _ in 0..demo.children {
            let n = serial;
            serial += 1;
            let girl = n.is_multiple_of(2);
            let first = if girl { GIRLS[n % 15] } else { BOYS[n % 15] };
            let last = SURNAMES[(n * 7) % 15];
            let birth = demo_birth_date(n, today);
            let cpr = (n % 10 != 9).then(|| demo_cpr(birth, n, girl));
            let child = NewChild::parse(
                &NewChildInput {
                    cpr: cpr.clone(),
                    first_name: first.into(),
                    last_name: last.into(),
                    birth_date: cpr
                        .is_none()
                        .then(|| vaern_domain::dates::format_date(birth)),
                    sex: Some(if girl { "female" } else { "male" }.into()),
                },
                today,
            )
            .map_err(AppError::Invalid)?;
            let created = children::create(&mut tx, &child).await?;
            let worker = &caseworkers[n % caseworkers.len()];
            let case =
                children::open_case(&mut tx, created.id, demo.code, worker.id, worker.team_id)
                    .await?;
            let family = DemoFamily::new(n, birth, demo.code, (first, last));
            let (mother, father) = (family.mother.full_name(), family.father.full_name());
            let opened = today - Duration::days(30 + (n as i64 * 11) % 300);
            let entries = [
                (
                    EntryKind::Automatic,
                    "Barnets sag oprettet".to_owned(),
                    format!(
                        "Demodata: barnets sag oprettet. Rådgiver: {}. Familie: mor {mother} \
                         ({}, forældremyndighed), far {father} ({}, forældremyndighed). \
                         Forældrene kan hentes fra CPR under Netværk.",
                        worker.name,
                        family.mother.cpr.formatted(),
                        family.father.cpr.formatted()
                    ),
                    opened,
                ),
                (
                    EntryKind::Manual,
                    NOTES[n % 4].0.to_owned(),
                    NOTES[n % 4].1.to_owned(),
                    opened + Duration::days(7),
                ),
                (
                    EntryKind::Manual,
                    NOTES[(n + 1) % 4].0.to_owned(),
                    NOTES[(n + 1) % 4].1.to_owned(),
                    opened + Duration::days(21),
                ),
            ];
            for (kind, title, body, event_date) in entries {
                journal::append(
                    &mut tx,
                    &journal::NewEntry {
                        case,
                        kind,
                        title: &title,
                        body: &body,
                        event_date: event_date.min(today),
                        author: Some(worker.id),
                        corrects: None,
                        sub_case: None,
                    },
                )
                .await?;
            }
            if let Some(cpr) = &cpr {
                register.extend(family.records(cpr)?);
            }
        }
        tx.commit().await?;
    }
    // The demo's CPR register: each child with a CPR number and both parents, so looking a parent
    // up on the Netværk tab works in the demo as it would against an imported extract.
    let mut global = db.global().await?;
    vaern_store::register::upsert(&mut global, &register).await?;
    global.commit().await?;
    Ok(())
}

/// A demo child's parents as the demo's CPR register knows them.
struct DemoFamily {
    child: (&'static str, &'static str),
    mother: RegisterPerson,
    father: RegisterPerson,
    address: RegisterAddress,
}

impl DemoFamily {
    fn new(n: usize, birth: Date, municipality: &str, child: (&'static str, &'static str)) -> Self {
        let address = RegisterAddress {
            municipality_code: format!("0{municipality}"),
            lines: vec![
                format!("{} {}", STREETS[n % STREETS.len()], 1 + n % 40),
                "9999 Værnby".into(),
            ],
        };
        let parent = |first: &str, last: &str, years: i32, girl: bool| RegisterPerson {
            cpr: demo_parent_cpr(birth, years, n, girl),
            first_name: first.into(),
            last_name: last.into(),
            status: RegisterStatus::Active,
            address: Some(address.clone()),
            mother: None,
            father: None,
            custody: Vec::new(),
        };
        DemoFamily {
            child,
            mother: parent(MOTHERS[n % 8], child.1, 27 + (n % 9) as i32, true),
            father: parent(
                FATHERS[(n + 3) % 8],
                SURNAMES[(n * 7 + 4) % 15],
                30 + (n % 7) as i32,
                false,
            ),
            address,
        }
    }

    fn records(&self, child_cpr: &str) -> Result<[RegisterPerson; 3], AppError> {
        let cpr = Cpr::parse(child_cpr).map_err(AppError::Internal)?;
        let child = RegisterPerson {
            cpr,
            first_name: self.child.0.into(),
            last_name: self.child.1.into(),
            status: RegisterStatus::Active,
            address: Some(self.address.clone()),
            mother: Some(self.mother.cpr.clone()),
            father: Some(self.father.cpr.clone()),
            custody: vec![self.mother.cpr.clone(), self.father.cpr.clone()],
        };
        Ok([child, self.mother.clone(), self.father.clone()])
    }
}

const STREETS: [&str; 6] = [
    "Skolevej",
    "Engvej",
    "Birkealle",
    "Stationsvej",
    "Kirkegade",
    "Møllevej",
];

/// A parent born `years` before the child (1937-1999: digit 7 is 0), even for women.
fn demo_parent_cpr(child_birth: Date, years: i32, n: usize, woman: bool) -> Cpr {
    let year = (child_birth.year() - years).clamp(1937, 1999);
    let digits = format!(
        "{:02}{:02}{:02}0{:02}{}",
        child_birth.day(),
        u8::from(child_birth.month()),
        year % 100,
        n % 100,
        (n * 2 + usize::from(!woman)) % 10
    );
    Cpr::parse(&digits).expect("a day ≤ 28 of a month exists in every year")
}

/// A birth date 1-17 years before `today`, spread over the year.
fn demo_birth_date(n: usize, today: Date) -> Date {
    let year = today.year() - 1 - (n as i32 * 5) % 17;
    let month = Month::try_from(1 + (n * 5 % 12) as u8).expect("1-12");
    let day = 1 + (n * 7 % 28) as u8;
    Date::from_calendar_date(year, month, day).expect("day ≤ 28 exists")
}

/// A well-formed CPR number for a demo child born in 2000-2036 (digit 7 = 4), odd for boys.
fn demo_cpr(birth: Date, n: usize, girl: bool) -> String {
    let last = (n * 2 + usize::from(!girl)) % 10;
    format!(
        "{:02}{:02}{:02}-4{:02}{}",
        birth.day(),
        u8::from(birth.month()),
        birth.year() % 100,
        n % 100,
        last
    )
}

/// Demo providers: (name, CVR, kind, [(offer, unit, price in øre)]).
type DemoProvider = (
    &'static str,
    Option<&'static str>,
    ProviderKind,
    &'static [(&'static str, Unit, i64)],
);

const PROVIDERS: [DemoProvider; 5] = [
    (
        "Familiehuset Lyngen",
        Some("29130000"),
        ProviderKind::FamilyTreatment,
        &[("Familiebehandling", Unit::Hour, 85_000)],
    ),
    (
        "Støttecentret Værnby",
        Some("34120005"),
        ProviderKind::ContactPerson,
        &[
            ("Fast kontaktperson", Unit::Hour, 42_500),
            ("Aflastning i weekender", Unit::Day, 160_000),
        ],
    ),
    (
        "Opholdsstedet Solsikken",
        Some("25740009"),
        ProviderKind::ResidentialHome,
        &[("Døgnophold", Unit::Day, 295_000)],
    ),
    (
        "Plejefamilien Holm",
        None,
        ProviderKind::FosterFamily,
        &[("Forstærket plejefamilie", Unit::Month, 3_850_000)],
    ),
    (
        "Døgninstitutionen Egely",
        Some("19480003"),
        ProviderKind::ResidentialInstitution,
        &[("Døgnplads", Unit::Day, 430_000)],
    ),
];

/// The demo catalogue with prices from 1 January last year, and the kompetenceplan's threshold
/// of 500.000 kr.
pub(crate) async fn seed_catalogue(
    tx: &mut vaern_store::TenantTx,
    by: vaern_store::UserId,
    today: Date,
) -> Result<(), AppError> {
    let from = Date::from_calendar_date(today.year() - 1, Month::January, 1)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    for (name, cvr, kind, offers) in PROVIDERS {
        let provider = NewProvider {
            name: name.to_owned(),
            cvr: cvr.map(str::to_owned),
            kind,
            tilbudsportal_id: None,
        };
        let provider = stored_offers::add_provider(tx, &provider, by).await?;
        for (offer, unit, price) in offers {
            let offer = NewOffer {
                name: (*offer).to_owned(),
                unit: *unit,
            };
            let offer = stored_offers::add_offer(tx, provider.id, &offer, by).await?;
            let period = PricePeriod {
                from,
                to: None,
                price_ore: *price,
            };
            stored_offers::add_price(tx, offer.id, &period, None, by).await?;
        }
    }
    budgets::set_approval_threshold(tx, 50_000_000, by).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use vaern_domain::Cpr;

    #[test]
    fn demo_cprs_are_valid_and_match_birth_date_and_sex() {
        for n in 0..30 {
            let birth = demo_birth_date(n, date!(2026 - 11 - 23));
            let girl = n.is_multiple_of(2);
            let cpr = Cpr::parse(&demo_cpr(birth, n, girl)).unwrap();
            assert_eq!(cpr.birth_date(), birth);
            assert_eq!(cpr.sex() == vaern_domain::Sex::Female, girl);
        }
    }

    #[test]
    fn demo_parents_are_registered_with_valid_distinct_cprs_and_the_child_names_them() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..60 {
            let birth = demo_birth_date(n, date!(2026 - 11 - 23));
            let family = DemoFamily::new(n, birth, "901", ("Emma", "Hansen"));
            let child = demo_cpr(birth, n, true);
            let [record, mother, father] = family.records(&child).unwrap();
            assert_eq!(mother.cpr.sex(), vaern_domain::Sex::Female);
            assert_eq!(father.cpr.sex(), vaern_domain::Sex::Male);
            assert!(mother.cpr.birth_date() < birth && father.cpr.birth_date() < birth);
            assert!(seen.insert(mother.cpr.clone()) && seen.insert(father.cpr.clone()));
            assert_eq!(record.mother.as_ref(), Some(&mother.cpr));
            assert_eq!(record.custody, [mother.cpr.clone(), father.cpr.clone()]);
            assert_eq!(record.address.unwrap().municipality_code, "0901");
        }
    }

    #[test]
    fn there_is_one_login_of_each_role_per_municipality() {
        let logins = logins();
        for role in Role::ALL {
            for code in ["901", "902"] {
                assert!(
                    logins
                        .iter()
                        .any(|l| l.role == role && l.username.ends_with(code))
                );
            }
        }
    }
}
