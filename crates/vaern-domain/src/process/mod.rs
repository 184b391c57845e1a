//! The case process as data (ARCHITECTURE.md principle 1: the law is data). For now: the
//! statutory deadline rules of DOMAIN.md §3, and the sub-case kinds with their ordered steps.

pub mod appeal;
pub mod awareness;
pub mod decision;
pub mod kinds;
pub mod notification;
pub mod party;
pub mod rules;

pub use kinds::{Applies, FEEDBACK_STEP, SECOND_REVIEW_STEP, StepContext, StepDef, SubCaseKind};
pub use rules::{
    DeadlineRule, DecisionFacts, Event, LocalStandard, Offset, RULES, Requirement, RuleId, Scope,
    Trigger, WhenDue, blocking, effective_due_at, rule, rule_by_code, started_by,
};
