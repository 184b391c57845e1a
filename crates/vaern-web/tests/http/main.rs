//! HTTP integration tests: a real server on port 0, run on SQLite or PostgreSQL
//! (`TEST_DATABASE_URL`), modules mirroring the areas.

mod address_book;
mod api;
mod case_process;
mod common;
mod documents;
mod economy;
mod ics;
mod ics_ui;
mod letters;
mod network;
mod policy;
mod reads;
mod saml;
mod second_factor;
mod server;
mod sso;
mod ui;
mod walk;
