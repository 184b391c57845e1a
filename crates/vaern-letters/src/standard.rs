//! The standard set of letters every municipality starts with; an administrator's saved
//! version of a template replaces the standard one for that municipality.

/// Whom a kind of letter is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    /// The professional who made the underretning.
    Notifier,
    /// The custody holders, or another recipient the caseworker names.
    Parties,
    /// Not a letter of its own (the letterhead).
    None,
}

/// How a letter's own field is filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Line,
    Text,
    /// One of these (code, label) pairs.
    Choice(&'static [(&'static str, &'static str)]),
}

/// A field the caseworker fills in when making the letter (`brev.<name>` in the template).
#[derive(Debug, Clone, Copy)]
pub struct LetterField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// The value on the demo case.
    pub demo: &'static str,
}

/// A kind of letter and its standard template.
#[derive(Debug, Clone, Copy)]
pub struct Standard {
    pub key: &'static str,
    pub name: &'static str,
    /// The document kind the letter is filed as (`outgoing`, `decision`).
    pub document_kind: &'static str,
    pub addressee: Addressee,
    pub fields: &'static [LetterField],
    pub title: &'static str,
    pub body: &'static str,
}

impl Standard {
    pub fn field(&self, name: &str) -> Option<&LetterField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The demo values of the letter's own fields.
    pub fn demo_fields(&self) -> Vec<(&'static str, &'static str)> {
        self.fields.iter().map(|f| (f.name, f.demo)).collect()
    }
}

/// The key of the letterhead, which heads every letter.
pub const LETTERHEAD: &str = "brevhoved";

pub const OUTCOMES: &[(&str, &str)] = &[
    ("bevilling", "Bevilling"),
    ("delvis_bevilling", "Delvis bevilling"),
    ("afslag", "Afslag"),
];

const fn field(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: FieldKind,
    demo: &'static str,
) -> LetterField {
    LetterField {
        name,
        label,
        hint,
        kind,
        required: true,
        demo,
    }
}

const fn optional(mut field: LetterField) -> LetterField {
    field.required = false;
    field
}

use FieldKind::{Choice, Line, Text};

pub const STANDARD: &[Standard] = &[
    Standard {
        key: LETTERHEAD,
        name: "Brevhoved",
        document_kind: "outgoing",
        addressee: Addressee::None,
        fields: &[],
        title: "Brevhoved",
        body: include_str!("../templates/brevhoved.txt"),
    },
    Standard {
        key: "kvittering_underretning",
        name: "Kvittering for underretning",
        document_kind: "outgoing",
        addressee: Addressee::Notifier,
        fields: &[],
        title: "Kvittering for modtagelse af underretning",
        body: include_str!("../templates/kvittering_underretning.txt"),
    },
    Standard {
        key: "tilbagemelding_underretter",
        name: "Tilbagemelding til underretter",
        document_kind: "outgoing",
        addressee: Addressee::Notifier,
        fields: &[field(
            "ivaerksat",
            "Hvad er iværksat",
            "Fx «Vi har iværksat en børnefaglig undersøgelse» eller «Vi har ikke fundet grundlag for at iværksætte en undersøgelse eller indsats»",
            Text,
            "Vi har iværksat en børnefaglig undersøgelse af barnets forhold.",
        )],
        title: "Tilbagemelding på din underretning",
        body: include_str!("../templates/tilbagemelding_underretter.txt"),
    },
    Standard {
        key: "indkaldelse",
        name: "Indkaldelse til møde eller samtale",
        document_kind: "outgoing",
        addressee: Addressee::Parties,
        fields: &[
            field(
                "tidspunkt",
                "Tidspunkt",
                "Fx «torsdag den 3. december 2026 kl. 10.00»",
                Line,
                "torsdag den 3. december 2026 kl. 10.00",
            ),
            field(
                "sted",
                "Sted",
                "Adresse og lokale",
                Line,
                "Rådhuset, mødelokale 2",
            ),
            field(
                "formaal",
                "Formål",
                "Hvad mødet skal handle om",
                Text,
                "At tale om, hvordan det går Emma i skolen, og om der er behov for støtte.",
            ),
            optional(field(
                "deltagere",
                "Deltagere",
                "Hvem der ellers deltager (valgfrit)",
                Text,
                "Emmas klasselærer deltager også.",
            )),
        ],
        title: "Indkaldelse til møde",
        body: include_str!("../templates/indkaldelse.txt"),
    },
    Standard {
        key: "partshoering",
        name: "Partshøring",
        document_kind: "outgoing",
        addressee: Addressee::Parties,
        fields: &[
            field(
                "paataenkt",
                "Påtænkt afgørelse",
                "Hvad kommunen overvejer at beslutte",
                Text,
                "Kommunen overvejer at bevilge familiebehandling efter barnets lov § 32, stk. 1, nr. 3.",
            ),
            field(
                "oplysninger",
                "Oplysninger i sagen",
                "De faktiske oplysninger, afgørelsen vil bygge på",
                Text,
                "Skolens udtalelse af 2. november 2026 og samtalen med Emma den 10. november 2026.",
            ),
            field(
                "svarfrist",
                "Svarfrist",
                "Fx «14. december 2026»",
                Line,
                "14. december 2026",
            ),
        ],
        title: "Partshøring",
        body: include_str!("../templates/partshoering.txt"),
    },
    Standard {
        key: "afgoerelse",
        name: "Afgørelse",
        document_kind: "decision",
        addressee: Addressee::Parties,
        fields: &[
            field(
                "udfald",
                "Udfald",
                "Bevilling, delvis bevilling eller afslag",
                Choice(OUTCOMES),
                "delvis_bevilling",
            ),
            field(
                "afgoerelse",
                "Afgørelsen",
                "Hvad kommunen har besluttet",
                Text,
                "Kommunen bevilger familiebehandling 2 timer om ugen i 6 måneder. Ansøgningen om aflastning imødekommes ikke.",
            ),
            field(
                "lovgrundlag",
                "Lovgrundlag",
                "Fx «barnets lov § 32, stk. 1, nr. 3»",
                Line,
                "barnets lov § 32, stk. 1, nr. 3",
            ),
            field(
                "begrundelse",
                "Begrundelse",
                "De hovedhensyn og oplysninger, afgørelsen bygger på (forvaltningsloven §§ 22-24)",
                Text,
                "Undersøgelsen viser, at familien har brug for støtte til at skabe struktur i hverdagen. Aflastning vurderes ikke nødvendig nu.",
            ),
            optional(field(
                "klagevejledning",
                "Klagevejledning",
                "Tom: standardteksten om klage til Ankestyrelsen. Udelades ved fuld bevilling (forvaltningsloven § 25)",
                Text,
                "",
            )),
        ],
        title: "Afgørelse",
        body: include_str!("../templates/afgoerelse.txt"),
    },
    Standard {
        key: "barnets_plan",
        name: "Barnets plan",
        document_kind: "outgoing",
        addressee: Addressee::Parties,
        fields: &[
            field(
                "formaal",
                "Formålet med indsatsen",
                "Barnets lov § 91",
                Text,
                "At Emma trives i skolen og har en stabil hverdag.",
            ),
            field(
                "maal",
                "Mål",
                "Et mål pr. linje",
                Text,
                "Emma kommer i skole hver dag.\nEmma har en fast sengetid.",
            ),
            field(
                "indsatser",
                "Indsatser",
                "Hvilke indsatser der skal støtte målene",
                Text,
                "Familiebehandling 2 timer om ugen.",
            ),
            field(
                "opfoelgning",
                "Første opfølgning",
                "Dato for første opfølgning",
                Line,
                "1. marts 2027",
            ),
        ],
        title: "Barnets plan",
        body: include_str!("../templates/barnets_plan.txt"),
    },
    Standard {
        key: "opfoelgning",
        name: "Opfølgning",
        document_kind: "outgoing",
        addressee: Addressee::Parties,
        fields: &[
            field(
                "vurdering",
                "Vurdering",
                "Hvordan det går med målene",
                Text,
                "Emma kommer nu i skole næsten hver dag.",
            ),
            field(
                "beslutning",
                "Beslutning",
                "Fortsæt, justér eller afslut indsatsen",
                Line,
                "Indsatsen fortsætter uændret.",
            ),
            field(
                "naeste",
                "Næste opfølgning",
                "Dato og begrundelse (barnets lov § 95, stk. 3)",
                Line,
                "1. juni 2027, fordi målene endnu ikke er nået",
            ),
        ],
        title: "Opfølgning på indsatsen",
        body: include_str!("../templates/opfoelgning.txt"),
    },
];

/// The standard letter with this key.
pub fn standard(key: &str) -> Option<&'static Standard> {
    STANDARD.iter().find(|s| s.key == key)
}
