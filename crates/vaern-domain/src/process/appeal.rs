//! When a decision counts as received, which starts the appeal deadline (retssikkerhedslovens
//! § 67): the channel it was sent by turns the moment it was sent into that moment. A decision
//! sent by Digital Post is received when it is available in the recipient's inbox; a letter by
//! post when it can be expected delivered; a decision handed over in person when it is handed
//! over.

use serde::Serialize;
use time::OffsetDateTime;

use crate::calendar::{Calendar, danish_date, danish_local};

/// How a decision was made known to the party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    DigitalPost,
    Letter,
    InPerson,
}

/// The working days after which an ordinary letter is assumed received (Justitsministeriets
/// vejledning om beregning af klagefrister of 2018, which Ankestyrelsen follows: 6 hverdage
/// after the letter is dated and sent; Digital Post the same day).
pub const LETTER_DELIVERY_WORKING_DAYS: u32 = 6;

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::DigitalPost, Channel::Letter, Channel::InPerson];

    pub fn code(self) -> &'static str {
        match self {
            Channel::DigitalPost => "digital_post",
            Channel::Letter => "letter",
            Channel::InPerson => "in_person",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::DigitalPost => "Digital Post",
            Channel::Letter => "Brev med posten",
            Channel::InPerson => "Udleveret personligt",
        }
    }

    /// Why the channel's moment of receipt is what it is (shown where the deadline is).
    pub fn source(self) -> &'static str {
        match self {
            Channel::DigitalPost => {
                "Modtaget, når meddelelsen er tilgængelig i modtagerens digitale postkasse \
                 (lov om Digital Post fra offentlige afsendere § 10)"
            }
            Channel::Letter => {
                "Modtaget den dag, brevet kan forventes omdelt: 6 hverdage efter afsendelsen \
                 (Justitsministeriets vejledning om beregning af klagefrister fra 2018, som \
                 Ankestyrelsen følger)"
            }
            Channel::InPerson => "Modtaget, da afgørelsen blev udleveret",
        }
    }

    pub fn parse(code: &str) -> Result<Channel, String> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| {
                "Vælg, hvordan afgørelsen blev sendt: Digital Post, brev eller personligt".into()
            })
    }

    /// The moment a decision sent at `sent_at` counts as received. A letter is delivered on a
    /// postal working day (weekends and public holidays excluded), at the start of that day.
    pub fn received_at(self, sent_at: OffsetDateTime) -> OffsetDateTime {
        match self {
            Channel::DigitalPost | Channel::InPerson => sent_at,
            Channel::Letter => danish_local(
                Calendar::statutory()
                    .add_working_days(danish_date(sent_at), LETTER_DELIVERY_WORKING_DAYS),
                time::Time::MIDNIGHT,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Lov om Digital Post fra offentlige afsendere § 10: received when available.
    #[test]
    fn digital_post_is_received_when_it_is_available() {
        let sent = datetime!(2026 - 12 - 04 15:30 +01:00);
        assert_eq!(Channel::DigitalPost.received_at(sent), sent);
        assert_eq!(Channel::InPerson.received_at(sent), sent);
    }

    /// Retssikkerhedslovens § 67: a letter counts from the day it can be expected delivered
    /// (Justitsministeriets vejledning 2018: 6 hverdage).
    #[test]
    fn a_letter_is_received_six_postal_working_days_after_posting() {
        let table = [
            // Fri 4.12.2026 → 7, 8, 9, 10, 11, 14.12.
            (
                datetime!(2026 - 12 - 04 15:30 +01:00),
                datetime!(2026 - 12 - 14 00:00 +01:00),
            ),
            // Tue 22.12.2026 → 23, 24 (a postal working day), 28, 29, 30, 31.12.
            (
                datetime!(2026 - 12 - 22 10:00 +01:00),
                datetime!(2026 - 12 - 31 00:00 +01:00),
            ),
            // Wed 24.3.2027: Easter is 28.3, so 25.3-29.3 are closed → 30.3, 31.3, 1.4, 2.4, 5.4, 6.4.
            (
                datetime!(2027 - 03 - 24 09:00 +01:00),
                datetime!(2027 - 04 - 06 00:00 +02:00),
            ),
        ];
        for (sent, received) in table {
            assert_eq!(Channel::Letter.received_at(sent), received, "{sent}");
        }
    }

    #[test]
    fn channels_parse_from_their_codes() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.code()), Ok(channel));
        }
        assert!(Channel::parse("fax").is_err());
    }
}
