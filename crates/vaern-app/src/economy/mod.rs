//! Measures and their economy (DOMAIN.md §6): the provider catalogue with prices, measures on a
//! child's case with live cost simulation and approval under the kompetenceplan, mass price
//! updates, monthly payment runs with the finance export, and the overview against budget.

pub mod measures;
pub mod offers;
pub mod overview;
pub mod payments;
pub mod price_updates;

use std::collections::HashMap;

use vaern_domain::economy::cost::{Charge, HoursPer, PricePeriod, Unit};
use vaern_store::{
    OfferId, TenantTx,
    measures::Measure,
    offers::{self as stored_offers, StoredPrice},
};

use crate::AppError;

/// Price periods per offer, loaded once for a listing.
#[derive(Debug, Default)]
pub(crate) struct PriceBook(HashMap<OfferId, Vec<PricePeriod>>);

impl PriceBook {
    fn from_rows(rows: Vec<StoredPrice>) -> Self {
        let mut book = PriceBook::default();
        for row in rows {
            book.0.entry(row.offer_id).or_default().push(row.period());
        }
        book
    }

    /// The prices of every offer of the municipality.
    pub(crate) async fn all(tx: &mut TenantTx) -> Result<Self, AppError> {
        Ok(Self::from_rows(stored_offers::all_prices(tx).await?))
    }

    /// The prices of the offers these measures buy.
    pub(crate) async fn for_measures(
        tx: &mut TenantTx,
        measures: &[Measure],
    ) -> Result<Self, AppError> {
        let mut ids: Vec<OfferId> = measures.iter().map(|m| m.offer_id).collect();
        ids.sort();
        ids.dedup();
        Ok(Self::from_rows(stored_offers::prices_for(tx, &ids).await?))
    }

    pub(crate) fn of(&self, offer: OfferId) -> &[PricePeriod] {
        self.0.get(&offer).map(Vec::as_slice).unwrap_or_default()
    }

    pub(crate) fn set(&mut self, offer: OfferId, prices: Vec<PricePeriod>) {
        self.0.insert(offer, prices);
    }
}

/// What a stored measure is charged: its offer's unit and prices over its dates (to its actual
/// end once ended).
pub(crate) fn charge<'a>(
    measure: &Measure,
    prices: &'a [PricePeriod],
) -> Result<Charge<'a>, AppError> {
    Ok(Charge {
        unit: Unit::parse(&measure.unit).map_err(AppError::Internal)?,
        hours_per: HoursPer::parse(&measure.hours_per).map_err(AppError::Internal)?,
        quantity: measure.quantity,
        starts_on: measure.starts_on,
        ends_on: measure.last_day(),
        prices,
    })
}
