//! Table tests: one per rule or paragraph, named for it, each case a row of (trigger, expected).

use time::{OffsetDateTime, macros::datetime};

use crate::{
    calendar::{Calendar, ClosedDays},
    law::Section,
    process::{
        Event, RuleId, SubCaseKind, Trigger, WhenDue, blocking,
        rules::{Authority, DecisionFacts, Requirement, Scope, rule, rule_by_code, started_by},
    },
};

use super::RULES;

fn due(id: RuleId, trigger: OffsetDateTime) -> OffsetDateTime {
    rule(id).due_at(trigger, &Calendar::default()).unwrap()
}

fn facts(section: u16, granted: bool) -> DecisionFacts {
    DecisionFacts {
        section: Section(section),
        granted,
        plan_chosen: false,
        neglect_or_abuse: false,
        renewal: false,
        age: 10,
    }
}

fn decision(section: u16, granted: bool) -> Event {
    Event::Decision(facts(section, granted))
}

fn started(event: Event) -> Vec<RuleId> {
    started_by(&event).map(|r| r.id).collect()
}

#[test]
fn every_id_has_one_row_and_every_row_cites_its_source() {
    for id in RuleId::ALL {
        assert_eq!(RULES.iter().filter(|r| r.id == *id).count(), 1, "{id}");
        assert_eq!(rule_by_code(id.code()).map(|r| r.id), Some(*id));
    }
    assert_eq!(RULES.len(), RuleId::ALL.len());
    assert!(
        RULES
            .iter()
            .all(|r| !r.legal_reference.is_empty() && !r.description.is_empty())
    );
    for code in [
        "underretning.vurdering_24t",
        "underretning.kvittering_6hd",
        "undersoegelse.4mdr",
        "afgoerelse.klagefrist_4u",
    ] {
        assert!(
            rule_by_code(code).is_some(),
            "{code} is a stable id the API promises"
        );
    }
}

/// A rule started by a step is named by exactly one step (which meets it); a blocking rule
/// says what lets its action go ahead.
#[test]
fn step_rules_have_their_step_and_blocking_rules_their_requirement() {
    for r in RULES {
        let steps = SubCaseKind::ALL
            .iter()
            .flat_map(|k| k.steps())
            .filter(|s| s.rule == Some(r.id))
            .count();
        let expected = usize::from(r.starts == Trigger::StepOpened);
        assert_eq!(steps, expected, "{}: steps naming it", r.id);
        if r.starts == Trigger::StepOpened {
            assert_eq!(r.requires, None, "{}: its step meets it", r.id);
        } else if r.when_due == WhenDue::Blocking {
            assert!(
                r.requires.is_some(),
                "{}: what lets the action go ahead",
                r.id
            );
        }
    }
}

/// Rules removed because nothing starts them yet (issue 16, item 9) stay gone until their
/// feature lands: no listed deadline that nothing ever starts.
#[test]
fn rules_nothing_starts_are_not_in_the_table() {
    for code in [
        "formandsafgoerelse.7dage",
        "dst.indberetning_4u",
        "aktindsigt.7hd",
        "gdpr.indsigt_1md",
    ] {
        assert!(rule_by_code(code).is_none(), "{code}");
    }
}

/// Barnets lov § 136, stk. 2: 24 elapsed hours — across a weekend and the summer-time change of
/// 29.03.2026 (02:00 → 03:00), so 10:00 Saturday becomes 11:00 Sunday on the wall clock.
#[test]
fn bl_136_the_24_hour_assessment_counts_elapsed_hours() {
    let table = [
        (
            datetime!(2026 - 03 - 28 10:00 +01:00),
            datetime!(2026 - 03 - 29 11:00 +02:00),
        ),
        (
            datetime!(2026 - 11 - 20 23:30 +01:00),
            datetime!(2026 - 11 - 21 23:30 +01:00),
        ),
    ];
    for (received, expected) in table {
        assert_eq!(due(RuleId::Assessment24Hours, received), expected);
    }
}

/// Barnets lov § 138, stk. 1: the receipt within 6 working days, counted in the law's calendar
/// (weekends and public holidays), whatever the municipality keeps closed.
#[test]
fn bl_138_the_receipt_is_due_after_six_statutory_working_days() {
    let table = [
        // Mon 23.11.2026 → Tue 1.12.2026.
        (
            datetime!(2026 - 11 - 23 09:00 +01:00),
            datetime!(2026 - 12 - 01 23:59:59 +01:00),
        ),
        // Thu 17.12.2026 → 18, 21, 22, 23, 24 (juleaftensdag counts), 28.12.
        (
            datetime!(2026 - 12 - 17 15:00 +01:00),
            datetime!(2026 - 12 - 28 23:59:59 +01:00),
        ),
        // Wed 1.4.2026: 2.4-6.4 closed (skærtorsdag to 2. påskedag) → 7, 8, 9, 10, 13, 14.4.
        (
            datetime!(2026 - 04 - 01 12:00 +02:00),
            datetime!(2026 - 04 - 14 23:59:59 +02:00),
        ),
        // 2023: store bededag Fri 5.5.2023 still a holiday. Mon 1.5 → 2, 3, 4, 8, 9, 10.5.2023.
        (
            datetime!(2023 - 05 - 01 10:00 +02:00),
            datetime!(2023 - 05 - 10 23:59:59 +02:00),
        ),
        // 2024: no store bededag. Mon 22.4 → 23, 24, 25, 26, 29, 30.4.
        (
            datetime!(2024 - 04 - 22 10:00 +02:00),
            datetime!(2024 - 04 - 30 23:59:59 +02:00),
        ),
        // Fri 29.5.2026 → 1, 2, 3, 4, 5 (grundlovsdag counts), 8.6.
        (
            datetime!(2026 - 05 - 29 10:00 +02:00),
            datetime!(2026 - 06 - 08 23:59:59 +02:00),
        ),
    ];
    for (received, expected) in table {
        assert_eq!(due(RuleId::Receipt, received), expected, "{received}");
    }
}

/// Issue 16, item 8: a municipality's own closed days never make a statutory deadline later.
#[test]
fn closed_days_never_make_a_statutory_deadline_later() {
    let received = datetime!(2026 - 12 - 17 15:00 +01:00);
    let all_closed = Calendar::new(ClosedDays {
        extra: vec![
            time::macros::date!(2026 - 12 - 21),
            time::macros::date!(2026 - 12 - 22),
        ],
        ..ClosedDays::default()
    });
    let open = Calendar::new(ClosedDays {
        grundlovsdag: false,
        juleaftensdag: false,
        nytaarsaftensdag: false,
        extra: vec![],
    });
    for r in RULES.iter().filter(|r| r.authority == Authority::Statute) {
        assert_eq!(
            r.due_at(received, &all_closed),
            r.due_at(received, &open),
            "{}",
            r.id
        );
    }
    // Værn's own policy reminder (BL § 132 gives no number) counts the municipality's days.
    let transfer = rule(RuleId::Transfer);
    assert!(transfer.due_at(received, &all_closed) > transfer.due_at(received, &open));
}

/// Barnets lov § 20, stk. 3: 4 months from when the municipality became aware, same date,
/// clamped to month end.
#[test]
fn bl_20_3_the_investigation_is_due_four_months_after_awareness() {
    let table = [
        (
            datetime!(2026 - 10 - 31 14:00 +01:00),
            datetime!(2027 - 02 - 28 23:59:59 +01:00),
        ),
        (
            datetime!(2026 - 11 - 23 09:00 +01:00),
            datetime!(2027 - 03 - 23 23:59:59 +01:00),
        ),
        (
            datetime!(2027 - 10 - 31 09:00 +01:00),
            datetime!(2028 - 02 - 29 23:59:59 +01:00),
        ),
    ];
    for (aware, expected) in table {
        assert_eq!(due(RuleId::Investigation, aware), expected, "{aware}");
    }
}

/// Retssikkerhedslovens § 67, stk. 1: 4 weeks from the day received, to the same weekday; a
/// deadline ending on a Saturday, Sunday or public holiday runs to the next working day.
#[test]
fn rsl_67_the_appeal_deadline_runs_four_weeks_from_receipt_to_a_working_day() {
    let table = [
        // Wed 25.11.2026 → Wed 23.12.2026.
        (
            datetime!(2026 - 11 - 25 11:00 +01:00),
            datetime!(2026 - 12 - 23 23:59:59 +01:00),
        ),
        // Sat 28.11.2026 → Sat 26.12 (2. juledag, Saturday) → Mon 28.12.
        (
            datetime!(2026 - 11 - 28 10:00 +01:00),
            datetime!(2026 - 12 - 28 23:59:59 +01:00),
        ),
        // Fri 27.11.2026 → Fri 25.12 (juledag) → Mon 28.12.
        (
            datetime!(2026 - 11 - 27 10:00 +01:00),
            datetime!(2026 - 12 - 28 23:59:59 +01:00),
        ),
        // Thu 26.11.2026 → Thu 24.12: juleaftensdag is no public holiday, so the deadline stands.
        (
            datetime!(2026 - 11 - 26 10:00 +01:00),
            datetime!(2026 - 12 - 24 23:59:59 +01:00),
        ),
        // Thu 1.4.2027 → Thu 29.4.2027, an ordinary working day.
        (
            datetime!(2027 - 04 - 01 10:00 +02:00),
            datetime!(2027 - 04 - 29 23:59:59 +02:00),
        ),
        // Thu 8.4.2027 → Thu 6.5.2027 (Kristi himmelfartsdag) → Fri 7.5.2027.
        (
            datetime!(2027 - 04 - 08 10:00 +02:00),
            datetime!(2027 - 05 - 07 23:59:59 +02:00),
        ),
    ];
    for (received, expected) in table {
        assert_eq!(
            due(RuleId::AppealDeadline, received),
            expected,
            "{received}"
        );
    }
    assert_eq!(
        started(Event::DecisionReceived),
        vec![RuleId::AppealDeadline]
    );
}

/// Barnets lov § 91, stk. 1-2: a plan within 3 months after a § 32 decision where a plan is to
/// be made, or after a § 46 placement; before a § 47 decision (a blocking check).
#[test]
fn bl_91_the_plan_rules_follow_the_decision() {
    let with_plan = Event::Decision(DecisionFacts {
        plan_chosen: true,
        ..facts(32, true)
    });
    assert!(started(with_plan).contains(&RuleId::Plan32));
    assert!(!started(decision(32, true)).contains(&RuleId::Plan32));
    assert!(!started(decision(32, false)).contains(&RuleId::Plan32));
    assert!(started(decision(46, true)).contains(&RuleId::Plan46));
    let decided = datetime!(2026 - 11 - 30 10:00 +01:00);
    assert_eq!(
        due(RuleId::Plan46, decided),
        datetime!(2027 - 02 - 28 23:59:59 +01:00)
    );
    let checks: Vec<_> = blocking(&decision(47, true)).map(|r| r.id).collect();
    assert!(checks.contains(&RuleId::PlanBefore47));
    assert_eq!(
        rule(RuleId::PlanBefore47).requires,
        Some(Requirement::PlanApproved)
    );
    assert!(!blocking(&decision(47, false)).any(|r| r.id == RuleId::PlanBefore47));
    assert!(!blocking(&decision(46, true)).any(|r| r.id == RuleId::PlanBefore47));
    assert_eq!(rule(RuleId::Plan32).scope, Scope::Case);
}

/// Forvaltningslovens § 19 and Barnets lov § 5, stk. 3: every decision waits for partshøring
/// and the conversation with the child (or their recorded exceptions).
#[test]
fn fvl_19_and_bl_5_every_decision_is_checked_for_hearing_and_the_childs_view() {
    for event in [decision(32, true), decision(46, false), decision(47, true)] {
        let checks: Vec<_> = blocking(&event).map(|r| (r.id, r.requires)).collect();
        assert!(checks.contains(&(
            RuleId::PartyHearing,
            Some(Requirement::Step("partshoering"))
        )));
        assert!(checks.contains(&(
            RuleId::ChildConversation,
            Some(Requirement::Step("boernesamtale"))
        )));
    }
    let steps: Vec<_> = SubCaseKind::Decision
        .steps()
        .iter()
        .map(|s| s.code)
        .collect();
    assert!(steps.contains(&"partshoering") && steps.contains(&"boernesamtale"));
}

/// Barnets lov § 95, stk. 1-2 (LBK nr. 282 af 17/03/2025): the first follow-up within 3 months
/// of the measure's first day, only for the measures stk. 1 names (§§ 32, 46, 47, 114-116, 120)
/// — not a § 30 forebyggende tilbud.
#[test]
fn bl_95_the_first_follow_up_counts_from_the_measures_start_for_the_named_sections() {
    for (section, expected) in [
        (32, true),
        (46, true),
        (47, true),
        (114, true),
        (116, true),
        (120, true),
        (30, false),
        (67, false),
    ] {
        let event = Event::MeasureStarted {
            section: Section(section),
        };
        assert_eq!(
            started(event).contains(&RuleId::FirstFollowUp),
            expected,
            "§ {section}"
        );
    }
    let first_day = datetime!(2027 - 01 - 04 00:00 +01:00);
    assert_eq!(
        due(RuleId::FirstFollowUp, first_day),
        datetime!(2027 - 04 - 04 23:59:59 +02:00)
    );
}

/// Barnets lov § 108: the ungeplan for a placed young person of 16-17 within 3 months of the
/// placement decision, or of the 16th birthday for one already placed.
#[test]
fn bl_108_the_youth_plan_starts_at_16() {
    for (age, expected) in [(15, false), (16, true), (17, true), (18, false)] {
        let event = Event::Decision(DecisionFacts {
            age,
            ..facts(46, true)
        });
        assert_eq!(
            started(event).contains(&RuleId::YouthPlanOnPlacement),
            expected,
            "age {age}"
        );
    }
    assert_eq!(
        started(Event::Birthday { age: 16 }),
        vec![RuleId::YouthPlanAt16]
    );
    let birthday = datetime!(2027 - 05 - 31 00:00 +02:00);
    assert_eq!(
        due(RuleId::YouthPlanAt16, birthday),
        datetime!(2027 - 08 - 31 23:59:59 +02:00)
    );
}

/// Barnets lov § 111: the decision on ungestøtte at least 6 months before the placed young
/// person turns 18.
#[test]
fn bl_111_youth_support_is_decided_six_months_before_18() {
    assert_eq!(
        started(Event::Birthday { age: 18 }),
        vec![RuleId::YouthSupportDecision]
    );
    let table = [
        (
            datetime!(2028 - 08 - 31 00:00 +02:00),
            datetime!(2028 - 02 - 29 23:59:59 +01:00),
        ),
        (
            datetime!(2027 - 06 - 15 00:00 +02:00),
            datetime!(2026 - 12 - 15 23:59:59 +01:00),
        ),
    ];
    for (eighteenth, expected) in table {
        assert_eq!(due(RuleId::YouthSupportDecision, eighteenth), expected);
    }
}

/// Barnets lov § 50, stk. 1: a placement without consent is decided again within 1 year, then
/// within every 2 years.
#[test]
fn bl_50_a_placement_without_consent_is_renewed_after_one_then_two_years() {
    let first = started(decision(47, true));
    assert!(first.contains(&RuleId::FirstRenewal47) && !first.contains(&RuleId::LaterRenewal47));
    let again = started(Event::Decision(DecisionFacts {
        renewal: true,
        ..facts(47, true)
    }));
    assert!(again.contains(&RuleId::LaterRenewal47) && !again.contains(&RuleId::FirstRenewal47));
    let decided = datetime!(2027 - 02 - 01 14:00 +01:00);
    assert_eq!(
        due(RuleId::FirstRenewal47, decided),
        datetime!(2028 - 02 - 01 23:59:59 +01:00)
    );
    assert_eq!(
        due(RuleId::LaterRenewal47, decided),
        datetime!(2029 - 02 - 01 23:59:59 +01:00)
    );
}

/// Barnets lov § 21, stk. 2-3: each sibling's own investigation runs the § 20 clock.
#[test]
fn bl_21_a_siblings_investigation_runs_four_months() {
    let placed = datetime!(2026 - 12 - 03 10:00 +01:00);
    assert_eq!(
        due(RuleId::SiblingInvestigation, placed),
        datetime!(2027 - 04 - 03 23:59:59 +02:00)
    );
    let step = SubCaseKind::SiblingInvestigation.steps()[0];
    assert!(step.required && step.rule == Some(RuleId::SiblingInvestigation));
}

/// Barnets lov § 132: five working days is Værn's policy, and the rule says so.
#[test]
fn bl_132_the_transfer_reminder_says_it_is_policy() {
    let r = rule(RuleId::Transfer);
    assert!(r.is_policy());
    assert!(r.legal_reference.contains("Værns egen påmindelse"));
    assert!(RULES.iter().filter(|r| r.is_policy()).count() == 1);
}

/// Barnets lov § 138: the feedback to a professional notifier cites the current act.
#[test]
fn bl_138_the_feedback_cites_the_current_act() {
    assert_eq!(
        rule(RuleId::NotifierFeedback).legal_reference,
        "Barnets lov § 138, stk. 2"
    );
    assert!(
        SubCaseKind::ALL
            .iter()
            .flat_map(|k| k.steps())
            .all(|s| !s.legal_reference.contains("servicelov"))
    );
}

#[test]
fn a_locally_set_rule_has_no_national_due_date() {
    let local = rule(RuleId::ApplicationDeadline);
    assert_eq!(
        local.due_at(datetime!(2026 - 11 - 23 09:00 +01:00), &Calendar::default()),
        None
    );
}

#[test]
fn an_offset_reads_as_danish() {
    assert_eq!(rule(RuleId::Receipt).offset_text(), "6 arbejdsdage");
    assert_eq!(
        rule(RuleId::YouthSupportDecision).offset_text(),
        "6 måneder før"
    );
    assert!(
        rule(RuleId::AppealDeadline)
            .offset_text()
            .starts_with("4 uger (til næste hverdag")
    );
}

/// Barnets lov § 18, stk. 1 (LBK nr. 282 af 17/03/2025): the screening decides between no
/// further afdækning, an afdækning under § 19 (nr. 2) and a børnefaglig undersøgelse under
/// §§ 20-22 (nr. 3). The afdækning is its own kind of sub-case with its own steps and no
/// statutory clock; the Afklaring no longer carries it as an optional step.
#[test]
fn bl_18_19_the_afdaekning_is_its_own_sub_case_without_a_statutory_clock() {
    let kind = SubCaseKind::parse("needs_assessment").unwrap();
    assert_eq!(kind, SubCaseKind::NeedsAssessment);
    let steps = kind.steps();
    assert_eq!(
        steps.iter().map(|s| s.code).collect::<Vec<_>>(),
        ["afdaekning", "konklusion"]
    );
    assert!(steps.iter().all(|s| s.rule.is_none() && s.required));
    assert!(
        steps[0]
            .legal_reference
            .contains("§ 18, stk. 1, nr. 2, og § 19")
    );
    let screening = SubCaseKind::Clarification.step("screening").unwrap();
    assert!(screening.label.contains("(§ 19)") && screening.label.contains("(§§ 20-22)"));
    assert!(
        SubCaseKind::Clarification
            .steps()
            .iter()
            .all(|s| s.code != "afdaekning")
    );
    // A sub-case opened before keeps the old optional step's label.
    let retired = SubCaseKind::Clarification.step("afdaekning").unwrap();
    assert!(!retired.required && retired.label.contains("selvstændig delsag"));
}
