//! One id type per table, so a user id can never be passed where a child id belongs.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(uuid::Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// A municipality (tenant).
    MunicipalityId;
    /// A team in a municipality.
    TeamId;
    /// A user (employee).
    UserId;
    /// A child; also the `person_id` of the access log for children.
    ChildId;
    /// A child's case (barnets sag).
    ChildCaseId;
    /// A journal entry.
    JournalEntryId;
    /// An access-log row.
    AccessLogId;
    /// An API token.
    ApiTokenId;
    /// A sub-case (delsag) of a child's case.
    SubCaseId;
    /// A step of a sub-case.
    StepId;
    /// A deadline instance.
    DeadlineId;
    /// An underretning.
    NotificationId;
    /// A decision (afgørelse).
    DecisionId;
    /// A document on a child's case.
    DocumentId;
    /// One version of a document.
    DocumentVersionId;
    /// One saved version of a municipality's letter template.
    LetterTemplateId;
    /// A person in a child's network.
    PersonId;
    /// A person's relation to a child.
    RelationId;
    /// An organisation in the municipality's address book.
    OrganisationId;
    /// A professional in the municipality's address book.
    ProfessionalId;
    /// A professional's link to a child.
    ChildProfessionalId;
    /// A børnefaglig undersøgelse (one per investigation sub-case).
    InvestigationId;
    /// A source of a statement in an investigation.
    SourceId;
    /// One version of barnets plan.
    PlanId;
    /// A goal in one plan version.
    GoalId;
    /// The same goal across plan versions.
    GoalKey;
    /// A follow-up on barnets plan.
    FollowUpId;
    /// A provider (udfører) of offers.
    ProviderId;
    /// An offer (tilbud) of a provider.
    OfferId;
    /// One price period of an offer.
    PricePeriodId;
    /// A mass price update.
    PriceUpdateId;
    /// A measure (indsats) on a child's case.
    MeasureId;
    /// A monthly payment run.
    PaymentRunId;
    /// One line of a payment run.
    PaymentLineId;
}
