//! Measures and their economy: amounts in øre, providers and offers with price periods, the cost
//! of a measure over any window, measure status, budget areas and the kompetenceplan.

pub mod cost;
pub mod measures;
pub mod money;
pub mod offers;
