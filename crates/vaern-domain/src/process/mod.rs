//! The case process as data (ARCHITECTURE.md principle 1: the law is data). For now: the
//! statutory deadline rules of DOMAIN.md §3, and the sub-case kinds with their ordered steps.

pub mod deadline_rules;
pub mod decision;
pub mod kinds;
pub mod notification;

pub use deadline_rules::{
    CASE_WIDE, DeadlineRule, LocalStandard, Offset, RULES, WhenDue, effective_due_at, rule,
};
pub use kinds::{Applies, FEEDBACK_STEP, SECOND_REVIEW_STEP, StepContext, StepDef, SubCaseKind};
