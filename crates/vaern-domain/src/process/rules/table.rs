//! The rule table: every statutory deadline of DOMAIN.md §3 and the duties found since, each with
//! what starts it and its source. Rules removed because nothing in Værn can start them yet:
//! `formandsafgoerelse.7dage` (BL § 143: Værn records no chair's provisional decision yet),
//! `dst.indberetning_4u` (no report to Danmarks Statistik yet), `aktindsigt.7hd` and
//! `gdpr.indsigt_1md` (no request for access yet): each returns with the feature that starts it,
//! so that no deadline is listed that nothing ever starts.

use super::{
    Authority::{self, *},
    DeadlineRule, DecisionKind, Offset,
    Offset::*,
    Requirement::{self, *},
    RuleId::{self, *},
    Scope::*,
    Trigger::{self, *},
    WhenDue::{self, *},
};
use crate::law::Section;

/// Placements (BL §§ 46-47).
pub const PLACEMENTS: &[Section] = &[Section(46), Section(47)];
/// The running measures that make an underretning need a re-assessment with a person new to the
/// case (BL § 137, stk. 1): støttende indsatser (§ 32), placements (§§ 46-47) and § 67.
pub const SECOND_REVIEW_SECTIONS: &[Section] =
    &[Section(32), Section(46), Section(47), Section(67)];
/// The measures BL § 95, stk. 1 tells the municipality to follow up: §§ 32, 46, 47, 114-116 and
/// 120 (and forbedringsforløb under lov om bekæmpelse af ungdomskriminalitet, not in Værn).
pub const FOLLOWED_UP: &[Section] = &[
    Section(32),
    Section(46),
    Section(47),
    Section(114),
    Section(115),
    Section(116),
    Section(120),
];

const fn row(
    id: RuleId,
    starts: Trigger,
    trigger: &'static str,
    description: &'static str,
    offset: Offset,
    legal_reference: &'static str,
    when_due: WhenDue,
) -> DeadlineRule {
    DeadlineRule {
        id,
        starts,
        trigger,
        description,
        offset,
        extends_to_working_day: false,
        legal_reference,
        when_due,
        requires: None,
        scope: SubCase,
        authority: Statute,
        verified: true,
    }
}

const fn requiring(requirement: Requirement, rule: DeadlineRule) -> DeadlineRule {
    DeadlineRule {
        requires: Some(requirement),
        ..rule
    }
}

const fn case_wide(rule: DeadlineRule) -> DeadlineRule {
    DeadlineRule {
        scope: Case,
        ..rule
    }
}

const fn unverified(rule: DeadlineRule) -> DeadlineRule {
    DeadlineRule {
        verified: false,
        ..rule
    }
}

const fn policy(rule: DeadlineRule) -> DeadlineRule {
    DeadlineRule {
        authority: Authority::Policy,
        ..rule
    }
}

const fn decision(sections: &'static [Section], kind: DecisionKind) -> Trigger {
    Trigger::Decision { sections, kind }
}

/// Every rule, in the order of DOMAIN.md §3.
pub const RULES: &[DeadlineRule] = &[
    unverified(row(
        Assessment24Hours,
        StepOpened,
        "Underretning modtaget",
        "Vurdér inden 24 timer, om barnets sundhed eller udvikling er i fare, og om der er behov for akut indsats",
        Hours(24),
        "Barnets lov § 136, stk. 2",
        Escalation,
    )),
    unverified(row(
        Receipt,
        StepOpened,
        "Underretning modtaget fra en fagperson",
        "Send kvittering for modtagelsen til underretteren",
        WorkingDays(6),
        "Barnets lov § 138, stk. 1",
        Reminder,
    )),
    unverified(row(
        NotifierFeedback,
        StepOpened,
        "Beslutning om undersøgelse eller indsats efter en fagpersons underretning",
        "Giv underretteren besked om, hvorvidt der er iværksat en undersøgelse eller indsats",
        AtEvent,
        "Barnets lov § 138, stk. 2",
        Reminder,
    )),
    row(
        SecondReview,
        StepOpened,
        "Underretning om et barn, der modtager en indsats efter §§ 32, 46, 47 eller 67",
        "Genvurdering med deltagelse af mindst én person, der ikke tidligere har været involveret i sagen",
        AtEvent,
        "Barnets lov § 137, stk. 1",
        Blocking,
    ),
    unverified(row(
        AbuseConversation,
        StepOpened,
        "Underretning om vold eller seksuelle overgreb mod barnet",
        "Samtale med barnet, om nødvendigt uden forældrenes samtykke – eller en noteret begrundelse for, at samtalen undlades (stk. 4)",
        AtEvent,
        "Barnets lov § 137, stk. 3-4",
        Blocking,
    )),
    row(
        Investigation,
        StepOpened,
        "Kommunen bliver opmærksom på, at barnet kan have behov for støtte (normalt underretningens eller henvendelsens modtagelse)",
        "Den børnefaglige undersøgelse skal være afsluttet; ellers en foreløbig vurdering og afslutning hurtigst muligt",
        Months(4),
        "Barnets lov § 20, stk. 3",
        Escalation,
    ),
    unverified(row(
        SiblingInvestigation,
        StepOpened,
        "Et barn anbringes på grund af omsorgssvigt eller overgreb",
        "Undersøg forholdene for hver søskende under 15 år i egen børnefaglig undersøgelse – eller notér, hvorfor det åbenlyst ikke er nødvendigt",
        Months(4),
        "Barnets lov § 21, stk. 2-3; § 20, stk. 3",
        Escalation,
    )),
    case_wide(requiring(
        PlanApproved,
        row(
            Plan32,
            decision(&[Section(32)], DecisionKind::GrantedWithPlan),
            "Afgørelse om støttende indsats efter § 32, hvor det besluttes at udarbejde en plan",
            "Barnets plan skal foreligge",
            Months(3),
            "Barnets lov § 91, stk. 1",
            Reminder,
        ),
    )),
    case_wide(requiring(
        PlanApproved,
        row(
            Plan46,
            decision(&[Section(46)], DecisionKind::Granted),
            "Afgørelse om anbringelse med samtykke efter § 46",
            "Barnets plan skal foreligge",
            Months(3),
            "Barnets lov § 91, stk. 2",
            Reminder,
        ),
    )),
    requiring(
        PlanApproved,
        row(
            PlanBefore47,
            decision(&[Section(47)], DecisionKind::Granted),
            "Indstilling om anbringelse uden samtykke efter § 47",
            "Barnets plan (for en ung på 16 år eller derover ungeplanen) skal foreligge, før der træffes afgørelse",
            AtEvent,
            "Barnets lov § 91, stk. 2; § 108",
            Blocking,
        ),
    ),
    requiring(
        PlanApproved,
        row(
            YouthPlanAt16,
            Birthday { age: 16 },
            "Et anbragt barn fylder 16 år",
            "Ungeplanen skal foreligge",
            Months(3),
            "Barnets lov § 108",
            Reminder,
        ),
    ),
    case_wide(requiring(
        PlanApproved,
        row(
            YouthPlanOnPlacement,
            decision(PLACEMENTS, DecisionKind::GrantedAged16Or17),
            "Afgørelse om anbringelse af en ung på 16 eller 17 år",
            "Ungeplanen skal foreligge",
            Months(3),
            "Barnets lov § 108",
            Reminder,
        ),
    )),
    requiring(
        DecisionOn(&[Section(114)]),
        row(
            YouthSupportDecision,
            Birthday { age: 18 },
            "Den anbragte unge fylder 18 år",
            "Revidér ungeplanen, og træf afgørelse om ungestøtte efter det fyldte 18. år",
            MonthsBefore(6),
            "Barnets lov § 111",
            Escalation,
        ),
    ),
    requiring(
        Step("foerste_opfoelgning"),
        row(
            FirstFollowUp,
            MeasureStarted {
                sections: FOLLOWED_UP,
            },
            "Indsatsen er iværksat (dens første dag)",
            "Første opfølgning (senest når en igangværende undersøgelse slutter eller efter 3 måneder); derefter en begrundet kadence",
            Months(3),
            "Barnets lov § 95, stk. 1-2",
            Reminder,
        ),
    ),
    unverified(row(
        Supervision,
        StepOpened,
        "Barnet er anbragt (og siden hvert tilsynsbesøg)",
        "Tilsynsbesøg med samtale med barnet – mindst 2 om året",
        Months(6),
        "Barnets lov § 156, stk. 5",
        Reminder,
    )),
    case_wide(requiring(
        DecisionOn(&[Section(47)]),
        unverified(row(
            FirstRenewal47,
            decision(&[Section(47)], DecisionKind::GrantedFirst),
            "Første afgørelse om anbringelse uden samtykke",
            "Børne- og ungeudvalget skal træffe ny afgørelse, inden 1 år er gået",
            Months(12),
            "Barnets lov § 50, stk. 1",
            Escalation,
        )),
    )),
    case_wide(requiring(
        DecisionOn(&[Section(47)]),
        unverified(row(
            LaterRenewal47,
            decision(&[Section(47)], DecisionKind::GrantedAgain),
            "Ny afgørelse om opretholdelse af anbringelse uden samtykke",
            "Børne- og ungeudvalget skal træffe ny afgørelse, inden 2 år er gået",
            Months(24),
            "Barnets lov § 50, stk. 1",
            Escalation,
        )),
    )),
    DeadlineRule {
        extends_to_working_day: true,
        ..unverified(row(
            AppealDeadline,
            DecisionReceived,
            "Parten har modtaget afgørelsen (Digital Post: når den er tilgængelig; brev: når det kan forventes omdelt)",
            "Klagefristen udløber",
            Weeks(4),
            "Retssikkerhedslovens § 67, stk. 1; fristen forlænges til næste hverdag efter almindelige forvaltningsretlige regler",
            Reminder,
        ))
    },
    unverified(row(
        Reconsideration,
        StepOpened,
        "Klage modtaget over en afgørelse truffet af forvaltningen",
        "Kommunen genvurderer afgørelsen og sender klagen videre til Ankestyrelsen, hvis den fastholdes",
        Weeks(4),
        "Retssikkerhedslovens § 66, stk. 1",
        Reminder,
    )),
    requiring(
        Step("partshoering"),
        row(
            PartyHearing,
            decision(&[], DecisionKind::Any),
            "Før en afgørelse træffes",
            "Partshøring over sagens faktiske oplysninger, medmindre en undtagelse er noteret",
            AtEvent,
            "Forvaltningslovens § 19",
            Blocking,
        ),
    ),
    requiring(
        Step("boernesamtale"),
        unverified(row(
            ChildConversation,
            decision(&[], DecisionKind::Any),
            "Før en afgørelse træffes",
            "Samtale med barnet om afgørelsen – eller en noteret begrundelse for, at den undlades (stk. 4)",
            AtEvent,
            "Barnets lov § 5, stk. 3-4",
            Blocking,
        )),
    ),
    requiring(
        DecisionText,
        row(
            ReasonsAndGuidance,
            decision(&[], DecisionKind::Any),
            "Skriftlig afgørelse",
            "Begrundelse og – medmindre parten får fuldt medhold – klagevejledning",
            AtEvent,
            "Forvaltningslovens §§ 22-25",
            Blocking,
        ),
    ),
    row(
        ApplicationDeadline,
        StepOpened,
        "Ansøgning modtaget",
        "Kommunens offentliggjorte sagsbehandlingsfrist; borgeren skal have besked, hvis den overskrides",
        SetLocally,
        "Retssikkerhedslovens § 3, stk. 2",
        Reminder,
    ),
    policy(unverified(row(
        Transfer,
        StepOpened,
        "Barnet er flyttet til en anden kommune (meddelt af CPR)",
        "Underret den nye opholdskommune og send sagens akter. Loven sætter ingen frist; de 5 arbejdsdage er Værns påmindelse",
        WorkingDays(5),
        "Barnets lov § 132 (Værns egen påmindelse: loven fastsætter ingen frist)",
        Escalation,
    ))),
];

#[cfg(test)]
mod tests;
