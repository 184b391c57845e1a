#![doc = include_str!("../README.md")]

pub mod access;
pub mod address_book;
pub mod calendar;
pub mod child;
pub mod cpr;
pub mod dates;
pub mod document;
pub mod economy;
pub mod ics;
pub mod journal;
pub mod law;
pub mod network;
pub mod process;
pub mod register;
pub mod text;
pub mod totp;
pub mod user;
pub mod validation;

pub use access::{Capability, Role};
pub use cpr::{Cpr, Sex};
pub use validation::{FieldError, FieldErrors};
