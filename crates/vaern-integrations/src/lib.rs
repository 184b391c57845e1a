#![doc = include_str!("../README.md")]

pub mod extract;
pub mod finance;
pub mod register;
