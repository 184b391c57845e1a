//! The provider catalogue: providers, their offers and price periods. Caseworkers read it to
//! choose an offer; finance staff maintain it.

use vaern_domain::{
    Capability, FieldErrors,
    economy::{
        cost::PricePeriod,
        offers::{NewOffer, NewOfferInput, NewProvider, NewProviderInput, PricePeriodInput},
    },
};
use vaern_store::{
    OfferId, ProviderId, StoreError,
    offers::{self, Offer, Provider, StoredPrice},
};

use crate::{Actor, AppError};

/// The catalogue: providers, offers and every price period.
pub struct Catalogue {
    pub providers: Vec<Provider>,
    pub offers: Vec<Offer>,
    pub prices: Vec<StoredPrice>,
}

impl Catalogue {
    /// An offer's price periods by date.
    pub fn prices_of(&self, offer: OfferId) -> Vec<PricePeriod> {
        self.prices
            .iter()
            .filter(|p| p.offer_id == offer)
            .map(StoredPrice::period)
            .collect()
    }
}

/// The whole catalogue of the municipality.
pub async fn catalogue(db: &vaern_store::Db, actor: &Actor) -> Result<Catalogue, AppError> {
    actor.require(Capability::ReadOffers)?;
    let mut tx = db.tenant_read(actor.municipality_id).await?;
    let providers = offers::providers(&mut tx).await?;
    let all_offers = offers::offers(&mut tx).await?;
    let prices = offers::all_prices(&mut tx).await?;
    tx.commit().await?;
    Ok(Catalogue {
        providers,
        offers: all_offers,
        prices,
    })
}

/// Adds a provider.
pub async fn add_provider(
    db: &vaern_store::Db,
    actor: &Actor,
    input: &NewProviderInput,
) -> Result<Provider, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let provider = NewProvider::parse(input)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let stored = offers::add_provider(&mut tx, &provider, actor.user_id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Adds an offer to a provider.
pub async fn add_offer(
    db: &vaern_store::Db,
    actor: &Actor,
    provider: ProviderId,
    input: &NewOfferInput,
) -> Result<Offer, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let offer = NewOffer::parse(input)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let stored = offers::add_offer(&mut tx, provider, &offer, actor.user_id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Adds a price period to an offer; refused if it overlaps one of the offer's periods.
pub async fn add_price(
    db: &vaern_store::Db,
    actor: &Actor,
    offer: OfferId,
    input: &PricePeriodInput,
) -> Result<Vec<StoredPrice>, AppError> {
    actor.require(Capability::ManageEconomy)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    offers::offer_by_id(&mut tx, offer).await?;
    let existing = offers::prices(&mut tx, offer).await?;
    let periods: Vec<PricePeriod> = existing.iter().map(StoredPrice::period).collect();
    let period = PricePeriod::parse(input, &periods)?;
    offers::add_price(&mut tx, offer, &period, None, actor.user_id).await?;
    let prices = offers::prices(&mut tx, offer).await?;
    tx.commit().await?;
    Ok(prices)
}

/// The offer a form names, as a field error when it is not in the catalogue.
pub(crate) async fn chosen_offer(
    tx: &mut vaern_store::TenantTx,
    raw: &str,
    field: &str,
) -> Result<Offer, AppError> {
    let unknown = || AppError::Invalid(FieldErrors::single(field, "Vælg et tilbud fra listen"));
    let id: OfferId = raw.trim().parse().map_err(|_| unknown())?;
    offers::offer_by_id(tx, id).await.map_err(|e| match e {
        StoreError::NotFound => unknown(),
        other => other.into(),
    })
}
