//! The typed ids of the rule table. The code of each is what deadline instances store and the
//! API promises, so a code is never reused for another rule.

use serde::{Serialize, Serializer};

macro_rules! rule_ids {
    ($($variant:ident => $code:literal,)*) => {
        /// A deadline rule's id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $($variant,)*
        }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The stable code, e.g. `underretning.kvittering_6hd`.
            pub fn code(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $code,)*
                }
            }
        }
    };
}

rule_ids! {
    Assessment24Hours => "underretning.vurdering_24t",
    Receipt => "underretning.kvittering_6hd",
    NotifierFeedback => "underretning.tilbagemelding",
    SecondReview => "underretning.genvurdering_ny_person",
    AbuseConversation => "underretning.samtale_overgreb",
    Investigation => "undersoegelse.4mdr",
    SiblingInvestigation => "soeskende.undersoegelse",
    Plan32 => "plan.32_3mdr",
    Plan46 => "plan.46_3mdr",
    PlanBefore47 => "plan.47_foer_afgoerelse",
    YouthPlanAt16 => "ungeplan.16aar_3mdr",
    YouthPlanOnPlacement => "ungeplan.anbringelse_3mdr",
    YouthSupportDecision => "ungestoette.afgoerelse_6mdr_foer_18",
    FirstFollowUp => "opfoelgning.foerste_3mdr",
    Supervision => "tilsyn.halvaarligt",
    FirstRenewal47 => "anbringelse_uden_samtykke.genbehandling",
    LaterRenewal47 => "anbringelse_uden_samtykke.genbehandling_2aar",
    AppealDeadline => "afgoerelse.klagefrist_4u",
    Reconsideration => "klage.genvurdering_4u",
    PartyHearing => "afgoerelse.partshoering",
    ChildConversation => "afgoerelse.boernesamtale",
    ReasonsAndGuidance => "afgoerelse.begrundelse_klagevejledning",
    ApplicationDeadline => "ansoegning.sagsbehandlingsfrist",
    Transfer => "flytning.overdragelse",
}

impl RuleId {
    /// The id stored under `code`, if a rule still has it.
    pub fn parse(code: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|id| id.code() == code)
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
