//! When the child is a party (barnets lov § 3, LBK nr. 282 af 17/03/2025): a child who has turned
//! 10 exercises a party's powers in the cases the section lists. In those cases the child gets
//! the decision and its klagevejledning in their own name and may appeal without the parents.

use time::Date;

use crate::dates::age_on;
use crate::law::Paragraph;

/// The age from which the child is a party (barnets lov § 3).
pub const PARTY_AGE: i32 = 10;

/// The cases barnets lov § 3, nr. 1-10 lists, as the network page shows them.
pub const PARTY_CASES: [&str; 10] = [
    "støttende indsatser efter § 32, stk. 1",
    "social stofmisbrugsbehandling efter § 33",
    "børne- og ungepålæg efter § 39",
    "anbringelse uden for hjemmet efter § 46",
    "valg af anbringelsessted efter § 52",
    "behandling og uddannelse m.v. efter § 97, stk. 2",
    "hjemgivelse og hjemgivelsesperiode efter § 100, stk. 1",
    "samvær og kontakt efter § 104, stk. 2-5",
    "ungestøtte efter §§ 114-116 og opretholdt anbringelse efter § 120, truffet efter § 111 og \
     § 112, stk. 3, inden den unge fylder 18 år",
    "sager, der behandles efter §§ 142, 143, 146-148 og 151 (bl.a. børne- og ungeudvalgets \
     afgørelser)",
];

/// Whether a child born on `birth` has turned 10 on `on`.
pub fn of_party_age(birth: Date, on: Date) -> bool {
    age_on(birth, on) >= PARTY_AGE
}

/// Whether the child is a party to a decision on `basis` made on `on`.
pub fn child_is_party(basis: &Paragraph, birth: Date, on: Date) -> bool {
    basis.child_party.is_some() && of_party_age(birth, on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::paragraph;
    use time::macros::date;

    /// Barnets lov § 3: a party from the 10th birthday, in the cases nr. 1-10 list — § 32, stk. 1
    /// (nr. 1), § 46 (nr. 4), § 47 through § 142 (nr. 10), § 114 before 18 through § 111
    /// (nr. 9) — and not for a § 30 forebyggende tilbud, which is no decision.
    #[test]
    fn bl_3_a_child_of_ten_is_a_party_in_the_cases_the_section_lists() {
        let birth = date!(2016 - 12 - 04);
        let table = [
            ("bl32_1_3", date!(2026 - 12 - 03), false),
            ("bl32_1_3", date!(2026 - 12 - 04), true),
            ("bl46", date!(2026 - 12 - 04), true),
            ("bl47", date!(2026 - 12 - 04), true),
            ("bl114", date!(2034 - 06 - 01), true),
            ("bl30", date!(2030 - 01 - 01), false),
        ];
        for (basis, on, party) in table {
            let basis = paragraph(basis).expect("in the catalogue");
            assert_eq!(child_is_party(basis, birth, on), party, "{} {on}", basis.id);
        }
    }
}
