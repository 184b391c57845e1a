//! A streaming reader of CPR extracts in the layout described in the crate's README, and (in
//! [`generate`]) a writer of synthetic extracts for tests and benchmarks.
//!
//! A municipality's extract holds every person in it, so the reader never holds more than one
//! person: it reads a line at a time into a reused buffer and yields each person as soon as the
//! next person's 001 record (or the 999 end record) shows that the person is complete.
//!
//! A bad record rejects only the person it belongs to: one error is yielded for the person, the
//! person's remaining records are skipped, and reading goes on with the next 001. An import can
//! then load everyone else and show the caseworker a list of lines to have corrected.

pub mod generate;

use std::{
    collections::VecDeque,
    fmt,
    io::{BufRead, Read},
    iter::FusedIterator,
};

use time::{Date, Month};
use vaern_domain::{
    cpr::Cpr,
    register::{RegisterAddress, RegisterPerson, RegisterStatus},
};

/// Real records are under 300 bytes. The cap keeps a file without line breaks (a wrong file, or
/// a damaged one) from growing the buffer to the size of the file.
const MAX_LINE_BYTES: usize = 4096;

/// A problem with one line of an extract, or with the extract as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractError {
    /// 1-based line number. For a missing end record it is one past the last line.
    pub line: u64,
    /// What is wrong, in Danish, for the caseworker or operator running the import.
    pub message: String,
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "linje {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ExtractError {}

/// Reads persons from an extract one at a time; see the crate's README for the layout.
///
/// Each item is a complete person or an error; after an error the iterator goes on with the
/// next person, except after an I/O error, which ends it.
pub struct ExtractReader<R: BufRead> {
    reader: R,
    buf: Vec<u8>,
    lines: u64,
    bytes: u64,
    extract_date: Option<Date>,
    /// Whether a non-blank line has been seen: the first one must be the 000 record.
    seen_record: bool,
    /// 001 records seen, valid or not: what the 999 record counts.
    person_records: u64,
    current: Option<Draft>,
    /// The current person was rejected: their remaining records are skipped without errors.
    skipping: bool,
    end_seen: bool,
    reported_after_end: bool,
    finished: bool,
    /// At most two items: one line can complete a person and be wrong itself.
    pending: VecDeque<Result<RegisterPerson, ExtractError>>,
}

impl<R: BufRead> ExtractReader<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::with_capacity(256),
            lines: 0,
            bytes: 0,
            extract_date: None,
            seen_record: false,
            person_records: 0,
            current: None,
            skipping: false,
            end_seen: false,
            reported_after_end: false,
            finished: false,
            pending: VecDeque::with_capacity(2),
        }
    }

    /// The extract date from the 000 record once it has been read (None before / if missing).
    pub fn extract_date(&self) -> Option<Date> {
        self.extract_date
    }

    /// Lines read so far (for progress reporting).
    pub fn lines_read(&self) -> u64 {
        self.lines
    }

    /// Bytes read so far (for progress reporting against the file size).
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn error(&mut self, line: u64, message: impl Into<String>) {
        self.pending.push_back(Err(ExtractError {
            line,
            message: message.into(),
        }));
    }

    fn finish_person(&mut self) {
        if let Some(draft) = self.current.take() {
            self.pending.push_back(Ok(draft.person));
        }
    }

    /// Reads one line, or handles the end of the file, queueing what it produces.
    fn step(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        match read_line(&mut self.reader, &mut buf) {
            Err(error) => {
                // The person in progress may be missing records that were never read.
                self.current = None;
                self.finished = true;
                self.error(
                    self.lines + 1,
                    format!("Udtrækket kunne ikke læses: {error}"),
                );
            }
            Ok(None) => {
                self.finished = true;
                if !self.seen_record {
                    self.error(1, "Udtrækket er tomt – filen indeholder ingen poster");
                } else {
                    self.finish_person();
                    if !self.end_seen {
                        self.error(
                            self.lines + 1,
                            "Udtrækket mangler slutpost (999) – filen kan være afkortet",
                        );
                    }
                }
            }
            Ok(Some(read)) => {
                self.lines += 1;
                self.bytes += read.bytes;
                self.process(&buf, read.too_long);
            }
        }
        self.buf = buf;
    }

    fn process(&mut self, raw: &[u8], too_long: bool) {
        let line = self.lines;
        let mut raw = raw;
        raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line == 1 {
            // Windows tools often start a UTF-8 file with a byte order mark.
            raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }

        // The record type is read from the bytes so that a line that is not UTF-8 or is too long
        // still counts as the record it claims to be: a person must not vanish without a count.
        let code = raw.split(|&b| b == b';').next().unwrap_or(raw).trim_ascii();
        let kind = Kind::from_code(code);
        let text = if too_long {
            Err(format!("Linjen er længere end {MAX_LINE_BYTES} byte"))
        } else {
            std::str::from_utf8(raw)
                .map_err(|_| "Linjen er ikke gyldig UTF-8 – udtrækket skal være UTF-8-kodet".into())
        };

        let first = !self.seen_record;
        self.seen_record = true;
        if first && kind != Kind::Start {
            self.error(1, "Udtrækket mangler startpost (000) på første linje");
        }
        if self.end_seen {
            if !self.reported_after_end {
                self.reported_after_end = true;
                self.error(
                    line,
                    "Der står poster efter slutposten (999); de er ikke læst",
                );
            }
            return;
        }

        match kind {
            Kind::Start => {
                if !first {
                    self.error(line, "Startposten (000) må kun stå på første linje");
                } else {
                    match text.and_then(parse_start) {
                        Ok(date) => self.extract_date = Some(date),
                        Err(message) => self.error(line, message),
                    }
                }
            }
            Kind::End => {
                self.finish_person();
                self.end_seen = true;
                match text.and_then(parse_end) {
                    Ok(count) if count == self.person_records => {}
                    Ok(count) => {
                        let found = self.person_records;
                        self.error(
                            line,
                            format!(
                                "Slutposten (999) angiver {count} personer, men udtrækket \
                                 indeholder {found} personposter (001)"
                            ),
                        );
                    }
                    Err(message) => self.error(line, message),
                }
            }
            Kind::Person => {
                self.person_records += 1;
                self.finish_person();
                match text.and_then(parse_person) {
                    Ok(person) => {
                        self.skipping = false;
                        self.current = Some(Draft {
                            person,
                            line,
                            parents_seen: false,
                        });
                    }
                    Err(message) => {
                        self.skipping = true;
                        self.error(line, message);
                    }
                }
            }
            Kind::Address | Kind::Parents | Kind::Custody => {
                if self.skipping {
                    return;
                }
                let Some(draft) = self.current.as_mut() else {
                    self.skipping = true;
                    let code = kind.code();
                    self.error(
                        line,
                        format!("Post {code} står uden en forudgående personpost (001)"),
                    );
                    return;
                };
                if let Err(message) = text.and_then(|text| draft.apply(kind, text)) {
                    self.current = None;
                    self.skipping = true;
                    self.error(line, message);
                }
            }
            Kind::Unknown => {
                // Always reported, even while skipping: it may be a person's record in a form we
                // do not know, and a person must not disappear silently.
                if self.current.take().is_some() {
                    self.skipping = true;
                }
                let shown: String = String::from_utf8_lossy(code).chars().take(20).collect();
                self.error(
                    line,
                    format!(
                        "Ukendt posttype «{shown}» (forventet 000, 001, 002, 003, 004 eller 999)"
                    ),
                );
            }
        }
    }
}

impl<R: BufRead> Iterator for ExtractReader<R> {
    type Item = Result<RegisterPerson, ExtractError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            self.step();
        }
    }
}

impl<R: BufRead> FusedIterator for ExtractReader<R> {}

struct LineRead {
    bytes: u64,
    too_long: bool,
}

/// Reads up to and including the next `\n` into `buf`, keeping at most [`MAX_LINE_BYTES`] of it.
/// Bytes rather than a `String` so that a line that is not UTF-8 is a line error, not an I/O
/// error that would end the import.
fn read_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>) -> std::io::Result<Option<LineRead>> {
    let limit = MAX_LINE_BYTES as u64 + 2; // room for "\r\n"
    let kept = <&mut R as Read>::take(&mut *reader, limit).read_until(b'\n', buf)?;
    if kept == 0 {
        return Ok(None);
    }
    let mut read = LineRead {
        bytes: kept as u64,
        too_long: false,
    };
    let mut content = &buf[..];
    content = content.strip_suffix(b"\n").unwrap_or(content);
    content = content.strip_suffix(b"\r").unwrap_or(content);
    if content.len() > MAX_LINE_BYTES {
        read.too_long = true;
        if !buf.ends_with(b"\n") {
            read.bytes += reader.skip_until(b'\n')? as u64;
        }
    }
    Ok(Some(read))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    Person,
    Address,
    Parents,
    Custody,
    End,
    Unknown,
}

impl Kind {
    fn from_code(code: &[u8]) -> Self {
        match code {
            b"000" => Kind::Start,
            b"001" => Kind::Person,
            b"002" => Kind::Address,
            b"003" => Kind::Parents,
            b"004" => Kind::Custody,
            b"999" => Kind::End,
            _ => Kind::Unknown,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Kind::Start => "000",
            Kind::Person => "001",
            Kind::Address => "002",
            Kind::Parents => "003",
            Kind::Custody => "004",
            Kind::End => "999",
            Kind::Unknown => "?",
        }
    }
}

/// A person whose 001 record has been read and whose 002/003/004 records may still follow.
struct Draft {
    person: RegisterPerson,
    /// The line of the 001 record, to point at it when a later record does not match.
    line: u64,
    parents_seen: bool,
}

impl Draft {
    fn apply(&mut self, kind: Kind, text: &str) -> Result<(), String> {
        match kind {
            Kind::Address => {
                let [_, cpr, municipality, street, unit, postcode, town] = fields(text, kind)?;
                self.check_owner(cpr)?;
                if self.person.address.is_some() {
                    return Err("Personen har mere end én adressepost (002)".into());
                }
                let municipality = digits(municipality, 3, "kommunekode")?;
                let street = required(street, 4, "vej og husnummer")?;
                let postcode = digits(postcode, 6, "postnummer")?;
                let town = required(town, 7, "by")?;
                let first = if unit.is_empty() {
                    street.to_owned()
                } else {
                    format!("{street}, {unit}")
                };
                self.person.address = Some(RegisterAddress {
                    municipality_code: municipality.to_owned(),
                    lines: vec![first, format!("{postcode} {town}")],
                });
            }
            Kind::Parents => {
                let [_, cpr, mother, father] = fields(text, kind)?;
                self.check_owner(cpr)?;
                if self.parents_seen {
                    return Err("Personen har mere end én forældrepost (003)".into());
                }
                let mother = optional_cpr(mother, 3)?;
                let father = optional_cpr(father, 4)?;
                if mother.as_ref() == Some(&self.person.cpr) {
                    return Err("Personen er angivet som sin egen mor (felt 3)".into());
                }
                if father.as_ref() == Some(&self.person.cpr) {
                    return Err("Personen er angivet som sin egen far (felt 4)".into());
                }
                if mother.is_some() && mother == father {
                    return Err("Mor (felt 3) og far (felt 4) har samme CPR-nummer".into());
                }
                self.parents_seen = true;
                self.person.mother = mother;
                self.person.father = father;
            }
            Kind::Custody => {
                let [_, cpr, holder] = fields(text, kind)?;
                self.check_owner(cpr)?;
                let holder = cpr_field(holder, 3)?;
                if holder == self.person.cpr {
                    return Err(
                        "Personen er angivet som indehaver af forældremyndigheden over sig selv \
                         (felt 3)"
                            .into(),
                    );
                }
                if self.person.custody.contains(&holder) {
                    return Err(
                        "Samme indehaver af forældremyndigheden står to gange for personen".into(),
                    );
                }
                self.person.custody.push(holder);
            }
            Kind::Start | Kind::Person | Kind::End | Kind::Unknown => {
                unreachable!("only 002, 003 and 004 belong to a person in progress")
            }
        }
        Ok(())
    }

    /// 002, 003 and 004 repeat the person's CPR number so that a missing or misplaced 001 is
    /// caught instead of giving one person another's address or parents.
    fn check_owner(&self, cpr: &str) -> Result<(), String> {
        let cpr = cpr_field(cpr, 2)?;
        if cpr != self.person.cpr {
            return Err(format!(
                "CPR-nummeret i felt 2 er ikke personens fra personposten (001) på linje {}",
                self.line
            ));
        }
        Ok(())
    }
}

fn parse_start(text: &str) -> Result<Date, String> {
    let [_, date] = fields(text, Kind::Start)?;
    date_field(date, 2)
}

fn parse_end(text: &str) -> Result<u64, String> {
    let [_, count] = fields(text, Kind::End)?;
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "Ugyldigt antal personer i felt 2: «{count}» (forventet et heltal)"
        ));
    }
    count
        .parse()
        .map_err(|_| format!("Antallet af personer i felt 2 er for stort: «{count}»"))
}

fn parse_person(text: &str) -> Result<RegisterPerson, String> {
    let [_, cpr, first_name, last_name, status, status_date] = fields(text, Kind::Person)?;
    let cpr = cpr_field(cpr, 2)?;
    let first_name = required(first_name, 3, "fornavne")?;
    let last_name = required(last_name, 4, "efternavn")?;
    let status = match (status, status_date) {
        ("01", "") => RegisterStatus::Active,
        ("01", _) => {
            return Err("Statusdatoen i felt 6 skal være tom for status 01 (aktiv)".into());
        }
        ("70" | "80", "") => {
            return Err(format!(
                "Statusdato mangler i felt 6: status {status} kræver en dato"
            ));
        }
        ("70", date) => RegisterStatus::Dead(date_field(date, 6)?),
        ("80", date) => RegisterStatus::Emigrated(date_field(date, 6)?),
        (other, _) => {
            return Err(format!(
                "Ukendt statuskode i felt 5: «{other}» (forventet 01, 70 eller 80)"
            ));
        }
    };
    Ok(RegisterPerson {
        cpr,
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        status,
        address: None,
        mother: None,
        father: None,
        custody: Vec::new(),
    })
}

/// Splits a record into exactly `N` fields (the record type is field 1), trimmed of spaces.
fn fields<const N: usize>(text: &str, kind: Kind) -> Result<[&str; N], String> {
    let mut out = [""; N];
    let mut count = 0;
    for field in text.split(';') {
        if let Some(slot) = out.get_mut(count) {
            *slot = field.trim();
        }
        count += 1;
    }
    if count != N {
        return Err(format!(
            "Post {} skal have {N} felter adskilt af semikolon, men har {count}",
            kind.code()
        ));
    }
    Ok(out)
}

fn cpr_field(value: &str, field: usize) -> Result<Cpr, String> {
    Cpr::parse(value).map_err(|error| format!("Ugyldigt CPR-nummer i felt {field}: {error}"))
}

fn optional_cpr(value: &str, field: usize) -> Result<Option<Cpr>, String> {
    if value.is_empty() {
        Ok(None)
    } else {
        cpr_field(value, field).map(Some)
    }
}

fn required<'a>(value: &'a str, field: usize, name: &str) -> Result<&'a str, String> {
    if value.is_empty() {
        Err(format!("Felt {field} ({name}) er tomt"))
    } else {
        Ok(value)
    }
}

fn digits<'a>(value: &'a str, field: usize, name: &str) -> Result<&'a str, String> {
    if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(format!(
            "Ugyldigt {name} i felt {field}: «{value}» (forventet 4 cifre)"
        ))
    }
}

/// Strictly `YYYY-MM-DD`: the extract is machine-written, so anything else is a sign of a wrong
/// or damaged file rather than a typing habit to be tolerant of.
fn date_field(value: &str, field: usize) -> Result<Date, String> {
    let invalid = || format!("Ugyldig dato i felt {field}: «{value}» (forventet ÅÅÅÅ-MM-DD)");
    let b = value.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(invalid());
    }
    let year: i32 = value[0..4].parse().map_err(|_| invalid())?;
    let month: u8 = value[5..7].parse().map_err(|_| invalid())?;
    let day: u8 = value[8..10].parse().map_err(|_| invalid())?;
    Month::try_from(month)
        .ok()
        .and_then(|month| Date::from_calendar_date(year, month, day).ok())
        .ok_or_else(|| format!("Ugyldig dato i felt {field}: «{value}» findes ikke"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::io::{BufReader, Cursor, Read};
    use time::macros::date;

    fn read_all(input: &str) -> Vec<Result<RegisterPerson, ExtractError>> {
        ExtractReader::new(Cursor::new(input.as_bytes().to_vec())).collect()
    }

    fn cpr(digits: &str) -> Cpr {
        Cpr::parse(digits).unwrap()
    }

    const VALID: &str = "\
000;2026-03-01
001;0101851234;Anne Marie;Hansen;01;
002;0101851234;0101;Nørregade 12;2. th.;1165;København K
001;1506154122;Sofie;Hansen;01;
002;1506154122;0101;Nørregade 12;2. th.;1165;København K
003;1506154122;0101851234;0203821235
004;1506154122;0101851234
004;1506154122;0203821235
999;2
";

    #[test]
    fn a_valid_extract_yields_every_person_with_all_records() {
        let mut reader = ExtractReader::new(Cursor::new(VALID));
        assert_eq!(reader.extract_date(), None);
        let persons: Vec<RegisterPerson> = reader.by_ref().map(Result::unwrap).collect();
        assert_eq!(reader.extract_date(), Some(date!(2026 - 03 - 01)));
        assert_eq!(reader.lines_read(), 9);
        assert_eq!(reader.bytes_read(), VALID.len() as u64);

        let address = RegisterAddress {
            municipality_code: "0101".into(),
            lines: vec!["Nørregade 12, 2. th.".into(), "1165 København K".into()],
        };
        assert_eq!(
            persons,
            vec![
                RegisterPerson {
                    cpr: cpr("0101851234"),
                    first_name: "Anne Marie".into(),
                    last_name: "Hansen".into(),
                    status: RegisterStatus::Active,
                    address: Some(address.clone()),
                    mother: None,
                    father: None,
                    custody: vec![],
                },
                RegisterPerson {
                    cpr: cpr("1506154122"),
                    first_name: "Sofie".into(),
                    last_name: "Hansen".into(),
                    status: RegisterStatus::Active,
                    address: Some(address),
                    mother: Some(cpr("0101851234")),
                    father: Some(cpr("0203821235")),
                    custody: vec![cpr("0101851234"), cpr("0203821235")],
                },
            ]
        );
    }

    #[test]
    fn dead_and_emigrated_persons_carry_their_date_and_an_address_without_unit_has_one_line() {
        let input = "000;2026-03-01\n\
            001;0101401231;Jens;Olsen;70;2025-12-24\n\
            001;0101501232;Karen;Olsen;80;2020-06-01\n\
            002;0101501232;0183;Ishøj Strandvej 4;;2635;Ishøj\n\
            999;2\n";
        let persons: Vec<RegisterPerson> =
            read_all(input).into_iter().map(Result::unwrap).collect();
        assert_eq!(
            persons[0].status,
            RegisterStatus::Dead(date!(2025 - 12 - 24))
        );
        assert_eq!(
            persons[1].status,
            RegisterStatus::Emigrated(date!(2020 - 06 - 01))
        );
        assert_eq!(
            persons[1].address.as_ref().unwrap().lines,
            ["Ishøj Strandvej 4", "2635 Ishøj"]
        );
    }

    #[test]
    fn crlf_line_ends_and_blank_lines_are_accepted() {
        let crlf = VALID.replace('\n', "\r\n");
        let with_blanks = VALID
            .replace("001;1506", "\n   \n001;1506")
            .replace("999", "\r\n\n999");
        for input in [
            crlf.as_str(),
            with_blanks.as_str(),
            &format!("\u{feff}{VALID}\n\n"),
        ] {
            let items = read_all(input);
            assert_eq!(items.len(), 2, "{input:?}: {items:?}");
            let persons: Vec<RegisterPerson> = items.into_iter().map(Result::unwrap).collect();
            assert_eq!(persons[1].custody.len(), 2);
            assert_eq!(
                persons[1].address.as_ref().unwrap().lines[1],
                "1165 København K"
            );
        }
    }

    /// A malformed line inside the person under test; the person's other lines surround it.
    struct Malformed {
        name: &'static str,
        /// The person under test, from their 001 record; `%` marks where the bad line goes.
        person: &'static str,
        bad: &'static str,
        line: u64,
        fragment: &'static str,
    }

    /// Each case puts the person under test between a good person before and a good person
    /// after, and expects exactly one error, at the bad line, and both good persons.
    #[test]
    fn a_malformed_record_rejects_its_person_at_the_first_bad_line() {
        const BEFORE: &str = "000;2026-03-01\n001;0101851234;Anne;Hansen;01;\n";
        const AFTER: &str = "001;0203821235;Peter;Hansen;01;\n";
        let case = |name, person, bad, line, fragment| Malformed {
            name,
            person,
            bad,
            line,
            fragment,
        };
        let cases = [
            case(
                "wrong field count in 001",
                "%\n002;1506154122;0101;Vej 1;;1165;By\n",
                "001;1506154122;Sofie;Hansen;01",
                3,
                "Post 001 skal have 6 felter adskilt af semikolon, men har 5",
            ),
            case(
                "wrong field count in 002",
                "001;1506154122;Sofie;Hansen;01;\n%\n004;1506154122;0101851234\n",
                "002;1506154122;0101;Vej 1;1165;By",
                4,
                "Post 002 skal have 7 felter",
            ),
            case(
                "wrong field count in 004",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "004;1506154122;0101851234;0203821235",
                4,
                "Post 004 skal have 3 felter",
            ),
            case(
                "unknown record type",
                "001;1506154122;Sofie;Hansen;01;\n%\n004;1506154122;0101851234\n",
                "005;1506154122;x",
                4,
                "Ukendt posttype «005»",
            ),
            case(
                "invalid CPR in 001",
                "%\n002;1506154122;0101;Vej 1;;1165;By\n",
                "001;3002154122;Sofie;Hansen;01;",
                3,
                "Ugyldigt CPR-nummer i felt 2: CPR-nummeret findes ikke",
            ),
            case(
                "invalid CPR of a parent",
                "001;1506154122;Sofie;Hansen;01;\n%\n004;1506154122;0101851234\n",
                "003;1506154122;0101851234;12345",
                4,
                "Ugyldigt CPR-nummer i felt 4: CPR-nummeret skal have formen",
            ),
            case(
                "status date that does not exist",
                "%\n",
                "001;1506154122;Sofie;Hansen;70;2025-02-30",
                3,
                "Ugyldig dato i felt 6: «2025-02-30» findes ikke",
            ),
            case(
                "status date in another format",
                "%\n",
                "001;1506154122;Sofie;Hansen;70;24.12.2025",
                3,
                "Ugyldig dato i felt 6: «24.12.2025» (forventet ÅÅÅÅ-MM-DD)",
            ),
            case(
                "bad status code",
                "%\n",
                "001;1506154122;Sofie;Hansen;90;",
                3,
                "Ukendt statuskode i felt 5: «90»",
            ),
            case(
                "status date missing for 70",
                "%\n",
                "001;1506154122;Sofie;Hansen;70;",
                3,
                "Statusdato mangler i felt 6: status 70 kræver en dato",
            ),
            case(
                "status date missing for 80",
                "%\n",
                "001;1506154122;Sofie;Hansen;80;",
                3,
                "Statusdato mangler i felt 6: status 80 kræver en dato",
            ),
            case(
                "status date present for 01",
                "%\n",
                "001;1506154122;Sofie;Hansen;01;2025-01-01",
                3,
                "Statusdatoen i felt 6 skal være tom for status 01",
            ),
            case(
                "empty last name",
                "%\n",
                "001;1506154122;Sofie; ;01;",
                3,
                "Felt 4 (efternavn) er tomt",
            ),
            case(
                "kommunekode not 4 digits",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "002;1506154122;101;Vej 1;;1165;By",
                4,
                "Ugyldigt kommunekode i felt 3: «101» (forventet 4 cifre)",
            ),
            case(
                "postcode not 4 digits",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "002;1506154122;0101;Vej 1;;DK-1165;By",
                4,
                "Ugyldigt postnummer i felt 6: «DK-1165» (forventet 4 cifre)",
            ),
            case(
                "002 for another person",
                "001;1506154122;Sofie;Hansen;01;\n%\n003;1506154122;0101851234;\n",
                "002;0101851234;0101;Vej 1;;1165;By",
                4,
                "CPR-nummeret i felt 2 er ikke personens fra personposten (001) på linje 3",
            ),
            case(
                "003 for another person",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "003;0101851234;;",
                4,
                "CPR-nummeret i felt 2 er ikke personens",
            ),
            case(
                "004 for another person",
                "001;1506154122;Sofie;Hansen;01;\n004;1506154122;0101851234\n%\n",
                "004;0101851234;0203821235",
                5,
                "CPR-nummeret i felt 2 er ikke personens",
            ),
            case(
                "second 002",
                "001;1506154122;Sofie;Hansen;01;\n\
                 002;1506154122;0101;Vej 1;;1165;By\n%\n004;1506154122;0101851234\n",
                "002;1506154122;0101;Vej 2;;1165;By",
                5,
                "Personen har mere end én adressepost (002)",
            ),
            case(
                "second 003",
                "001;1506154122;Sofie;Hansen;01;\n003;1506154122;0101851234;\n%\n",
                "003;1506154122;;0203821235",
                5,
                "Personen har mere end én forældrepost (003)",
            ),
            case(
                "own mother",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "003;1506154122;1506154122;",
                4,
                "Personen er angivet som sin egen mor (felt 3)",
            ),
            case(
                "own father",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "003;1506154122;;1506154122",
                4,
                "Personen er angivet som sin egen far (felt 4)",
            ),
            case(
                "mother is father",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "003;1506154122;0101851234;0101851234",
                4,
                "Mor (felt 3) og far (felt 4) har samme CPR-nummer",
            ),
            case(
                "own custody holder",
                "001;1506154122;Sofie;Hansen;01;\n%\n",
                "004;1506154122;1506154122",
                4,
                "indehaver af forældremyndigheden over sig selv (felt 3)",
            ),
            case(
                "custody holder twice",
                "001;1506154122;Sofie;Hansen;01;\n004;1506154122;0101851234\n%\n",
                "004;1506154122;0101851234",
                5,
                "Samme indehaver af forældremyndigheden står to gange",
            ),
        ];
        for Malformed {
            name,
            person,
            bad,
            line,
            fragment,
        } in cases
        {
            assert!(person.contains('%'), "{name}");
            let input = format!("{BEFORE}{}{AFTER}999;3\n", person.replace('%', bad));
            let items = read_all(&input);
            let errors: Vec<&ExtractError> = items
                .iter()
                .filter_map(|item| item.as_ref().err())
                .collect();
            assert_eq!(errors.len(), 1, "{name}: {errors:?}");
            assert_eq!(errors[0].line, line, "{name}: {}", errors[0]);
            assert!(
                errors[0].message.contains(fragment),
                "{name}: «{}» does not contain «{fragment}»",
                errors[0].message
            );
            let yielded: Vec<&str> = items
                .iter()
                .filter_map(|item| item.as_ref().ok())
                .map(|p| p.cpr.digits())
                .collect();
            assert_eq!(yielded, ["0101851234", "0203821235"], "{name}");
        }
    }

    #[test]
    fn parsing_goes_on_with_the_next_person_after_an_error() {
        let input = "000;2026-03-01\n\
            001;0101851234;Anne;Hansen;01;\n\
            003;0101851234;9999999999;\n\
            004;0101851234;0203821235\n\
            002;0101851234;0101;Vej 1;;1165;By\n\
            001;0203821235;Peter;Hansen;01;\n\
            002;0203821235;0101;Vej 1;;1165;By\n\
            999;2\n";
        let items = read_all(input);
        assert_eq!(items.len(), 2, "{items:?}");
        let error = items[0].as_ref().unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.starts_with("Ugyldigt CPR-nummer i felt 3"));
        let person = items[1].as_ref().unwrap();
        assert_eq!(person.cpr.digits(), "0203821235");
        assert!(person.address.is_some());
    }

    #[test]
    fn a_record_without_a_person_is_reported_once_for_the_records_that_follow() {
        let input = "000;2026-03-01\n\
            002;0101851234;0101;Vej 1;;1165;By\n\
            003;0101851234;;\n\
            001;0203821235;Peter;Hansen;01;\n\
            999;1\n";
        let items = read_all(input);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(
            items[0],
            Err(ExtractError {
                line: 2,
                message: "Post 002 står uden en forudgående personpost (001)".into()
            })
        );
        assert_eq!(items[1].as_ref().unwrap().cpr.digits(), "0203821235");
    }

    /// Name, input, expected errors as (line, message fragment), number of persons yielded.
    type StartEndCase = (
        &'static str,
        &'static str,
        &'static [(u64, &'static str)],
        usize,
    );

    #[test]
    fn start_and_end_records_are_checked() {
        let cases: &[StartEndCase] = &[
            (
                "missing 000",
                "001;0101851234;Anne;Hansen;01;\n999;1\n",
                &[(1, "Udtrækket mangler startpost (000) på første linje")],
                1,
            ),
            (
                "missing 000 after a blank line",
                "\n001;0101851234;Anne;Hansen;01;\n999;1\n",
                &[(1, "mangler startpost (000)")],
                1,
            ),
            (
                "invalid extract date",
                "000;2026-13-01\n001;0101851234;Anne;Hansen;01;\n999;1\n",
                &[(1, "Ugyldig dato i felt 2: «2026-13-01» findes ikke")],
                1,
            ),
            (
                "a second 000",
                "000;2026-03-01\n001;0101851234;Anne;Hansen;01;\n000;2026-03-01\n999;1\n",
                &[(3, "Startposten (000) må kun stå på første linje")],
                1,
            ),
            (
                "999 count too high",
                "000;2026-03-01\n001;0101851234;Anne;Hansen;01;\n999;2\n",
                &[(
                    3,
                    "Slutposten (999) angiver 2 personer, men udtrækket indeholder 1 personposter",
                )],
                1,
            ),
            (
                "999 counts rejected persons too",
                "000;2026-03-01\n001;0101851234;Anne;Hansen;99;\n999;1\n",
                &[(2, "Ukendt statuskode")],
                0,
            ),
            (
                "999 count not a number",
                "000;2026-03-01\n001;0101851234;Anne;Hansen;01;\n999;en\n",
                &[(3, "Ugyldigt antal personer i felt 2: «en»")],
                1,
            ),
            (
                "records after 999 are reported once and not read",
                "000;2026-03-01\n999;0\n001;0101851234;Anne;Hansen;01;\n001;0203821235;P;H;01;\n",
                &[(3, "Der står poster efter slutposten (999)")],
                0,
            ),
            (
                "missing 999",
                "000;2026-03-01\n001;0101851234;Anne;Hansen;01;\n\n",
                &[(
                    4,
                    "Udtrækket mangler slutpost (999) – filen kan være afkortet",
                )],
                1,
            ),
            (
                "missing 999 without a final line break",
                "000;2026-03-01\n001;0101851234;Anne;Hansen;01;",
                &[(3, "Udtrækket mangler slutpost (999)")],
                1,
            ),
            ("empty file", "", &[(1, "Udtrækket er tomt")], 0),
            ("blank file", "\n \r\n", &[(1, "Udtrækket er tomt")], 0),
        ];
        for (name, input, expected, persons) in cases {
            let items = read_all(input);
            let errors: Vec<&ExtractError> = items
                .iter()
                .filter_map(|item| item.as_ref().err())
                .collect();
            assert_eq!(errors.len(), expected.len(), "{name}: {errors:?}");
            for (error, (line, fragment)) in errors.iter().zip(expected.iter()) {
                assert_eq!(error.line, *line, "{name}: {error}");
                assert!(error.message.contains(fragment), "{name}: {error}");
            }
            assert_eq!(items.len() - errors.len(), *persons, "{name}");
        }
    }

    #[test]
    fn a_line_that_is_not_utf8_rejects_its_person_and_is_counted() {
        let mut input = b"000;2026-03-01\n001;0101851234;S".to_vec();
        input.extend_from_slice(&[0xF8]); // "ø" in Latin-1
        input.extend_from_slice(b"ren;Hansen;01;\n002;0101851234;0101;Vej 1;;1165;By\n");
        input.extend_from_slice(b"001;0203821235;Peter;Hansen;01;\n999;2\n");
        let items: Vec<_> = ExtractReader::new(Cursor::new(input)).collect();
        assert_eq!(items.len(), 2, "{items:?}");
        let error = items[0].as_ref().unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("ikke gyldig UTF-8"));
        assert_eq!(items[1].as_ref().unwrap().cpr.digits(), "0203821235");
    }

    #[test]
    fn an_overlong_line_is_a_line_error_and_the_rest_of_it_is_skipped() {
        let long = format!("001;0101851234;{};Hansen;01;\n", "A".repeat(10_000));
        let input = format!("000;2026-03-01\n{long}001;0203821235;Peter;Hansen;01;\n999;2\n");
        // A small buffer, so the long line arrives in many pieces.
        let mut reader = ExtractReader::new(BufReader::with_capacity(64, input.as_bytes()));
        let items: Vec<_> = reader.by_ref().collect();
        assert_eq!(items.len(), 2, "{items:?}");
        let error = items[0].as_ref().unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (2, "Linjen er længere end 4096 byte")
        );
        assert_eq!(items[1].as_ref().unwrap().cpr.digits(), "0203821235");
        assert_eq!(reader.bytes_read(), input.len() as u64);
        assert_eq!(reader.lines_read(), 4);
        assert!(reader.buf.capacity() <= 2 * MAX_LINE_BYTES);
    }

    #[test]
    fn a_line_of_exactly_the_maximum_length_is_accepted() {
        let person = "001;0101851234;Anne;Hansen;01;";
        let padded = format!("{person}{}", " ".repeat(MAX_LINE_BYTES - person.len()));
        assert_eq!(padded.len(), MAX_LINE_BYTES);
        for ending in ["\n", "\r\n"] {
            let input = format!("000;2026-03-01\n{padded}{ending}999;1\n");
            let items = read_all(&input);
            assert!(items.iter().all(Result::is_ok), "{ending:?}: {items:?}");
            assert_eq!(items.len(), 1);
        }
        let too_long = format!("000;2026-03-01\n{padded} \n999;1\n");
        let items = read_all(&too_long);
        assert_eq!(items[0].as_ref().unwrap_err().line, 2);
    }

    struct FailingReader {
        served: bool,
    }

    impl Read for FailingReader {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.served {
                return Err(std::io::Error::other("disken er væk"));
            }
            self.served = true;
            let data = b"000;2026-03-01\n001;0101851234;Anne;Hansen;01;\n";
            buf[..data.len()].copy_from_slice(data);
            Ok(data.len())
        }
    }

    #[test]
    fn an_io_error_is_yielded_and_ends_the_iteration() {
        let mut reader = ExtractReader::new(BufReader::new(FailingReader { served: false }));
        let error = reader.next().unwrap().unwrap_err();
        assert_eq!(error.line, 3);
        assert_eq!(
            error.to_string(),
            "linje 3: Udtrækket kunne ikke læses: disken er væk"
        );
        assert!(reader.next().is_none());
        assert!(reader.next().is_none());
    }

    #[test]
    fn errors_display_with_their_line() {
        let error = ExtractError {
            line: 7,
            message: "Ukendt posttype «x»".into(),
        };
        assert_eq!(error.to_string(), "linje 7: Ukendt posttype «x»");
    }

    #[test]
    fn a_generated_extract_parses_without_errors_and_refers_only_to_its_own_persons() {
        let mut out = Vec::new();
        generate::write_extract(&mut out, 1_000, 42, date!(2026 - 03 - 01)).unwrap();
        let mut reader = ExtractReader::new(Cursor::new(out));
        let persons: Vec<RegisterPerson> = reader
            .by_ref()
            .map(|item| item.unwrap_or_else(|error| panic!("{error}")))
            .collect();
        assert_eq!(persons.len(), 1_000);
        assert_eq!(reader.extract_date(), Some(date!(2026 - 03 - 01)));

        let all: HashSet<&Cpr> = persons.iter().map(|p| &p.cpr).collect();
        assert_eq!(all.len(), 1_000, "CPR numbers must be unique");
        let children: Vec<&RegisterPerson> =
            persons.iter().filter(|p| !p.custody.is_empty()).collect();
        assert!(
            (300..=340).contains(&children.len()),
            "roughly a third are children: {}",
            children.len()
        );
        for person in &persons {
            for parent in person
                .mother
                .iter()
                .chain(&person.father)
                .chain(&person.custody)
            {
                assert!(
                    all.contains(parent),
                    "{} refers to a missing person",
                    person.cpr.masked()
                );
            }
        }
        for child in &children {
            let mother = child.mother.as_ref().expect("every child has a mother");
            assert!(child.custody.contains(mother));
            assert!(mother.birth_date() < child.cpr.birth_date());
        }
    }
}
