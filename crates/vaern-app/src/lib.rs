#![doc = include_str!("../README.md")]

pub mod access_log;
pub mod address_book;
pub mod auth;
pub mod bench_data;
pub mod case_process;
pub mod children;
pub mod cpr;
pub mod deadlines;
pub mod demo;
pub mod documents;
pub mod economy;
pub mod investigations;
pub mod jobs;
pub mod journal;
pub mod letters;
pub mod network;
pub mod plans;
pub mod team;
pub mod users;

mod actor;
mod case_file;
mod clocks;
mod error;

pub use actor::Actor;
pub use error::AppError;

/// Today in Denmark.
pub fn today() -> time::Date {
    vaern_domain::dates::danish_today(vaern_store::now())
}
