//! Sub-case kinds (delsager) and their ordered steps (sagsskridt), DOMAIN.md §2. Each step says
//! whether it is required, which paragraph it serves, and which deadline rule (if any) starts when
//! the sub-case opens. A required step can be skipped only with a reason; a sub-case closes only
//! when every required step is done or skipped.

use serde::Serialize;

use crate::process::RuleId;

/// Which notifications a step applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    Always,
    /// Only when a professional with a duty to notify sent the underretning.
    ProfessionalNotifier,
    /// Only when the underretning is about violence or sexual abuse (BL § 137, stk. 3).
    AbuseConcern,
    /// Only for an underretning (not a henvendelse or ansøgning).
    Underretning,
    /// Only for an ansøgning (the municipality's own case-processing deadline).
    Ansoegning,
    /// Only when the child has running measures (BL § 137: a person new to the case).
    RunningMeasures,
    /// Only when a professional's underretning on the case still awaits feedback on whether an
    /// investigation or measure was started (tidl. SEL § 155 b, stk. 2-3).
    FeedbackDue,
}

/// One step of a sub-case kind.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StepDef {
    pub code: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub legal_reference: &'static str,
    /// The deadline rule that starts when the sub-case opens (the step meets it).
    pub rule: Option<RuleId>,
    pub applies: Applies,
}

const fn step(
    code: &'static str,
    label: &'static str,
    required: bool,
    legal_reference: &'static str,
    rule: Option<RuleId>,
) -> StepDef {
    StepDef {
        code,
        label,
        required,
        legal_reference,
        rule,
        applies: Applies::Always,
    }
}

/// What decides which conditional steps a new sub-case gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepContext {
    pub underretning: bool,
    pub professional_notifier: bool,
    pub abuse: bool,
    pub ansoegning: bool,
    pub running_measures: bool,
    pub feedback_due: bool,
}

/// The kinds of sub-case under a child's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubCaseKind {
    /// Afklaring: underretning, henvendelse or ansøgning, screened (BL § 18).
    Clarification,
    /// Afdækning: the lighter look at one or more matters the screening pointed to, instead of a
    /// full investigation (BL § 18, stk. 1, nr. 2, and § 19).
    NeedsAssessment,
    /// Børnefaglig undersøgelse (BL §§ 20-23).
    Investigation,
    /// Visitation / afgørelse.
    Decision,
    /// Indsats og opfølgning (BL §§ 91, 95-96).
    Measure,
    /// Tilsyn med et anbragt barn (BL § 156).
    Supervision,
    /// Børnesamtale (BL § 5).
    ChildConversation,
    /// Søskendeundersøgelse (BL § 21).
    SiblingInvestigation,
    /// Klage og genvurdering.
    Appeal,
    /// Sagsoverdragelse ved flytning (BL § 132).
    Transfer,
}

impl SubCaseKind {
    pub const ALL: [SubCaseKind; 10] = [
        SubCaseKind::Clarification,
        SubCaseKind::NeedsAssessment,
        SubCaseKind::Investigation,
        SubCaseKind::Decision,
        SubCaseKind::Measure,
        SubCaseKind::Supervision,
        SubCaseKind::ChildConversation,
        SubCaseKind::SiblingInvestigation,
        SubCaseKind::Appeal,
        SubCaseKind::Transfer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubCaseKind::Clarification => "clarification",
            SubCaseKind::NeedsAssessment => "needs_assessment",
            SubCaseKind::Investigation => "investigation",
            SubCaseKind::Decision => "decision",
            SubCaseKind::Measure => "measure",
            SubCaseKind::Supervision => "supervision",
            SubCaseKind::ChildConversation => "child_conversation",
            SubCaseKind::SiblingInvestigation => "sibling_investigation",
            SubCaseKind::Appeal => "appeal",
            SubCaseKind::Transfer => "transfer",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| format!("Ukendt type af delsag «{code}»"))
    }

    pub fn label(self) -> &'static str {
        match self {
            SubCaseKind::Clarification => "Afklaring (underretning, henvendelse, ansøgning)",
            SubCaseKind::NeedsAssessment => "Afdækning",
            SubCaseKind::Investigation => "Børnefaglig undersøgelse",
            SubCaseKind::Decision => "Afgørelse",
            SubCaseKind::Measure => "Indsats og opfølgning",
            SubCaseKind::Supervision => "Tilsyn",
            SubCaseKind::ChildConversation => "Børnesamtale",
            SubCaseKind::SiblingInvestigation => "Søskendeundersøgelse",
            SubCaseKind::Appeal => "Klage og genvurdering",
            SubCaseKind::Transfer => "Sagsoverdragelse ved flytning",
        }
    }

    /// The ordered steps.
    pub fn steps(self) -> &'static [StepDef] {
        match self {
            SubCaseKind::Clarification => CLARIFICATION_STEPS,
            SubCaseKind::NeedsAssessment => NEEDS_ASSESSMENT_STEPS,
            SubCaseKind::Investigation => INVESTIGATION_STEPS,
            SubCaseKind::Decision => DECISION_STEPS,
            SubCaseKind::Measure => MEASURE_STEPS,
            SubCaseKind::Supervision => SUPERVISION_STEPS,
            SubCaseKind::ChildConversation => CHILD_CONVERSATION_STEPS,
            SubCaseKind::SiblingInvestigation => SIBLING_INVESTIGATION_STEPS,
            SubCaseKind::Appeal => APPEAL_STEPS,
            SubCaseKind::Transfer => TRANSFER_STEPS,
        }
    }

    /// The step with this code, also one a sub-case opened before may still hold.
    pub fn step(self, code: &str) -> Option<&'static StepDef> {
        self.steps().iter().find(|s| s.code == code).or_else(|| {
            RETIRED_STEPS
                .iter()
                .find(|(kind, s)| *kind == self && s.code == code)
                .map(|(_, s)| s)
        })
    }

    /// The steps a new sub-case gets in its situation: an underretning gets the 24-hour
    /// assessment, one from a professional also the receipt, one about abuse the conversation
    /// with the child; an ansøgning the decision within the municipality's deadline.
    pub fn steps_for(self, context: StepContext) -> impl Iterator<Item = &'static StepDef> {
        self.steps().iter().filter(move |s| match s.applies {
            Applies::Always => true,
            Applies::ProfessionalNotifier => context.professional_notifier,
            Applies::AbuseConcern => context.abuse,
            Applies::Underretning => context.underretning,
            Applies::Ansoegning => context.ansoegning,
            Applies::RunningMeasures => context.running_measures,
            Applies::FeedbackDue => context.feedback_due,
        })
    }
}

const CLARIFICATION_STEPS: &[StepDef] = &[
    StepDef {
        applies: Applies::Underretning,
        ..step(
            "vurdering_24t",
            "Vurdering inden 24 timer: er barnet i fare, og er der behov for akut indsats?",
            true,
            "Barnets lov § 136",
            Some(RuleId::Assessment24Hours),
        )
    },
    StepDef {
        applies: Applies::ProfessionalNotifier,
        ..step(
            "kvittering",
            "Kvittering til underretteren",
            true,
            "Barnets lov § 138",
            Some(RuleId::Receipt),
        )
    },
    StepDef {
        applies: Applies::RunningMeasures,
        ..step(
            SECOND_REVIEW_STEP,
            "Genvurdering med mindst én person, der ikke tidligere har været involveret i sagen",
            true,
            "Barnets lov § 137",
            Some(RuleId::SecondReview),
        )
    },
    StepDef {
        applies: Applies::AbuseConcern,
        ..step(
            "samtale_overgreb",
            "Samtale med barnet – om nødvendigt uden forældrenes samtykke (kan kun undlades med en begrundelse, stk. 4)",
            true,
            "Barnets lov § 137, stk. 3-4",
            Some(RuleId::AbuseConversation),
        )
    },
    step(
        "screening",
        "Screening: kræver det ingen yderligere afdækning, en afdækning (§ 19) eller en børnefaglig undersøgelse (§§ 20-22)?",
        true,
        "Barnets lov § 18, stk. 1",
        None,
    ),
    StepDef {
        applies: Applies::Ansoegning,
        ..step(
            "afgoerelse_ansoegning",
            "Afgørelse om ansøgningen inden kommunens sagsbehandlingsfrist",
            true,
            "Retssikkerhedslovens § 3, stk. 2",
            Some(RuleId::ApplicationDeadline),
        )
    },
    step(
        "konklusion",
        "Konklusion: afslut, eller åbn en afdækning eller en børnefaglig undersøgelse",
        true,
        "Barnets lov §§ 18-20",
        None,
    ),
];

/// The afdækning has no statutory deadline of its own; if it shows a need for a børnefaglig
/// undersøgelse, that one's four months count from when the municipality became aware of the
/// need (BL § 20, stk. 3), so the underretning's receipt, not the afdækning's end.
const NEEDS_ASSESSMENT_STEPS: &[StepDef] = &[
    step(
        "afdaekning",
        "Afdækning af de forhold af betydning for barnets støttebehov, som screeningen pegede på",
        true,
        "Barnets lov § 18, stk. 1, nr. 2, og § 19",
        None,
    ),
    step(
        "konklusion",
        "Konklusion: ingen yderligere støtte, en forebyggende indsats (§ 30) eller en børnefaglig undersøgelse (§ 20)",
        true,
        "Barnets lov §§ 19, 20 og 30",
        None,
    ),
];

/// Steps Værn no longer gives a new sub-case but that sub-cases opened before still hold, so
/// they keep their label: the afdækning was an optional step of the Afklaring before it became
/// its own kind.
const RETIRED_STEPS: &[(SubCaseKind, StepDef)] = &[(
    SubCaseKind::Clarification,
    step(
        "afdaekning",
        "Afdækning af barnets behov (nu en selvstændig delsag «Afdækning»)",
        false,
        "Barnets lov § 19",
        None,
    ),
)];

/// The step a person new to the case completes (BL § 137).
pub const SECOND_REVIEW_STEP: &str = "genvurdering_ny_person";
/// The step that tells a professional notifier what came of the underretning.
pub const FEEDBACK_STEP: &str = "tilbagemelding";

const FEEDBACK_LABEL: &str =
    "Tilbagemelding til underretteren: er der iværksat en undersøgelse eller indsats?";

const INVESTIGATION_STEPS: &[StepDef] = &[
    step(
        "boernesamtale",
        "Samtale med barnet",
        true,
        "Barnets lov § 5",
        None,
    ),
    step(
        "undersoegelse",
        "Undersøgelse af barnets forhold (ICS)",
        true,
        "Barnets lov § 20",
        None,
    ),
    step(
        "konklusion",
        "Konklusion med stillingtagen til §§ 32, 46 eller 47",
        true,
        "Barnets lov § 22, stk. 6",
        Some(RuleId::Investigation),
    ),
    // Opening the investigation is the later decision the notifier is to hear about.
    StepDef {
        applies: Applies::FeedbackDue,
        ..step(
            FEEDBACK_STEP,
            FEEDBACK_LABEL,
            true,
            "Barnets lov § 138, stk. 2",
            Some(RuleId::NotifierFeedback),
        )
    },
];

const DECISION_STEPS: &[StepDef] = &[
    step(
        "partshoering",
        "Partshøring (eller noteret undtagelse)",
        true,
        "Forvaltningslovens § 19",
        None,
    ),
    step(
        "boernesamtale",
        "Samtale med barnet om afgørelsen (eller noteret begrundelse for at undlade den)",
        true,
        "Barnets lov § 5, stk. 3-4",
        None,
    ),
    step(
        "afgoerelse",
        "Afgørelse med begrundelse og klagevejledning",
        true,
        "Forvaltningslovens §§ 22-25",
        None,
    ),
    step(
        "meddelelse",
        "Afgørelsen meddelt parten",
        true,
        "Retssikkerhedslovens § 67",
        None,
    ),
    // Told once the decision on a measure is made; no deadline before it is.
    StepDef {
        applies: Applies::FeedbackDue,
        ..step(
            FEEDBACK_STEP,
            FEEDBACK_LABEL,
            true,
            "Barnets lov § 138, stk. 2",
            None,
        )
    },
];

const MEASURE_STEPS: &[StepDef] = &[
    step("plan", "Barnets plan", false, "Barnets lov § 91", None),
    step(
        "foerste_opfoelgning",
        "Første opfølgning",
        true,
        "Barnets lov § 95, stk. 2",
        None,
    ),
];

const SUPERVISION_STEPS: &[StepDef] = &[step(
    "tilsynsbesoeg",
    "Tilsynsbesøg med samtale med barnet",
    true,
    "Barnets lov § 156, stk. 5",
    Some(RuleId::Supervision),
)];

const CHILD_CONVERSATION_STEPS: &[StepDef] = &[step(
    "samtale",
    "Samtale med barnet",
    true,
    "Barnets lov § 5",
    None,
)];

const SIBLING_INVESTIGATION_STEPS: &[StepDef] = &[step(
    "undersoegelse",
    "Børnefaglig undersøgelse af søskendes forhold (eller noteret begrundelse for, at den åbenlyst ikke er nødvendig)",
    true,
    "Barnets lov § 21, stk. 2-3",
    Some(RuleId::SiblingInvestigation),
)];

const APPEAL_STEPS: &[StepDef] = &[
    step(
        "genvurdering",
        "Genvurdering af afgørelsen",
        true,
        "Retssikkerhedslovens § 66",
        Some(RuleId::Reconsideration),
    ),
    step(
        "videresendelse",
        "Videresendelse til Ankestyrelsen, hvis afgørelsen fastholdes",
        false,
        "Retssikkerhedslovens § 66",
        None,
    ),
];

const TRANSFER_STEPS: &[StepDef] = &[step(
    "overdragelse",
    "Overdragelse af sagen til den nye kommune",
    true,
    "Barnets lov § 132",
    Some(RuleId::Transfer),
)];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{Trigger, rule};

    #[test]
    fn every_step_rule_exists_and_codes_are_unique_per_kind() {
        for kind in SubCaseKind::ALL {
            let mut codes: Vec<_> = kind.steps().iter().map(|s| s.code).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), kind.steps().len(), "{kind:?}");
            for s in kind.steps() {
                if let Some(id) = s.rule {
                    assert_eq!(
                        rule(id).starts,
                        Trigger::StepOpened,
                        "{kind:?}/{}: {id}",
                        s.code
                    );
                }
            }
            assert_eq!(SubCaseKind::parse(kind.code()), Ok(kind));
        }
    }

    /// Tidl. SEL § 155 b stk. 1 / BL § 138: only professionals get a receipt.
    #[test]
    fn only_an_underretning_from_a_professional_gets_the_receipt_step() {
        let codes = |professional| {
            SubCaseKind::Clarification
                .steps_for(StepContext {
                    underretning: true,
                    professional_notifier: professional,
                    ..Default::default()
                })
                .map(|s| s.code)
                .collect::<Vec<_>>()
        };
        assert!(codes(true).contains(&"kvittering"));
        assert!(!codes(false).contains(&"kvittering"));
        assert_eq!(
            codes(false)[0],
            "vurdering_24t",
            "the 24-hour assessment comes first (BL § 136)"
        );
    }

    /// BL § 137 stk. 3: an underretning about abuse requires a conversation with the child.
    #[test]
    fn an_underretning_about_abuse_requires_the_conversation_with_the_child() {
        let with = SubCaseKind::Clarification
            .steps_for(StepContext {
                underretning: true,
                abuse: true,
                ..Default::default()
            })
            .find(|s| s.code == "samtale_overgreb");
        assert!(with.is_some_and(|s| s.required));
        assert!(
            SubCaseKind::Clarification
                .steps_for(StepContext {
                    underretning: true,
                    professional_notifier: true,
                    ..Default::default()
                })
                .all(|s| s.code != "samtale_overgreb")
        );
    }
}
