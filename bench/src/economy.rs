//! The economy at a large municipality's scale: N running measures (four per child's case) on
//! the demo catalogue, then a mass price update from 1 January next year over every offer, a
//! payment run for this month, the same run again (which must pay nothing), and both exports.

use std::time::Instant;

use time::{Date, Duration, Month};
use vaern_app::{
    auth,
    economy::{payments, price_updates},
};
use vaern_domain::{
    child::{NewChild, NewChildInput},
    economy::measures::{MeasureGroup, MeasureInput, NewMeasure},
};
use vaern_store::{
    measures::{self, Change},
    municipalities, offers, sub_cases,
};
use vaern_testkit::TestDb;

use crate::status_mib;

fn app_err(e: vaern_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn run(count: usize) -> anyhow::Result<()> {
    let test = TestDb::new().await;
    let db = &test.db;
    vaern_app::demo::seed(db).await.map_err(app_err)?;
    let backend = db.backend();
    let token = auth::create_token(db, "oekonomi901")
        .await
        .map_err(app_err)?;
    let finance = auth::token_actor(db, &token).await.map_err(app_err)?;
    let mut g = db.global().await?;
    let municipality = municipalities::by_code(&mut g, "901").await?.id;
    g.commit().await?;

    eprintln!("{backend}: seeding {count} running measures …");
    let started = Instant::now();
    let today = vaern_app::today();
    let first = Date::from_calendar_date(today.year(), today.month(), 1)?;
    let end = Date::from_calendar_date(today.year() + 1, Month::December, 31)?;
    let mut tx = db.tenant(municipality).await?;
    let catalogue = offers::offers(&mut tx).await?;
    let worker = vaern_store::users::list(&mut tx)
        .await?
        .into_iter()
        .find(|u| u.username == "raadgiver901")
        .ok_or_else(|| anyhow::anyhow!("demo user"))?;
    tx.commit().await?;
    let mut made = 0;
    let mut n = 0usize;
    while made < count {
        let mut tx = db.tenant(municipality).await?;
        for _ in 0..250 {
            if made >= count {
                break;
            }
            let child = NewChild::parse(
                &NewChildInput {
                    cpr: None,
                    first_name: format!("Barn{n}"),
                    last_name: "Benchmark".into(),
                    birth_date: Some("01.06.2015".into()),
                    sex: None,
                },
                today,
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let child = vaern_store::children::create(&mut tx, &child).await?;
            let case = vaern_store::children::open_case(
                &mut tx,
                child.id,
                "901",
                worker.id,
                worker.team_id,
            )
            .await?;
            let sub = sub_cases::open(
                &mut tx,
                case,
                "measure",
                "Benchmark",
                vaern_store::now(),
                None,
                &[],
            )
            .await?;
            for k in 0..4 {
                let offer = &catalogue[(n + k) % catalogue.len()];
                let unit = vaern_domain::economy::cost::Unit::parse(&offer.unit).ok();
                let input = MeasureInput {
                    legal_basis: if k % 2 == 0 { "bl32_1_3" } else { "bl46" }.into(),
                    offer_id: offer.id.to_string(),
                    quantity: "1".into(),
                    hours_per: "week".into(),
                    starts_on: (first - Duration::days((n % 200) as i64)).to_string(),
                    ends_on: end.to_string(),
                    purpose: "Benchmark".into(),
                };
                let measure =
                    NewMeasure::parse(&input, unit).map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let kind = vaern_domain::economy::offers::ProviderKind::parse(&offer.provider_kind)
                    .map_err(|e| anyhow::anyhow!(e))?;
                let group = MeasureGroup::of(measure.legal_basis.id, kind);
                let m = measures::create(
                    &mut tx,
                    case,
                    offer.id,
                    &measure,
                    group,
                    &[],
                    finance.user_id,
                )
                .await?;
                measures::change(
                    &mut tx,
                    m.id,
                    1,
                    "planned",
                    Change::Approve {
                        by: finance.user_id,
                    },
                )
                .await?;
                measures::change(
                    &mut tx,
                    m.id,
                    2,
                    "approved",
                    Change::Start { sub_case: sub.id },
                )
                .await?;
                made += 1;
            }
            n += 1;
        }
        tx.commit().await?;
    }
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    let row = |what: &str, secs: f64| {
        println!(
            "| {backend} | {count} | {what} | {secs:.2} s | {:.0} MiB |",
            status_mib("VmHWM:")
        );
    };

    let input = price_updates::PriceUpdateInput {
        offer_ids: catalogue.iter().map(|o| o.id.to_string()).collect(),
        effective_from: Date::from_calendar_date(today.year() + 1, Month::January, 1)?.to_string(),
        mode: "percent".into(),
        percent: "2,5".into(),
        amount: String::new(),
        description: "Pris- og lønregulering".into(),
    };
    let t = Instant::now();
    let preview = price_updates::preview(
        db,
        &finance,
        &input,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .map_err(app_err)?;
    row(
        &format!("price update preview ({} cases)", preview.cases.len()),
        t.elapsed().as_secs_f64(),
    );
    let t = Instant::now();
    let (_, applied) = price_updates::apply(
        db,
        &finance,
        &input,
        vaern_store::access_log::AccessKind::View,
    )
    .await
    .map_err(app_err)?;
    row(
        &format!(
            "price update applied, journalled on {} cases",
            applied.cases.len()
        ),
        t.elapsed().as_secs_f64(),
    );

    let period = payments::period_code(today.year(), u8::from(today.month()));
    let t = Instant::now();
    let run = payments::run(db, &finance, &period)
        .await
        .map_err(app_err)?;
    row(
        &format!("payment run ({} lines)", run.line_count),
        t.elapsed().as_secs_f64(),
    );
    let t = Instant::now();
    let again = payments::run(db, &finance, &period)
        .await
        .map_err(app_err)?;
    row(
        &format!("same month again ({} lines)", again.line_count),
        t.elapsed().as_secs_f64(),
    );
    anyhow::ensure!(again.line_count == 0, "a rerun paid again");
    for format in ["csv", "fixed"] {
        let t = Instant::now();
        let file = payments::export(db, &finance, run.id, format)
            .await
            .map_err(app_err)?;
        row(
            &format!("{format} export ({:.1} MB)", file.bytes.len() as f64 / 1e6),
            t.elapsed().as_secs_f64(),
        );
    }
    Ok(())
}
