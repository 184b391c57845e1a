//! A decision (afgørelse): who decided, legal basis, outcome, content, begrundelse and
//! klagevejledning (forvaltningslovens §§ 22-25). The checks before it (partshøring, the child's
//! view, a plan) are rules of the rule table; its receipt starts the appeal deadline
//! (retssikkerhedslovens § 67).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{
    FieldErrors,
    law::{Section, paragraph},
    process::party::child_is_party,
    text::required_text,
};

/// Whether the party gets what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Bevilling: fully granted.
    Grant,
    /// Delvis bevilling.
    Partial,
    /// Afslag.
    Refusal,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Grant, Outcome::Partial, Outcome::Refusal];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Grant => "grant",
            Outcome::Partial => "partial",
            Outcome::Refusal => "refusal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Grant => "Bevilling (fuldt medhold)",
            Outcome::Partial => "Delvis bevilling",
            Outcome::Refusal => "Afslag",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.code() == code.trim())
            .ok_or_else(|| "Vælg bevilling, delvis bevilling eller afslag".into())
    }
}

/// Who made the decision: the administration (forvaltningen), or børne- og ungeudvalget, whose
/// decisions are appealed to Ankestyrelsen without the municipality's genvurdering
/// (retssikkerhedslovens § 66 applies to the administration's decisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    Administration,
    Committee,
}

impl DecidedBy {
    pub const ALL: [DecidedBy; 2] = [DecidedBy::Administration, DecidedBy::Committee];

    pub fn code(self) -> &'static str {
        match self {
            DecidedBy::Administration => "administration",
            DecidedBy::Committee => "committee",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DecidedBy::Administration => "Forvaltningen",
            DecidedBy::Committee => "Børne- og ungeudvalget",
        }
    }

    /// Parses a code; an empty one is the administration (most decisions).
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "" => Ok(DecidedBy::Administration),
            code => Self::ALL
                .into_iter()
                .find(|d| d.code() == code)
                .ok_or_else(|| {
                    "Vælg, om forvaltningen eller børne- og ungeudvalget traf afgørelsen".into()
                }),
        }
    }

    /// The standard klagevejledning offered in the form (the caseworker may adapt it), with the
    /// paragraph for a child who is a party (barnets lov § 3) when the child is one.
    pub fn standard_guidance(self, child_party: bool) -> String {
        let guidance = match self {
            DecidedBy::Administration => STANDARD_APPEAL_GUIDANCE,
            DecidedBy::Committee => COMMITTEE_APPEAL_GUIDANCE,
        };
        if child_party {
            format!("{guidance}\n\n{CHILD_PARTY_APPEAL_GUIDANCE}")
        } else {
            guidance.to_owned()
        }
    }
}

/// The klagevejledning for a decision of the administration.
pub const STANDARD_APPEAL_GUIDANCE: &str = "Du kan klage over afgørelsen til Ankestyrelsen. Klagen skal \
sendes til kommunen inden 4 uger fra den dag, du modtog afgørelsen. Slutter fristen på en lørdag, \
søndag eller helligdag, kan du klage den følgende hverdag. Kommunen genvurderer afgørelsen, og \
fastholder vi den, sender vi klagen videre til Ankestyrelsen (retssikkerhedslovens §§ 66-67).";

/// The klagevejledning for a decision of børne- og ungeudvalget: no genvurdering by the
/// municipality; the appeal goes on to Ankestyrelsen.
pub const COMMITTEE_APPEAL_GUIDANCE: &str = "Du kan klage over børne- og ungeudvalgets afgørelse til \
Ankestyrelsen. Klagen skal sendes til kommunen inden 4 uger fra den dag, du modtog afgørelsen. \
Slutter fristen på en lørdag, søndag eller helligdag, kan du klage den følgende hverdag. Udvalgets \
afgørelse genvurderes ikke af kommunen: klagen sendes straks videre til Ankestyrelsen \
(retssikkerhedslovens § 67; barnets lov §§ 142 og 144-150).";

/// The catalogue's sections børne- og ungeudvalget decides in a meeting (barnets lov § 142,
/// stk. 1: among others anbringelse uden samtykke efter § 47).
pub const COMMITTEE_SECTIONS: [Section; 1] = [Section(47)];

/// What the klagevejledning adds when the child is a party (barnets lov § 3): the child may
/// appeal in their own name.
pub const CHILD_PARTY_APPEAL_GUIDANCE: &str = "Barnet eller den unge er fyldt 10 år og er selv \
part i sagen (barnets lov § 3). Barnet eller den unge kan derfor selv klage over afgørelsen på \
samme måde og inden for samme frist og har ret til at have en bisidder med (barnets lov § 6).";

/// The raw form or JSON body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    /// `administration` (default) or `committee` (børne- og ungeudvalget).
    pub decided_by: String,
    pub legal_basis: String,
    pub outcome: String,
    pub content: String,
    pub reasoning: String,
    pub appeal_guidance: String,
    /// For a placement (§§ 46-47) granted: `neglect_or_abuse` or `other` — whether the placement
    /// is due to neglect or abuse, which starts the siblings' investigation (BL § 21, stk. 2-3).
    pub placement_reason: String,
    /// For support under § 32 granted: `yes` or `no` — whether a barnets plan is to be made
    /// (BL § 91, stk. 1), which starts its 3-month deadline.
    pub plan: String,
}

/// Whether the legal basis is a placement (BL §§ 46-47).
pub fn is_placement(legal_basis: &str) -> bool {
    matches!(legal_basis, "bl46" | "bl47")
}

/// A validated decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub decided_by: DecidedBy,
    /// The child is a party to it (barnets lov § 3).
    pub child_party: bool,
    pub legal_basis: &'static str,
    pub outcome: Outcome,
    pub content: String,
    pub reasoning: String,
    /// None only for a full grant.
    pub appeal_guidance: Option<String>,
    /// A granted placement due to neglect or abuse (BL § 21, stk. 2-3).
    pub neglect_or_abuse: bool,
    /// Granted support under § 32 for which a barnets plan is to be made (BL § 91, stk. 1).
    pub plan_chosen: bool,
}

impl Decision {
    /// Validates the decision's own text (forvaltningslovens §§ 22-25) for a child born on
    /// `birth`, decided on `on`: a child of 10 or more is a party to it (barnets lov § 3).
    pub fn parse(input: &DecisionInput, birth: Date, on: Date) -> Result<Decision, FieldErrors> {
        let mut errors = FieldErrors::new();
        let decided_by = errors.take("decided_by", DecidedBy::parse(&input.decided_by));
        let legal_basis = match paragraph(input.legal_basis.trim()) {
            Some(p) if !p.by_decision => {
                errors.add(
                    "legal_basis",
                    format!(
                        "{} gives uden afgørelse: opret indsatsen under Økonomi i stedet",
                        p.citation
                    ),
                );
                None
            }
            Some(p)
                if COMMITTEE_SECTIONS.contains(&p.section)
                    && decided_by == Some(DecidedBy::Administration) =>
            {
                errors.add(
                    "decided_by",
                    format!(
                        "Afgørelse efter {} træffes af børne- og ungeudvalget i et møde \
                         (barnets lov § 142, stk. 1)",
                        p.citation
                    ),
                );
                Some(p)
            }
            Some(p) => Some(p),
            None => {
                errors.add("legal_basis", "Vælg afgørelsens hjemmel");
                None
            }
        };
        let outcome = errors.take("outcome", Outcome::parse(&input.outcome));
        let content = errors.take(
            "content",
            required_text(&input.content, "afgørelsens indhold", 20_000),
        );
        let reasoning = errors.take(
            "reasoning",
            required_text(
                &input.reasoning,
                "begrundelsen (forvaltningslovens § 22)",
                20_000,
            ),
        );
        let child_party = legal_basis.is_some_and(|p| child_is_party(p, birth, on));
        let legal_basis = legal_basis.map(|p| p.id);
        let guidance = input.appeal_guidance.trim().replace("\r\n", "\n");
        // A prefilled standard text is replaced by the one that fits: a decision of børne- og
        // ungeudvalget is not reconsidered by the municipality, and a child who is a party is
        // told it may appeal itself.
        let standard = DecidedBy::ALL.iter().any(|d| {
            [false, true]
                .iter()
                .any(|&p| d.standard_guidance(p) == guidance)
        });
        let guidance = match decided_by {
            Some(by) if standard => by.standard_guidance(child_party),
            _ => guidance,
        };
        let appeal_guidance = match outcome {
            Some(Outcome::Grant) if guidance.is_empty() => None,
            _ if guidance.is_empty() => {
                errors.add("appeal_guidance", "Skriv klagevejledning – den skal med, når parten ikke får fuldt medhold (forvaltningslovens § 25)");
                None
            }
            _ => Some(guidance),
        };
        let granted_placement =
            legal_basis.is_some_and(is_placement) && outcome.is_some_and(|o| o != Outcome::Refusal);
        let neglect_or_abuse = match input.placement_reason.trim() {
            "neglect_or_abuse" => granted_placement,
            "other" => false,
            _ if granted_placement => {
                errors.add(
                    "placement_reason",
                    "Angiv, om anbringelsen skyldes omsorgssvigt eller overgreb \
                     (barnets lov § 21, stk. 2-3: så skal søskendes forhold undersøges)",
                );
                false
            }
            _ => false,
        };
        let granted_support = legal_basis.is_some_and(|b| b.starts_with("bl32"))
            && outcome.is_some_and(|o| o != Outcome::Refusal);
        let plan_chosen = match input.plan.trim() {
            "yes" => granted_support,
            "no" => false,
            _ if granted_support => {
                errors.add(
                    "plan",
                    "Tag stilling til, om der skal udarbejdes en barnets plan (barnets lov § 91, \
                     stk. 1)",
                );
                false
            }
            _ => false,
        };
        errors.into_result(|| Decision {
            decided_by: decided_by.expect("checked"),
            child_party,
            legal_basis: legal_basis.expect("checked"),
            outcome: outcome.expect("checked"),
            content: content.expect("checked"),
            reasoning: reasoning.expect("checked"),
            appeal_guidance,
            neglect_or_abuse,
            plan_chosen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A decision on a child of 6 (no party, barnets lov § 3).
    fn parse(input: &DecisionInput) -> Result<Decision, FieldErrors> {
        Decision::parse(input, date!(2020 - 06 - 01), date!(2026 - 12 - 03))
    }

    fn input(outcome: &str, guidance: &str) -> DecisionInput {
        DecisionInput {
            decided_by: String::new(),
            legal_basis: "bl32_1_3".into(),
            outcome: outcome.into(),
            content: "Der bevilges fast kontaktperson.".into(),
            reasoning: "Undersøgelsen viser behov for støtte.".into(),
            appeal_guidance: guidance.into(),
            placement_reason: String::new(),
            plan: "no".into(),
        }
    }

    /// BL § 91, stk. 1: granting support under § 32, the caseworker decides whether a plan is
    /// to be made.
    #[test]
    fn granted_support_says_whether_a_plan_is_to_be_made() {
        let support = |plan: &str| DecisionInput {
            plan: plan.into(),
            ..input("grant", "")
        };
        let errors = parse(&support("")).unwrap_err();
        assert!(errors.for_field("plan").unwrap().contains("§ 91, stk. 1"));
        assert!(parse(&support("yes")).unwrap().plan_chosen);
        assert!(!parse(&support("no")).unwrap().plan_chosen);
        let refusal = DecisionInput {
            plan: String::new(),
            ..input("refusal", STANDARD_APPEAL_GUIDANCE)
        };
        assert!(
            !parse(&refusal).unwrap().plan_chosen,
            "a refusal needs no plan"
        );
    }

    /// BL § 21, stk. 2-3: a granted placement says whether it is due to neglect or abuse.
    #[test]
    fn a_granted_placement_says_whether_it_is_due_to_neglect_or_abuse() {
        let placement = |outcome: &str, reason: &str| DecisionInput {
            legal_basis: "bl46".into(),
            placement_reason: reason.into(),
            ..input(outcome, STANDARD_APPEAL_GUIDANCE)
        };
        let errors = parse(&placement("grant", "")).unwrap_err();
        assert!(
            errors
                .for_field("placement_reason")
                .unwrap()
                .contains("§ 21")
        );
        assert!(
            parse(&placement("grant", "neglect_or_abuse"))
                .unwrap()
                .neglect_or_abuse
        );
        assert!(
            !parse(&placement("grant", "other"))
                .unwrap()
                .neglect_or_abuse
        );
        assert!(
            !parse(&placement("refusal", "")).unwrap().neglect_or_abuse,
            "a refusal places no one"
        );
        assert!(
            !parse(&input("grant", "")).unwrap().neglect_or_abuse,
            "support under § 32 is no placement"
        );
    }

    /// Forvaltningslovens § 25: klagevejledning unless the party gets full medhold.
    #[test]
    fn klagevejledning_is_required_unless_fully_granted() {
        assert_eq!(parse(&input("grant", "")).unwrap().appeal_guidance, None);
        for outcome in ["partial", "refusal"] {
            let errors = parse(&input(outcome, "")).unwrap_err();
            assert!(
                errors
                    .for_field("appeal_guidance")
                    .unwrap()
                    .contains("§ 25"),
                "{outcome}"
            );
        }
        assert!(parse(&input("refusal", STANDARD_APPEAL_GUIDANCE)).is_ok());
    }

    /// Forvaltningslovens § 22: a written decision carries its begrundelse.
    #[test]
    fn a_decision_without_begrundelse_is_refused() {
        let raw = DecisionInput {
            reasoning: " ".into(),
            ..input("grant", "")
        };
        assert!(
            parse(&raw)
                .unwrap_err()
                .for_field("reasoning")
                .unwrap()
                .contains("§ 22")
        );
    }

    /// Retssikkerhedslovens § 66 and barnets lov § 142 (Ankestyrelsen): the prefilled
    /// klagevejledning follows who decided — the committee's decision is not reconsidered by the
    /// municipality — and, barnets lov § 3, tells a child of 10 or more that it may appeal itself.
    #[test]
    fn rsl_66_bl_3_bl_142_the_prefilled_klagevejledning_follows_the_decider_and_the_child_party() {
        let placed_at_twelve = |decided_by: &str, basis: &str| {
            Decision::parse(
                &DecisionInput {
                    decided_by: decided_by.into(),
                    legal_basis: basis.into(),
                    placement_reason: "other".into(),
                    ..input("refusal", STANDARD_APPEAL_GUIDANCE)
                },
                date!(2014 - 05 - 01),
                date!(2026 - 12 - 03),
            )
            .unwrap()
        };
        let table = [
            ("administration", "bl32_1_3", STANDARD_APPEAL_GUIDANCE, true),
            ("committee", "bl47", COMMITTEE_APPEAL_GUIDANCE, true),
            ("committee", "bl46", COMMITTEE_APPEAL_GUIDANCE, true),
        ];
        for (by, basis, expected, party) in table {
            let decision = placed_at_twelve(by, basis);
            let guidance = decision.appeal_guidance.unwrap();
            assert!(guidance.starts_with(expected), "{by} {basis}");
            assert_eq!(decision.child_party, party);
            assert_eq!(guidance.contains(CHILD_PARTY_APPEAL_GUIDANCE), party);
        }
        // Barnets lov § 142, stk. 1: a § 47 placement is the committee's decision.
        let by_administration = Decision::parse(
            &DecisionInput {
                decided_by: "administration".into(),
                legal_basis: "bl47".into(),
                placement_reason: "other".into(),
                ..input("refusal", STANDARD_APPEAL_GUIDANCE)
            },
            date!(2014 - 05 - 01),
            date!(2026 - 12 - 03),
        )
        .unwrap_err();
        assert!(
            by_administration
                .for_field("decided_by")
                .unwrap()
                .contains("§ 142")
        );
        // The committee's text prefilled for an administrative decision is swapped back.
        let swapped = parse(&DecisionInput {
            decided_by: "administration".into(),
            ..input("refusal", COMMITTEE_APPEAL_GUIDANCE)
        })
        .unwrap();
        assert_eq!(
            swapped.appeal_guidance.as_deref(),
            Some(STANDARD_APPEAL_GUIDANCE)
        );
        assert!(!COMMITTEE_APPEAL_GUIDANCE.contains("genvurderer afgørelsen"));
        // A guidance the caseworker wrote is kept as written.
        let own = parse(&input("refusal", "Egen klagevejledning.")).unwrap();
        assert_eq!(
            own.appeal_guidance.as_deref(),
            Some("Egen klagevejledning.")
        );
        // Under 10, no party paragraph.
        let young = parse(&input("refusal", STANDARD_APPEAL_GUIDANCE)).unwrap();
        assert!(!young.child_party);
        assert!(!young.appeal_guidance.unwrap().contains("§ 3"));
    }
}
