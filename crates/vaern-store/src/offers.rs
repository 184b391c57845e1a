//! Providers, their offers and the offers' price periods, and mass price updates.

use serde::Serialize;
use sqlx::AssertSqlSafe;
use time::{Date, Duration, OffsetDateTime};
use vaern_domain::economy::{
    cost::PricePeriod,
    offers::{NewOffer, NewProvider},
};

use crate::{
    OfferId, PricePeriodId, PriceUpdateId, ProviderId, StoreError, TenantTx, UserId, now, on,
};

/// A provider (udfører).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Provider {
    pub id: ProviderId,
    pub name: String,
    pub cvr: Option<String>,
    /// [`vaern_domain::economy::offers::ProviderKind`] code.
    pub kind: String,
    pub tilbudsportal_id: Option<String>,
    pub created_at: OffsetDateTime,
}

/// An offer with its provider.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Offer {
    pub id: OfferId,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub provider_kind: String,
    pub provider_cvr: Option<String>,
    pub name: String,
    /// [`vaern_domain::economy::cost::Unit`] code.
    pub unit: String,
    pub created_at: OffsetDateTime,
}

/// A stored price period.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredPrice {
    pub id: PricePeriodId,
    pub offer_id: OfferId,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub price_ore: i64,
    pub price_update_id: Option<PriceUpdateId>,
}

impl StoredPrice {
    pub fn period(&self) -> PricePeriod {
        PricePeriod {
            from: self.valid_from,
            to: self.valid_to,
            price_ore: self.price_ore,
        }
    }
}

/// A mass price update and what it changed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PriceUpdate {
    pub id: PriceUpdateId,
    pub effective_from: Date,
    pub description: String,
    pub undoes: Option<PriceUpdateId>,
    pub created_at: OffsetDateTime,
    pub created_by_name: Option<String>,
    /// Whether a later update undid this one.
    pub undone: bool,
}

/// One offer's change in a price update.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PriceChange {
    pub offer_id: OfferId,
    pub old_price_ore: i64,
    pub new_price_ore: i64,
}

const OFFER: &str = "select o.id, o.provider_id, p.name as provider_name, p.kind as provider_kind, \
    p.cvr as provider_cvr, o.name, o.unit, o.created_at from offers o \
    join providers p on p.id = o.provider_id";

const PRICE: &str =
    "select id, offer_id, valid_from, valid_to, price_ore, price_update_id from price_periods";

const UPDATE: &str = "select u.id, u.effective_from, u.description, u.undoes, u.created_at, \
    us.name as created_by_name, exists (select 1 from price_updates x where x.undoes = u.id) \
    as undone from price_updates u left join users us on us.id = u.created_by";

/// Adds a provider.
pub async fn add_provider(
    tx: &mut TenantTx,
    provider: &NewProvider,
    by: UserId,
) -> Result<Provider, StoreError> {
    let municipality = tx.municipality();
    let id = ProviderId::new();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into providers (id, municipality_id, name, cvr, kind, tilbudsportal_id, \
             created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id).bind(municipality).bind(&provider.name).bind(&provider.cvr)
        .bind(provider.kind.code()).bind(&provider.tilbudsportal_id).bind(now()).bind(by)
        .execute(c).await?;
    });
    provider_by_id(tx, id).await
}

/// One provider of the municipality.
pub async fn provider_by_id(tx: &mut TenantTx, id: ProviderId) -> Result<Provider, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select id, name, cvr, kind, tilbudsportal_id, created_at from providers \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(id).fetch_one(c).await?
    }))
}

/// The municipality's providers by name.
pub async fn providers(tx: &mut TenantTx) -> Result<Vec<Provider>, StoreError> {
    let municipality = tx.municipality();
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select id, name, cvr, kind, tilbudsportal_id, created_at from providers \
             where municipality_id = $1 order by name, id",
        )
        .bind(municipality).fetch_all(c).await?
    }))
}

/// Adds an offer to a provider; `NotFound` if the provider is not the municipality's.
pub async fn add_offer(
    tx: &mut TenantTx,
    provider: ProviderId,
    offer: &NewOffer,
    by: UserId,
) -> Result<Offer, StoreError> {
    let municipality = tx.municipality();
    let id = OfferId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into offers (id, municipality_id, provider_id, name, unit, created_at, \
             created_by) select $1, $2, p.id, $4, $5, $6, $7 from providers p \
             where p.municipality_id = $2 and p.id = $3",
        )
        .bind(id).bind(municipality).bind(provider).bind(&offer.name).bind(offer.unit.code())
        .bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    offer_by_id(tx, id).await
}

/// One offer of the municipality.
pub async fn offer_by_id(tx: &mut TenantTx, id: OfferId) -> Result<Offer, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{OFFER} where o.municipality_id = $1 and o.id = $2");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    }))
}

/// The municipality's offers by provider and name.
pub async fn offers(tx: &mut TenantTx) -> Result<Vec<Offer>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{OFFER} where o.municipality_id = $1 order by p.name, o.name, o.id");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?
    }))
}

/// Every price period of the municipality's offers, by offer and date (one query for lists).
pub async fn all_prices(tx: &mut TenantTx) -> Result<Vec<StoredPrice>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{PRICE} where municipality_id = $1 order by offer_id, valid_from");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?
    }))
}

/// One offer's price periods by date.
pub async fn prices(tx: &mut TenantTx, offer: OfferId) -> Result<Vec<StoredPrice>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{PRICE} where municipality_id = $1 and offer_id = $2 order by valid_from");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(offer).fetch_all(c).await?
    }))
}

/// The price periods of these offers, by offer and date.
pub async fn prices_for(
    tx: &mut TenantTx,
    offers: &[OfferId],
) -> Result<Vec<StoredPrice>, StoreError> {
    if offers.is_empty() {
        return Ok(Vec::new());
    }
    let municipality = tx.municipality();
    let placeholders: Vec<String> = (0..offers.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "{PRICE} where municipality_id = $1 and offer_id in ({}) order by offer_id, valid_from",
        placeholders.join(", ")
    );
    Ok(on!(&mut tx.tx, c => {
        let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(municipality);
        for offer in offers {
            query = query.bind(*offer);
        }
        query.fetch_all(c).await?
    }))
}

/// Adds a price period; the caller has checked it against the offer's other periods in the
/// same transaction.
pub async fn add_price(
    tx: &mut TenantTx,
    offer: OfferId,
    period: &PricePeriod,
    update: Option<PriceUpdateId>,
    by: UserId,
) -> Result<PricePeriodId, StoreError> {
    let municipality = tx.municipality();
    let id = PricePeriodId::new();
    let inserted = on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into price_periods (id, municipality_id, offer_id, valid_from, valid_to, \
             price_ore, price_update_id, created_at, created_by) select $1, $2, o.id, $4, $5, \
             $6, $7, $8, $9 from offers o where o.municipality_id = $2 and o.id = $3",
        )
        .bind(id).bind(municipality).bind(offer).bind(period.from).bind(period.to)
        .bind(period.price_ore).bind(update).bind(now()).bind(by)
        .execute(c).await?.rows_affected()
    });
    if inserted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(id)
}

/// Sets the price of a period that starts on a price update's date, or ends a period the day
/// before it (the caller then adds the new one).
async fn change_period(
    tx: &mut TenantTx,
    id: PricePeriodId,
    valid_to: Option<Date>,
    price_ore: i64,
    update: PriceUpdateId,
) -> Result<(), StoreError> {
    let municipality = tx.municipality();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "update price_periods set valid_to = $3, price_ore = $4, price_update_id = $5 \
             where municipality_id = $1 and id = $2",
        )
        .bind(municipality).bind(id).bind(valid_to).bind(price_ore).bind(update)
        .execute(c).await?;
    });
    Ok(())
}

/// Records a price update and applies each change from `effective_from`: the period holding
/// that date is split there (or repriced if it starts there). The caller has checked that each
/// offer has a price on the date and none starting after it.
pub async fn apply_update(
    tx: &mut TenantTx,
    effective_from: Date,
    description: &str,
    undoes: Option<PriceUpdateId>,
    changes: &[(StoredPrice, i64)],
    by: UserId,
) -> Result<PriceUpdateId, StoreError> {
    let municipality = tx.municipality();
    let id = PriceUpdateId::new();
    on!(&mut tx.tx, c => {
        sqlx::query(
            "insert into price_updates (id, municipality_id, effective_from, description, \
             undoes, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id).bind(municipality).bind(effective_from).bind(description).bind(undoes)
        .bind(now()).bind(by)
        .execute(c).await?;
    });
    for (period, new_price) in changes {
        on!(&mut tx.tx, c => {
            sqlx::query(
                "insert into price_update_offers (price_update_id, municipality_id, offer_id, \
                 old_price_ore, new_price_ore) values ($1, $2, $3, $4, $5)",
            )
            .bind(id).bind(municipality).bind(period.offer_id).bind(period.price_ore)
            .bind(*new_price)
            .execute(c).await?;
        });
        if period.valid_from == effective_from {
            change_period(tx, period.id, period.valid_to, *new_price, id).await?;
        } else {
            let before = effective_from - Duration::days(1);
            let keep_update = period.price_update_id.unwrap_or(id);
            change_period(tx, period.id, Some(before), period.price_ore, keep_update).await?;
            let new = PricePeriod {
                from: effective_from,
                to: period.valid_to,
                price_ore: *new_price,
            };
            add_price(tx, period.offer_id, &new, Some(id), by).await?;
        }
    }
    Ok(id)
}

/// The municipality's price updates, newest first.
pub async fn updates(tx: &mut TenantTx) -> Result<Vec<PriceUpdate>, StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{UPDATE} where u.municipality_id = $1 order by u.created_at desc, u.id");
    Ok(on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).fetch_all(c).await?
    }))
}

/// One price update.
pub async fn update_by_id(
    tx: &mut TenantTx,
    id: PriceUpdateId,
) -> Result<(PriceUpdate, Vec<PriceChange>), StoreError> {
    let municipality = tx.municipality();
    let sql = format!("{UPDATE} where u.municipality_id = $1 and u.id = $2");
    let update: PriceUpdate = on!(&mut tx.tx, c => {
        sqlx::query_as(AssertSqlSafe(sql)).bind(municipality).bind(id).fetch_one(c).await?
    });
    let changes = on!(&mut tx.tx, c => {
        sqlx::query_as(
            "select offer_id, old_price_ore, new_price_ore from price_update_offers \
             where municipality_id = $1 and price_update_id = $2",
        )
        .bind(municipality).bind(id).fetch_all(c).await?
    });
    Ok((update, changes))
}
