//! The paragraph catalogue: legal bases a decision can rest on (DOMAIN.md §5). Barnets lov = lov
//! nr. 721 af 13/06/2023 (LBK nr. 282 af 17/03/2025). Kept as data so a paragraph can be added or
//! corrected without touching logic.

use serde::Serialize;

/// A legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub id: &'static str,
    /// As cited in letters, e.g. "Barnets lov § 32, stk. 1, nr. 3".
    pub citation: &'static str,
    pub title: &'static str,
}

const fn p(id: &'static str, citation: &'static str, title: &'static str) -> Paragraph {
    Paragraph {
        id,
        citation,
        title,
    }
}

pub const PARAGRAPHS: &[Paragraph] = &[
    p("bl30", "Barnets lov § 30", "Tidligt forebyggende indsats"),
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
}
