//! The case process as data (ARCHITECTURE.md principle 1: the law is data). For now: the
//! statutory deadline rules of DOMAIN.md §3. Sub-case kinds and their steps follow.

pub mod deadline_rules;

pub use deadline_rules::{DeadlineRule, Offset, RULES, WhenDue, rule};
