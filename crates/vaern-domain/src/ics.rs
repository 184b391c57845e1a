//! ICS (Integrated Children's System), the forenklede ICS from 2019 (DOMAIN.md §4): the triangle
//! of three sides and ten dimensions a børnefaglig undersøgelse (BL §§ 20-23) describes, its
//! conclusion (BL § 22, stk. 6), barnets plan with goals per dimension (BL § 91) and the
//! follow-ups that score them (BL §§ 95-96). Lean on purpose: five texts per dimension, all
//! optional; empty dimensions may stay empty.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{
    FieldErrors,
    dates::parse_date,
    text::{optional_text, required_line, required_text},
};

/// A side of the ICS triangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    ChildDevelopment,
    ParentingCapacity,
    FamilyAndEnvironment,
}

impl Side {
    pub const ALL: [Side; 3] = [
        Side::ChildDevelopment,
        Side::ParentingCapacity,
        Side::FamilyAndEnvironment,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Side::ChildDevelopment => "Barnets udvikling",
            Side::ParentingCapacity => "Forældrekompetencer",
            Side::FamilyAndEnvironment => "Familie og netværk",
        }
    }
}

/// One of the ten dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Health,
    DevelopmentAndBehaviour,
    SchoolAndLearning,
    LeisureAndFriends,
    SafeCare,
    StimulationAndGuidance,
    SupportingRelations,
    FamilyBackground,
    HousingWorkAndMoney,
    SocialNetwork,
}

impl Dimension {
    pub const ALL: [Dimension; 10] = [
        Dimension::Health,
        Dimension::DevelopmentAndBehaviour,
        Dimension::SchoolAndLearning,
        Dimension::LeisureAndFriends,
        Dimension::SafeCare,
        Dimension::StimulationAndGuidance,
        Dimension::SupportingRelations,
        Dimension::FamilyBackground,
        Dimension::HousingWorkAndMoney,
        Dimension::SocialNetwork,
    ];

    /// The stable code used in URLs, the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Health => "sundhed",
            Dimension::DevelopmentAndBehaviour => "udvikling",
            Dimension::SchoolAndLearning => "skole",
            Dimension::LeisureAndFriends => "fritid",
            Dimension::SafeCare => "omsorg",
            Dimension::StimulationAndGuidance => "stimulering",
            Dimension::SupportingRelations => "relationer",
            Dimension::FamilyBackground => "familie",
            Dimension::HousingWorkAndMoney => "bolig",
            Dimension::SocialNetwork => "netvaerk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Health => "Sundhedsforhold",
            Dimension::DevelopmentAndBehaviour => "Udvikling og adfærd",
            Dimension::SchoolAndLearning => "Dagtilbud, skoleforhold og læring",
            Dimension::LeisureAndFriends => "Fritidsforhold og venskaber",
            Dimension::SafeCare => "Trygt omsorgsmiljø",
            Dimension::StimulationAndGuidance => "Stimulering og vejledning",
            Dimension::SupportingRelations => "Understøttelse af relationer",
            Dimension::FamilyBackground => "Familieforhold og baggrund",
            Dimension::HousingWorkAndMoney => "Bolig, beskæftigelse og økonomi",
            Dimension::SocialNetwork => "Socialt netværk",
        }
    }

    pub fn side(self) -> Side {
        match self {
            Dimension::Health
            | Dimension::DevelopmentAndBehaviour
            | Dimension::SchoolAndLearning
            | Dimension::LeisureAndFriends => Side::ChildDevelopment,
            Dimension::SafeCare
            | Dimension::StimulationAndGuidance
            | Dimension::SupportingRelations => Side::ParentingCapacity,
            Dimension::FamilyBackground
            | Dimension::HousingWorkAndMoney
            | Dimension::SocialNetwork => Side::FamilyAndEnvironment,
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|d| d.code() == code.trim())
            .ok_or_else(|| "Vælg en af de ti ICS-dimensioner".to_owned())
    }
}

/// The longest text a dimension field holds: generous, and still a bound.
pub const TEXT_MAX: usize = 20_000;

/// A dimension's five texts, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DimensionInput {
    pub description: String,
    pub resources: String,
    pub concerns: String,
    pub child_view: String,
    pub parents_view: String,
}

/// A dimension's validated texts; each may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DimensionText {
    pub description: Option<String>,
    pub resources: Option<String>,
    pub concerns: Option<String>,
    pub child_view: Option<String>,
    pub parents_view: Option<String>,
}

/// The form fields of a dimension with their Danish labels, in the order shown.
pub const DIMENSION_FIELDS: [(&str, &str); 5] = [
    ("description", "Beskrivelse"),
    ("resources", "Ressourcer"),
    ("concerns", "Bekymringer"),
    ("child_view", "Barnets egen opfattelse"),
    ("parents_view", "Forældrenes opfattelse"),
];

impl DimensionText {
    pub fn parse(input: &DimensionInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut take = |field: &str, value: &str, label: &str| {
            errors
                .take(field, optional_text(value, label, TEXT_MAX))
                .flatten()
        };
        let text = DimensionText {
            description: take("description", &input.description, "beskrivelsen"),
            resources: take("resources", &input.resources, "ressourcerne"),
            concerns: take("concerns", &input.concerns, "bekymringerne"),
            child_view: take("child_view", &input.child_view, "barnets opfattelse"),
            parents_view: take(
                "parents_view",
                &input.parents_view,
                "forældrenes opfattelse",
            ),
        };
        errors.into_result(|| text)
    }

    /// The five texts in [`DIMENSION_FIELDS`] order, each with its field name and label.
    pub fn fields(&self) -> [(&'static str, &'static str, Option<&str>); 5] {
        let texts = [
            &self.description,
            &self.resources,
            &self.concerns,
            &self.child_view,
            &self.parents_view,
        ];
        std::array::from_fn(|i| {
            (
                DIMENSION_FIELDS[i].0,
                DIMENSION_FIELDS[i].1,
                texts[i].as_deref(),
            )
        })
    }

    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, _, text)| text.is_none())
    }

    /// The texts as a form shows them (empty where none).
    pub fn to_input(&self) -> DimensionInput {
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        DimensionInput {
            description: text(&self.description),
            resources: text(&self.resources),
            concerns: text(&self.concerns),
            child_view: text(&self.child_view),
            parents_view: text(&self.parents_view),
        }
    }
}

impl DimensionInput {
    /// The text typed in the field named as in [`DIMENSION_FIELDS`].
    pub fn field(&self, name: &str) -> &str {
        match name {
            "description" => &self.description,
            "resources" => &self.resources,
            "concerns" => &self.concerns,
            "child_view" => &self.child_view,
            _ => &self.parents_view,
        }
    }
}

/// What a source is linked to in the case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceLink {
    JournalEntry,
    Document,
    Person,
}

impl SourceLink {
    pub fn code(self) -> &'static str {
        match self {
            SourceLink::JournalEntry => "journal_entry",
            SourceLink::Document => "document",
            SourceLink::Person => "person",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "journal_entry" => Ok(SourceLink::JournalEntry),
            "document" => Ok(SourceLink::Document),
            "person" => Ok(SourceLink::Person),
            _ => Err("Vælg et journalnotat, et dokument eller en person".into()),
        }
    }
}

/// Who said something in a dimension, and when, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SourceInput {
    pub who: String,
    pub said_on: String,
    /// `journal_entry:<id>`, `document:<id>`, `person:<id>` or empty.
    pub link: String,
}

/// A validated source; the link's id is checked against the case by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub who: String,
    pub said_on: Date,
    pub link: Option<(SourceLink, String)>,
}

impl Source {
    pub fn parse(input: &SourceInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let who = errors.take(
            "who",
            required_line(&input.who, "hvem der har sagt det", 200),
        );
        let said_on = errors.take(
            "said_on",
            parse_date(&input.said_on).and_then(|d| {
                if d > today {
                    Err("Datoen kan ikke ligge i fremtiden".into())
                } else {
                    Ok(d)
                }
            }),
        );
        let link = match input.link.trim() {
            "" => Some(None),
            text => errors
                .take(
                    "link",
                    text.split_once(':')
                        .ok_or_else(|| "Vælg hvad kilden henviser til".to_owned())
                        .and_then(|(kind, id)| Ok((SourceLink::parse(kind)?, id.to_owned()))),
                )
                .map(Some),
        };
        match (who, said_on, link) {
            (Some(who), Some(said_on), Some(link)) if errors.is_empty() => {
                Ok(Source { who, said_on, link })
            }
            _ => Err(errors),
        }
    }
}

/// The investigation's reasoned position on support (BL § 22, stk. 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Support under § 32.
    Support,
    /// Placement with consent, § 46.
    PlacementWithConsent,
    /// Placement without consent, § 47.
    PlacementWithoutConsent,
    /// No measure is needed.
    NoMeasure,
}

impl Position {
    pub const ALL: [Position; 4] = [
        Position::Support,
        Position::PlacementWithConsent,
        Position::PlacementWithoutConsent,
        Position::NoMeasure,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Position::Support => "support",
            Position::PlacementWithConsent => "placement_with_consent",
            Position::PlacementWithoutConsent => "placement_without_consent",
            Position::NoMeasure => "no_measure",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Position::Support => "Støtte efter barnets lov § 32",
            Position::PlacementWithConsent => "Anbringelse med samtykke (§ 46)",
            Position::PlacementWithoutConsent => "Anbringelse uden samtykke (§ 47)",
            Position::NoMeasure => "Ingen foranstaltning",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code.trim())
            .ok_or_else(|| "Tag stilling til støtte (§ 32) eller anbringelse (§§ 46-47)".into())
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::parse(code).map_or("Ukendt", Self::label)
    }
}

/// The investigation's conclusion, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConclusionInput {
    pub assessment: String,
    pub position: String,
    pub reasoning: String,
}

/// A validated conclusion: the overall assessment and the reasoned position (BL § 22, stk. 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conclusion {
    pub assessment: String,
    pub position: Position,
    pub reasoning: String,
}

impl Conclusion {
    pub fn parse(input: &ConclusionInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let assessment = errors.take(
            "assessment",
            required_text(&input.assessment, "den samlede vurdering", TEXT_MAX),
        );
        let position = errors.take("position", Position::parse(&input.position));
        let reasoning = errors.take(
            "reasoning",
            required_text(&input.reasoning, "begrundelsen for stillingtagen", TEXT_MAX),
        );
        match (assessment, position, reasoning) {
            (Some(assessment), Some(position), Some(reasoning)) if errors.is_empty() => {
                Ok(Conclusion {
                    assessment,
                    position,
                    reasoning,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A goal of barnets plan, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct GoalInput {
    pub dimension: String,
    pub wording: String,
    /// The measures that serve the goal.
    pub measures: String,
    pub target_date: String,
}

/// A validated goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub dimension: Dimension,
    pub wording: String,
    pub measures: Option<String>,
    pub target_date: Date,
}

impl Goal {
    /// `today` bounds the target date: a goal is for the future.
    pub fn parse(input: &GoalInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let dimension = errors.take("dimension", Dimension::parse(&input.dimension));
        let wording = errors.take(
            "wording",
            required_text(&input.wording, "målets formulering", 2_000),
        );
        let measures = errors
            .take(
                "measures",
                optional_text(&input.measures, "indsatserne", 2_000),
            )
            .map(Some);
        let target_date = errors.take(
            "target_date",
            parse_date(&input.target_date)
                .map_err(|_| "Skriv måldatoen som DD.MM.ÅÅÅÅ".to_owned())
                .and_then(|d| {
                    if d <= today {
                        Err("Måldatoen skal ligge efter i dag".into())
                    } else {
                        Ok(d)
                    }
                }),
        );
        match (dimension, wording, measures, target_date) {
            (Some(dimension), Some(wording), Some(measures), Some(target_date))
                if errors.is_empty() =>
            {
                Ok(Goal {
                    dimension,
                    wording,
                    measures: measures.flatten(),
                    target_date,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The documented scale a follow-up scores each goal on.
pub const SCORES: [(u8, &str); 5] = [
    (1, "Ingen fremgang eller tilbagegang"),
    (2, "Lidt fremgang"),
    (3, "Nogen fremgang"),
    (4, "Tæt på målet"),
    (5, "Målet er nået"),
];

/// A score on the scale [`SCORES`].
pub fn score(text: &str) -> Result<u8, String> {
    text.trim()
        .parse::<u8>()
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| "Vælg en score fra 1 (ingen fremgang) til 5 (målet er nået)".into())
}

/// What a follow-up decides for the measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpDecision {
    Continue,
    Adjust,
    Stop,
}

impl FollowUpDecision {
    pub const ALL: [FollowUpDecision; 3] = [
        FollowUpDecision::Continue,
        FollowUpDecision::Adjust,
        FollowUpDecision::Stop,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FollowUpDecision::Continue => "continue",
            FollowUpDecision::Adjust => "adjust",
            FollowUpDecision::Stop => "stop",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FollowUpDecision::Continue => "Fortsæt indsatsen",
            FollowUpDecision::Adjust => "Justér indsatsen",
            FollowUpDecision::Stop => "Afslut indsatsen",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|d| d.code() == code.trim())
            .ok_or_else(|| "Vælg om indsatsen fortsætter, justeres eller afsluttes".into())
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::parse(code).map_or("Ukendt", Self::label)
    }
}

/// A follow-up's decision and what the parties said, as typed; scores come per goal.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpInput {
    pub child_view: String,
    pub parents_view: String,
    pub decision: String,
    pub next_date: String,
    pub next_reason: String,
}

/// A validated follow-up (BL § 95): the next follow-up's date and its reason are mandatory
/// (stk. 3), also when the measure stops, since the child's situation is then followed once more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub child_view: Option<String>,
    pub parents_view: Option<String>,
    pub decision: FollowUpDecision,
    pub next_date: Date,
    pub next_reason: String,
}

impl FollowUp {
    pub fn parse(input: &FollowUpInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let child_view = errors
            .take(
                "child_view",
                optional_text(&input.child_view, "barnets synspunkter", TEXT_MAX),
            )
            .map(Some);
        let parents_view = errors
            .take(
                "parents_view",
                optional_text(&input.parents_view, "forældrenes synspunkter", TEXT_MAX),
            )
            .map(Some);
        let decision = errors.take("decision", FollowUpDecision::parse(&input.decision));
        let next_date = errors.take(
            "next_date",
            if input.next_date.trim().is_empty() {
                Err("Fastsæt datoen for næste opfølgning (barnets lov § 95, stk. 3)".to_owned())
            } else {
                parse_date(&input.next_date).and_then(|d| {
                    if d <= today {
                        Err("Næste opfølgning skal ligge efter i dag".into())
                    } else {
                        Ok(d)
                    }
                })
            },
        );
        let next_reason = errors.take(
            "next_reason",
            required_text(
                &input.next_reason,
                "begrundelsen for tidspunktet for næste opfølgning",
                2_000,
            ),
        );
        match (child_view, parents_view, decision, next_date, next_reason) {
            (
                Some(child_view),
                Some(parents_view),
                Some(decision),
                Some(next_date),
                Some(next_reason),
            ) if errors.is_empty() => Ok(FollowUp {
                child_view: child_view.flatten(),
                parents_view: parents_view.flatten(),
                decision,
                next_date,
                next_reason,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn ten_dimensions_in_three_sides_as_the_simplified_ics() {
        let count = |side| Dimension::ALL.iter().filter(|d| d.side() == side).count();
        assert_eq!(
            Side::ALL.map(count),
            [4, 3, 3],
            "DOMAIN.md §4: 4 + 3 + 3 dimensions"
        );
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.code()), Ok(d));
        }
        assert!(Dimension::parse("skolen").is_err());
    }

    #[test]
    fn a_dimension_may_be_empty_but_not_hold_control_characters() {
        let empty = DimensionText::parse(&DimensionInput::default()).unwrap();
        assert!(empty.is_empty());
        let bad = DimensionText::parse(&DimensionInput {
            concerns: "Bekymring\u{7}".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(bad.for_field("concerns").is_some());
    }

    /// BL § 22, stk. 6: the conclusion takes a reasoned position.
    #[test]
    fn a_conclusion_needs_assessment_position_and_reasoning() {
        let errors = Conclusion::parse(&ConclusionInput::default()).unwrap_err();
        for field in ["assessment", "position", "reasoning"] {
            assert!(errors.for_field(field).is_some(), "{field}");
        }
        let ok = Conclusion::parse(&ConclusionInput {
            assessment: "Barnet trives ikke i skolen.".into(),
            position: "support".into(),
            reasoning: "Familien kan med støtte.".into(),
        })
        .unwrap();
        assert_eq!(ok.position, Position::Support);
    }

    #[test]
    fn a_goal_needs_wording_and_a_future_target_date() {
        let input = GoalInput {
            dimension: "skole".into(),
            wording: "Emma går i skole hver dag".into(),
            measures: String::new(),
            target_date: "01.06.2027".into(),
        };
        assert_eq!(
            Goal::parse(&input, TODAY).unwrap().dimension,
            Dimension::SchoolAndLearning
        );
        for (change, field, message) in [
            (
                GoalInput {
                    wording: " ".into(),
                    ..input.clone()
                },
                "wording",
                "Udfyld målets formulering",
            ),
            (
                GoalInput {
                    target_date: "23.11.2026".into(),
                    ..input.clone()
                },
                "target_date",
                "efter i dag",
            ),
            (
                GoalInput {
                    dimension: "x".into(),
                    ..input.clone()
                },
                "dimension",
                "ICS-dimensioner",
            ),
        ] {
            let errors = Goal::parse(&change, TODAY).unwrap_err();
            assert!(
                errors.for_field(field).unwrap().contains(message),
                "{field}"
            );
        }
    }

    #[test]
    fn scores_are_one_to_five() {
        assert_eq!(score("3"), Ok(3));
        for bad in ["0", "6", "", "tre"] {
            assert!(score(bad).is_err(), "{bad}");
        }
        assert_eq!(SCORES.len(), 5);
    }

    /// BL § 95, stk. 3: the next follow-up's date and its reason are mandatory.
    #[test]
    fn a_follow_up_needs_the_next_date_and_its_reason() {
        let errors = FollowUp::parse(
            &FollowUpInput {
                decision: "continue".into(),
                ..Default::default()
            },
            TODAY,
        )
        .unwrap_err();
        assert!(errors.for_field("next_date").unwrap().contains("§ 95"));
        assert!(errors.for_field("next_reason").is_some());
        let past = FollowUp::parse(
            &FollowUpInput {
                decision: "stop".into(),
                next_date: "01.01.2026".into(),
                next_reason: "Afsluttende opfølgning".into(),
                ..Default::default()
            },
            TODAY,
        )
        .unwrap_err();
        assert!(past.for_field("next_date").unwrap().contains("efter i dag"));
    }
}
