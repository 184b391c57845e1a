//! Every row of DOMAIN.md §3 as a deadline rule: trigger, offset, legal reference and what
//! happens when it is due. Rules marked `verified: false` carry a reference DOMAIN.md marks
//! [verify]: the rule is kept as data so the reference can be corrected without touching logic.
//! Municipalities' own, stricter standards (retssikkerhedsloven § 3) are added as local rules.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::calendar::{Calendar, add_months, danish_date, end_of_danish_day};

/// How far from the trigger a deadline lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "amount", rename_all = "snake_case")]
pub enum Offset {
    /// Elapsed hours, nights, weekends and summer-time changes included.
    Hours(u32),
    /// Working days after the trigger day; due at the end of the last one.
    WorkingDays(u32),
    /// Calendar days after the trigger day; due at the end of that day.
    CalendarDays(u32),
    /// Weeks: the same weekday `n` weeks later, at the end of that day.
    Weeks(u32),
    /// The same date `n` months later (clamped to month end), at the end of that day.
    Months(u32),
    /// Must be done before (or when) the triggering event happens: a blocking check.
    AtEvent,
    /// The municipality sets the deadline itself (a published local standard).
    SetLocally,
}

/// What the system does when a deadline is due or about to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WhenDue {
    /// Shown in the caseworker's consolidated list.
    Reminder,
    /// Shown to the caseworker and escalated to the team lead when overdue.
    Escalation,
    /// Blocks the action that the rule guards until it is fulfilled.
    Blocking,
}

impl WhenDue {
    pub fn label(self) -> &'static str {
        match self {
            WhenDue::Reminder => "Påmindelse",
            WhenDue::Escalation => "Eskalering til teamleder",
            WhenDue::Blocking => "Blokerende kontrol",
        }
    }
}

/// One statutory deadline.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DeadlineRule {
    /// Stable id used by the API and stored on deadline instances.
    pub id: &'static str,
    /// What starts the clock (Danish).
    pub trigger: &'static str,
    /// What must be done (Danish).
    pub description: &'static str,
    pub offset: Offset,
    pub legal_reference: &'static str,
    pub when_due: WhenDue,
    /// False where DOMAIN.md marks the reference [verify].
    pub verified: bool,
}

impl DeadlineRule {
    /// When the deadline runs out for a trigger at `trigger_at`, in `calendar`'s working days.
    /// `None` for rules without a fixed offset.
    pub fn due_at(
        &self,
        trigger_at: OffsetDateTime,
        calendar: &Calendar,
    ) -> Option<OffsetDateTime> {
        let day = danish_date(trigger_at);
        let due_day = match self.offset {
            Offset::Hours(hours) => return Some(trigger_at + Duration::hours(i64::from(hours))),
            Offset::AtEvent => return Some(trigger_at),
            Offset::SetLocally => return None,
            Offset::WorkingDays(n) => calendar.add_working_days(day, n),
            Offset::CalendarDays(n) => day + Duration::days(i64::from(n)),
            Offset::Weeks(n) => day + Duration::weeks(i64::from(n)),
            Offset::Months(n) => add_months(day, n),
        };
        Some(end_of_danish_day(due_day))
    }

    /// The offset in Danish words, for lists.
    pub fn offset_text(&self) -> String {
        match self.offset {
            Offset::Hours(n) => format!("{n} timer"),
            Offset::WorkingDays(n) => format!("{n} arbejdsdage"),
            Offset::CalendarDays(n) => format!("{n} dage"),
            Offset::Weeks(n) => format!("{n} uger"),
            Offset::Months(1) => "1 måned".into(),
            Offset::Months(n) => format!("{n} måneder"),
            Offset::AtEvent => "Før handlingen".into(),
            Offset::SetLocally => "Kommunens egen frist".into(),
        }
    }
}

const fn row(
    id: &'static str,
    trigger: &'static str,
    description: &'static str,
    offset: Offset,
    legal_reference: &'static str,
    when_due: WhenDue,
    verified: bool,
) -> DeadlineRule {
    DeadlineRule {
        id,
        trigger,
        description,
        offset,
        legal_reference,
        when_due,
        verified,
    }
}

use Offset::*;
use WhenDue::*;

/// The national rules, in the order of DOMAIN.md §3.
pub const RULES: &[DeadlineRule] = &[
    row(
        "underretning.vurdering_24t",
        "Underretning modtaget",
        "Vurdér inden 24 timer, om barnets sundhed eller udvikling er i fare, og om der er behov for akut indsats",
        Hours(24),
        "Barnets lov § 136 (tidl. servicelovens § 155)",
        Escalation,
        false,
    ),
    row(
        "underretning.kvittering_6hd",
        "Underretning modtaget fra en fagperson",
        "Send kvittering for modtagelsen til underretteren",
        WorkingDays(6),
        "Barnets lov § 138 (tidl. servicelovens § 155 b, stk. 1)",
        Reminder,
        false,
    ),
    row(
        "underretning.tilbagemelding",
        "Afgørelse om undersøgelse eller indsats efter en fagpersons underretning",
        "Giv underretteren besked om, hvorvidt der er iværksat en undersøgelse eller indsats",
        AtEvent,
        "Tidl. servicelovens § 155 b, stk. 2-3",
        Reminder,
        false,
    ),
    row(
        "underretning.genvurdering_ny_person",
        "Underretning om et barn med igangværende indsatser",
        "Genvurdering med deltagelse af mindst én person, der ikke tidligere har været involveret i sagen",
        AtEvent,
        "Barnets lov § 137",
        Blocking,
        true,
    ),
    row(
        "underretning.samtale_overgreb",
        "Underretning om overgreb mod barnet",
        "Samtale med barnet, om nødvendigt uden forældrenes samtykke, før underretningen kan afsluttes",
        AtEvent,
        "Barnets lov § 137, stk. 3",
        Blocking,
        true,
    ),
    row(
        "undersoegelse.4mdr",
        "Kommunen bliver opmærksom på et muligt behov for støtte",
        "Den børnefaglige undersøgelse skal være afsluttet; ellers en foreløbig vurdering og afslutning hurtigst muligt",
        Months(4),
        "Barnets lov § 20, stk. 3",
        Escalation,
        true,
    ),
    row(
        "soeskende.undersoegelse",
        "Et barn anbringes på grund af omsorgssvigt eller overgreb",
        "Undersøg forholdene for søskende under 15 år i husstanden",
        AtEvent,
        "Barnets lov § 21, stk. 2-3",
        Reminder,
        true,
    ),
    row(
        "plan.32_3mdr",
        "Afgørelse om støttende indsats efter § 32, hvor det besluttes at udarbejde en plan",
        "Barnets plan skal foreligge",
        Months(3),
        "Barnets lov § 91, stk. 1",
        Reminder,
        true,
    ),
    row(
        "plan.46_3mdr",
        "Afgørelse om anbringelse med samtykke efter § 46",
        "Barnets plan skal foreligge",
        Months(3),
        "Barnets lov § 91, stk. 2",
        Reminder,
        true,
    ),
    row(
        "plan.47_foer_afgoerelse",
        "Indstilling om anbringelse uden samtykke efter § 47",
        "Barnets plan skal foreligge, før sagen forelægges børne- og ungeudvalget",
        AtEvent,
        "Barnets lov § 91, stk. 2",
        Blocking,
        true,
    ),
    row(
        "opfoelgning.foerste_3mdr",
        "Indsats iværksat",
        "Første opfølgning (senest når undersøgelsen slutter eller efter 3 måneder); derefter en begrundet kadence",
        Months(3),
        "Barnets lov § 95, stk. 2-3",
        Reminder,
        true,
    ),
    row(
        "tilsyn.halvaarligt",
        "Barnet er anbragt (og siden hvert tilsynsbesøg)",
        "Tilsynsbesøg med samtale med barnet – mindst 2 om året",
        Months(6),
        "Barnets lov § 156, stk. 5",
        Reminder,
        true,
    ),
    row(
        "anbringelse_uden_samtykke.genbehandling",
        "Afgørelse om anbringelse uden samtykke",
        "Børne- og ungeudvalget skal træffe ny afgørelse (første gang inden 1 år, derefter inden 2 år)",
        Months(12),
        "Barnets lov § 50 (tidl. servicelovens § 62)",
        Escalation,
        false,
    ),
    row(
        "formandsafgoerelse.7dage",
        "Formandsafgørelse truffet",
        "Formandsafgørelsen skal forelægges børne- og ungeudvalget",
        CalendarDays(7),
        "Barnets lov § 143 (tidl. servicelovens § 75, stk. 3)",
        Escalation,
        false,
    ),
    row(
        "dst.indberetning_4u",
        "Anbringelsesafgørelse eller anden indberetningspligtig sagshændelse",
        "Indberet til Danmarks Statistik",
        Weeks(4),
        "Danmarks Statistiks indberetningskrav (anbringelsesstatistikken)",
        Reminder,
        true,
    ),
    row(
        "afgoerelse.klagefrist_4u",
        "Afgørelsen er meddelt parten",
        "Klagefristen udløber (4 uger, samme ugedag)",
        Weeks(4),
        "Retssikkerhedslovens § 67; Barnets lov §§ 144-150",
        Reminder,
        true,
    ),
    row(
        "klage.genvurdering_4u",
        "Klage modtaget",
        "Kommunen genvurderer afgørelsen og sender klagen videre til Ankestyrelsen, hvis den fastholdes",
        Weeks(4),
        "Retssikkerhedslovens § 66",
        Reminder,
        false,
    ),
    row(
        "afgoerelse.partshoering",
        "Før en afgørelse træffes",
        "Partshøring over sagens faktiske oplysninger, medmindre en undtagelse er noteret",
        AtEvent,
        "Forvaltningslovens § 19",
        Blocking,
        true,
    ),
    row(
        "afgoerelse.begrundelse_klagevejledning",
        "Skriftlig afgørelse",
        "Begrundelse og – medmindre parten får fuldt medhold – klagevejledning",
        AtEvent,
        "Forvaltningslovens §§ 22-25",
        Blocking,
        true,
    ),
    row(
        "ansoegning.sagsbehandlingsfrist",
        "Ansøgning modtaget",
        "Kommunens offentliggjorte sagsbehandlingsfrist; borgeren skal have besked, hvis den overskrides",
        SetLocally,
        "Retssikkerhedslovens § 3, stk. 2",
        Reminder,
        true,
    ),
    row(
        "aktindsigt.7hd",
        "Anmodning om aktindsigt modtaget",
        "Svar på anmodningen om aktindsigt",
        WorkingDays(7),
        "Offentlighedslovens § 36, stk. 2 / forvaltningslovens § 16, stk. 2",
        Reminder,
        false,
    ),
    row(
        "gdpr.indsigt_1md",
        "Anmodning om indsigt efter databeskyttelsesforordningen",
        "Svar på anmodningen om indsigt",
        Months(1),
        "Databeskyttelsesforordningens art. 12, stk. 3 (art. 15)",
        Reminder,
        true,
    ),
    // Not a row of DOMAIN.md §3: the law says "uden ugrundet ophold", and five working days is
    // Værn's reminder for it (a municipality may set a stricter local rule).
    row(
        "flytning.overdragelse",
        "Barnet er flyttet til en anden kommune (meddelt af CPR)",
        "Overdrag sagen til den nye opholdskommune uden ugrundet ophold",
        WorkingDays(5),
        "Barnets lov § 132 (tidl. servicelovens § 152)",
        Escalation,
        false,
    ),
];

/// Rules whose deadline belongs to the child's case rather than the sub-case that started it:
/// barnets plan is due 3 months after a decision whatever becomes of the decision's sub-case
/// (BL § 91), so closing that sub-case leaves these deadlines running.
pub const CASE_WIDE: &[&str] = &["plan.32_3mdr", "plan.46_3mdr"];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static DeadlineRule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ClosedDays;
    use time::macros::datetime;

    fn due(id: &str, trigger: OffsetDateTime) -> OffsetDateTime {
        rule(id)
            .unwrap()
            .due_at(trigger, &Calendar::default())
            .unwrap()
    }

    #[test]
    fn rule_ids_are_unique_and_every_rule_cites_the_law() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(
            RULES
                .iter()
                .all(|r| !r.legal_reference.is_empty() && !r.description.is_empty())
        );
        for id in [
            "underretning.vurdering_24t",
            "underretning.kvittering_6hd",
            "undersoegelse.4mdr",
            "afgoerelse.klagefrist_4u",
        ] {
            assert!(rule(id).is_some(), "{id} is a stable id the API promises");
        }
    }

    /// Barnets lov § 136: 24 elapsed hours — across a weekend and the summer-time change of
    /// 29.03.2026 (02:00 → 03:00), so 10:00 Saturday becomes 11:00 Sunday on the wall clock.
    #[test]
    fn the_24_hour_assessment_counts_elapsed_hours() {
        let received = datetime!(2026 - 03 - 28 10:00 +01:00);
        assert_eq!(
            due("underretning.vurdering_24t", received),
            datetime!(2026 - 03 - 29 11:00 +02:00)
        );
        let friday_night = datetime!(2026 - 11 - 20 23:30 +01:00);
        assert_eq!(
            due("underretning.vurdering_24t", friday_night),
            datetime!(2026 - 11 - 21 23:30 +01:00)
        );
    }

    /// Tidl. SEL § 155 b stk. 1 / BL § 138: receipt within 6 working days, due at the end of day 6.
    #[test]
    fn the_receipt_is_due_after_six_working_days() {
        let table = [
            // Mon 23.11.2026 → Tue 1.12.2026.
            (
                datetime!(2026 - 11 - 23 09:00 +01:00),
                datetime!(2026 - 12 - 01 23:59:59 +01:00),
            ),
            // Thu 17.12.2026 → 24.12-27.12 closed → Tue 29.12.2026.
            (
                datetime!(2026 - 12 - 17 15:00 +01:00),
                datetime!(2026 - 12 - 29 23:59:59 +01:00),
            ),
            // Wed 1.4.2026: 2.4-6.4 closed (skærtorsdag to 2. påskedag) → 7, 8, 9, 10, 13, 14.4.
            (
                datetime!(2026 - 04 - 01 12:00 +02:00),
                datetime!(2026 - 04 - 14 23:59:59 +02:00),
            ),
            // 2023: store bededag Fri 5.5.2023 still closed. Mon 1.5 → 2, 3, 4, 8, 9, 10.5.2023.
            (
                datetime!(2023 - 05 - 01 10:00 +02:00),
                datetime!(2023 - 05 - 10 23:59:59 +02:00),
            ),
            // 2024: no store bededag (Fri 26.4 is a working day). Mon 22.4 → 23, 24, 25, 26, 29, 30.4.
            (
                datetime!(2024 - 04 - 22 10:00 +02:00),
                datetime!(2024 - 04 - 30 23:59:59 +02:00),
            ),
        ];
        for (received, expected) in table {
            assert_eq!(
                due("underretning.kvittering_6hd", received),
                expected,
                "{received}"
            );
        }
    }

    /// Working-day rules use the municipality's own closed days.
    #[test]
    fn a_municipality_open_on_christmas_eve_gets_an_earlier_receipt_deadline() {
        let open = Calendar::new(ClosedDays {
            juleaftensdag: false,
            ..ClosedDays::default()
        });
        let received = datetime!(2026 - 12 - 17 15:00 +01:00);
        let due = rule("underretning.kvittering_6hd")
            .unwrap()
            .due_at(received, &open)
            .unwrap();
        assert_eq!(due, datetime!(2026 - 12 - 28 23:59:59 +01:00));
    }

    /// BL § 20 stk. 3: 4 months, same date, clamped to month end.
    #[test]
    fn the_investigation_is_due_four_months_later() {
        assert_eq!(
            due("undersoegelse.4mdr", datetime!(2026 - 10 - 31 14:00 +01:00)),
            datetime!(2027 - 02 - 28 23:59:59 +01:00)
        );
        assert_eq!(
            due("undersoegelse.4mdr", datetime!(2026 - 11 - 23 09:00 +01:00)),
            datetime!(2027 - 03 - 23 23:59:59 +01:00)
        );
    }

    /// Retssikkerhedslovens § 67: 4 weeks from notification, to the same weekday.
    #[test]
    fn the_appeal_deadline_is_four_weeks_to_the_same_weekday() {
        let made_known = datetime!(2026 - 11 - 25 11:00 +01:00); // Wednesday
        let deadline = due("afgoerelse.klagefrist_4u", made_known);
        assert_eq!(deadline, datetime!(2026 - 12 - 23 23:59:59 +01:00));
        assert_eq!(deadline.weekday(), made_known.weekday());
    }

    /// BL § 91: plans within 3 months after a § 32 decision or a § 46 placement; before § 47.
    #[test]
    fn the_plan_rules_follow_section_91() {
        let decided = datetime!(2026 - 11 - 30 10:00 +01:00);
        assert_eq!(
            due("plan.32_3mdr", decided),
            datetime!(2027 - 02 - 28 23:59:59 +01:00)
        );
        assert_eq!(
            due("plan.46_3mdr", decided),
            datetime!(2027 - 02 - 28 23:59:59 +01:00)
        );
        assert_eq!(due("plan.47_foer_afgoerelse", decided), decided);
        assert_eq!(
            rule("plan.47_foer_afgoerelse").unwrap().when_due,
            WhenDue::Blocking
        );
    }

    /// The chair's provisional decision goes to the committee within 7 days (tidl. SEL § 75 stk. 3).
    #[test]
    fn the_chairs_decision_is_due_in_seven_calendar_days() {
        assert_eq!(
            due(
                "formandsafgoerelse.7dage",
                datetime!(2026 - 12 - 23 16:00 +01:00)
            ),
            datetime!(2026 - 12 - 30 23:59:59 +01:00)
        );
    }

    #[test]
    fn a_locally_set_rule_has_no_national_due_date() {
        let local = rule("ansoegning.sagsbehandlingsfrist").unwrap();
        assert_eq!(
            local.due_at(datetime!(2026 - 11 - 23 09:00 +01:00), &Calendar::default()),
            None
        );
    }

    #[test]
    fn an_offset_reads_as_danish() {
        assert_eq!(
            rule("underretning.kvittering_6hd").unwrap().offset_text(),
            "6 arbejdsdage"
        );
        assert_eq!(rule("gdpr.indsigt_1md").unwrap().offset_text(), "1 måned");
    }
}

/// A municipality's own, stricter standard for a rule (retssikkerhedslovens § 3, stk. 2), or the
/// deadline of a rule the law leaves to the municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalStandard {
    pub rule_id: String,
    pub offset: Offset,
    /// The municipality's published text.
    pub description: String,
}

impl Offset {
    /// Parses a unit code and amount as the API and forms give them.
    pub fn parse(unit: &str, amount: u32) -> Result<Offset, String> {
        if amount == 0 || amount > 366 {
            return Err("Angiv en frist mellem 1 og 366".into());
        }
        Ok(match unit {
            "hours" => Offset::Hours(amount),
            "working_days" => Offset::WorkingDays(amount),
            "calendar_days" => Offset::CalendarDays(amount),
            "weeks" => Offset::Weeks(amount),
            "months" => Offset::Months(amount),
            _ => return Err("Vælg timer, arbejdsdage, dage, uger eller måneder".into()),
        })
    }

    /// The unit code and amount (the inverse of [`Offset::parse`]).
    pub fn unit_amount(self) -> (&'static str, Option<u32>) {
        match self {
            Offset::Hours(n) => ("hours", Some(n)),
            Offset::WorkingDays(n) => ("working_days", Some(n)),
            Offset::CalendarDays(n) => ("calendar_days", Some(n)),
            Offset::Weeks(n) => ("weeks", Some(n)),
            Offset::Months(n) => ("months", Some(n)),
            Offset::AtEvent => ("at_event", None),
            Offset::SetLocally => ("set_locally", None),
        }
    }
}

/// The due instant in a municipality: the national deadline, or the local standard if it runs
/// out earlier (a local standard can only tighten the law, never relax it).
pub fn effective_due_at(
    rule: &DeadlineRule,
    local: Option<&LocalStandard>,
    trigger_at: OffsetDateTime,
    calendar: &Calendar,
) -> Option<OffsetDateTime> {
    let national = rule.due_at(trigger_at, calendar);
    let local = local
        .filter(|l| l.rule_id == rule.id && !matches!(rule.offset, Offset::AtEvent))
        .and_then(|l| {
            DeadlineRule {
                offset: l.offset,
                ..*rule
            }
            .due_at(trigger_at, calendar)
        });
    match (national, local) {
        (Some(n), Some(l)) => Some(n.min(l)),
        (n, l) => n.or(l),
    }
}

#[cfg(test)]
mod local_tests {
    use super::*;
    use time::macros::datetime;

    fn local(rule_id: &str, offset: Offset) -> LocalStandard {
        LocalStandard {
            rule_id: rule_id.into(),
            offset,
            description: "Kommunens servicemål".into(),
        }
    }

    #[test]
    fn a_stricter_local_standard_wins_but_a_looser_one_never_relaxes_the_law() {
        let rule = rule("underretning.kvittering_6hd").unwrap();
        let received = datetime!(2026 - 11 - 23 09:00 +01:00);
        let cal = Calendar::default();
        let national = rule.due_at(received, &cal).unwrap();
        let stricter = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::WorkingDays(3))),
            received,
            &cal,
        )
        .unwrap();
        assert_eq!(stricter, datetime!(2026 - 11 - 26 23:59:59 +01:00));
        let looser = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::WorkingDays(10))),
            received,
            &cal,
        )
        .unwrap();
        assert_eq!(looser, national);
    }

    /// Retssikkerhedslovens § 3, stk. 2: the municipality publishes its own case-processing deadline.
    #[test]
    fn a_rule_left_to_the_municipality_takes_the_local_deadline() {
        let rule = rule("ansoegning.sagsbehandlingsfrist").unwrap();
        let received = datetime!(2026 - 11 - 23 09:00 +01:00);
        let cal = Calendar::default();
        assert_eq!(effective_due_at(rule, None, received, &cal), None);
        let due = effective_due_at(
            rule,
            Some(&local(rule.id, Offset::Weeks(8))),
            received,
            &cal,
        );
        assert_eq!(due, Some(datetime!(2027 - 01 - 18 23:59:59 +01:00)));
    }

    #[test]
    fn offsets_parse_from_unit_and_amount() {
        assert_eq!(Offset::parse("working_days", 3), Ok(Offset::WorkingDays(3)));
        assert!(Offset::parse("years", 1).is_err());
        assert!(Offset::parse("weeks", 0).is_err());
        assert_eq!(Offset::Months(4).unit_amount(), ("months", Some(4)));
    }
}
