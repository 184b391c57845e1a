//! The paragraph catalogue: legal bases a decision can rest on (DOMAIN.md §5). Barnets lov = lov
//! nr. 721 af 13/06/2023 (LBK nr. 282 af 17/03/2025). Kept as data so a paragraph can be added or
//! corrected without touching logic.

use serde::Serialize;

/// A section (paragraf) of Barnets lov, e.g. `Section(32)` for § 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Section(pub u16);

/// A legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub id: &'static str,
    /// The section of Barnets lov it belongs to.
    pub section: Section,
    /// Whether the municipality gives it by an afgørelse. A § 30 forebyggende tilbud is given
    /// without one (so without klagevejledning, appeal deadline or § 95 follow-up): it is a
    /// measure, never a decision basis.
    pub by_decision: bool,
    /// The number in barnets lov § 3 that makes a child of 10 a party to decisions on it.
    pub child_party: Option<u8>,
    /// As cited in letters, e.g. "Barnets lov § 32, stk. 1, nr. 3".
    pub citation: &'static str,
    pub title: &'static str,
}

const fn p(id: &'static str, citation: &'static str, title: &'static str) -> Paragraph {
    let section = section_of(id);
    Paragraph {
        id,
        section: Section(section),
        by_decision: true,
        child_party: party_number(section),
        citation,
        title,
    }
}

/// The number of barnets lov § 3 a decision under the section falls under: § 32, stk. 1 (nr. 1),
/// § 46 (nr. 4), § 114 decided under § 111 before 18 (nr. 9) and § 47, which
/// børne- og ungeudvalget decides under § 142 (nr. 10).
const fn party_number(section: u16) -> Option<u8> {
    match section {
        32 => Some(1),
        46 => Some(4),
        114 => Some(9),
        47 => Some(10),
        _ => None,
    }
}

/// The section number in an id such as `bl32_1_3`.
const fn section_of(id: &str) -> u16 {
    let bytes = id.as_bytes();
    let mut i = 2;
    let mut n = 0u16;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        n = n * 10 + (bytes[i] - b'0') as u16;
        i += 1;
    }
    n
}

pub const PARAGRAPHS: &[Paragraph] = &[
    Paragraph {
        by_decision: false,
        child_party: None,
        ..p("bl30", "Barnets lov § 30", "Tidligt forebyggende indsats")
    },
    p(
        "bl32_1_1",
        "Barnets lov § 32, stk. 1, nr. 1",
        "Ophold i dagtilbud, fritidshjem, ungdomsklub, uddannelsessted el.lign.",
    ),
    p(
        "bl32_1_2",
        "Barnets lov § 32, stk. 1, nr. 2",
        "Praktisk, pædagogisk eller anden støtte i hjemmet",
    ),
    p(
        "bl32_1_3",
        "Barnets lov § 32, stk. 1, nr. 3",
        "Fast kontaktperson for barnet eller familien",
    ),
    p(
        "bl32_1_4",
        "Barnets lov § 32, stk. 1, nr. 4",
        "Formidling af praktiktilbud med godtgørelse",
    ),
    p(
        "bl32_1_5",
        "Barnets lov § 32, stk. 1, nr. 5",
        "Familiebehandling eller behandling af barnet",
    ),
    p(
        "bl32_1_6",
        "Barnets lov § 32, stk. 1, nr. 6",
        "Familieanbringelse (døgnophold for hele familien)",
    ),
    p(
        "bl32_1_7",
        "Barnets lov § 32, stk. 1, nr. 7",
        "Støtteophold i plejefamilie eller børne- og ungehjem",
    ),
    p(
        "bl32_1_8",
        "Barnets lov § 32, stk. 1, nr. 8",
        "Anden hjælp (rådgivning, behandling, praktisk og pædagogisk støtte)",
    ),
    p(
        "bl46",
        "Barnets lov § 46",
        "Anbringelse uden for hjemmet med samtykke",
    ),
    p(
        "bl47",
        "Barnets lov § 47",
        "Anbringelse uden for hjemmet uden samtykke",
    ),
    p(
        "bl114",
        "Barnets lov § 114",
        "Ungestøtte til unge på 18-22 år (efterværn)",
    ),
];

/// The paragraph with this id.
pub fn paragraph(id: &str) -> Option<&'static Paragraph> {
    PARAGRAPHS.iter().find(|p| p.id == id)
}

/// The paragraphs a decision can rest on.
pub fn decision_bases() -> impl Iterator<Item = &'static Paragraph> {
    PARAGRAPHS.iter().filter(|p| p.by_decision)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Barnets lov § 32, stk. 1 lists 8 kinds of støttende indsats (DOMAIN.md §5).
    #[test]
    fn section_32_has_its_eight_kinds_and_ids_are_unique() {
        assert_eq!(
            PARAGRAPHS
                .iter()
                .filter(|p| p.id.starts_with("bl32_1_"))
                .count(),
            8
        );
        let mut ids: Vec<_> = PARAGRAPHS.iter().map(|p| p.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), PARAGRAPHS.len());
    }

    #[test]
    fn each_paragraph_knows_its_section() {
        assert_eq!(paragraph("bl32_1_3").unwrap().section, Section(32));
        assert_eq!(paragraph("bl46").unwrap().section, Section(46));
        assert_eq!(paragraph("bl114").unwrap().section, Section(114));
    }

    /// Barnets lov § 30: a forebyggende tilbud is given without an afgørelse, so it is never a
    /// decision basis (no klagevejledning, appeal deadline or § 95 follow-up) but stays a measure.
    #[test]
    fn section_30_is_a_measure_but_no_decision_basis() {
        assert!(paragraph("bl30").is_some());
        assert!(decision_bases().all(|p| p.section != Section(30)));
        assert!(decision_bases().any(|p| p.section == Section(47)));
    }
}
