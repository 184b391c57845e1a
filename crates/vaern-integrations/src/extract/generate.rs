//! Synthetic extracts for tests and import benchmarks: valid, deterministic, Danish-looking, and
//! with the family links (parents, custody) that make an import do real work.
//!
//! Persons come in groups of three: a mother, a father and their child, so every third person
//! is a child whose parents and custody holders are also in the extract. When `persons` is not a
//! multiple of three the last one or two are adults living alone. Within families some
//! variation exercises the other paths: a father who has died or is unknown, parents living
//! apart, custody with the mother alone. Adults alone are occasionally dead or emigrated.

use std::{collections::HashMap, io::Write};

use time::Date;

const FEMALE_NAMES: &[&str] = &[
    "Anne", "Kirsten", "Hanne", "Mette", "Camilla", "Sofie", "Ida", "Emma", "Freja", "Louise",
    "Maria", "Julie", "Signe", "Karen", "Lene", "Marianne", "Nanna", "Astrid", "Clara", "Mathilde",
];

const MALE_NAMES: &[&str] = &[
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Søren", "Thomas", "Rasmus", "Mads", "Anders",
    "Niels", "Jesper", "Frederik", "Oliver", "William", "Noah", "Emil", "Magnus", "Viktor",
    "Aksel",
];

const LAST_NAMES: &[&str] = &[
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Østergaard",
    "Lund",
    "Holm",
    "Schmidt",
    "Kjær",
    "Bach",
    "Dalgaard",
];

const STREETS: &[&str] = &[
    "Østergade",
    "Vestergade",
    "Nørregade",
    "Søndergade",
    "Skolevej",
    "Kirkevej",
    "Møllevej",
    "Engvej",
    "Birkevej",
    "Bøgevej",
    "Egevej",
    "Rosenvænget",
    "Stationsvej",
    "Skovvej",
    "Strandvejen",
    "Havnegade",
    "Parkvej",
    "Åboulevarden",
    "Solsikkevej",
    "Lærkevej",
];

/// Real kommunekoder with some of their real postcodes.
const MUNICIPALITIES: &[(&str, &[(u16, &str)])] = &[
    (
        "0101",
        &[
            (1620, "København V"),
            (2100, "København Ø"),
            (2200, "København N"),
            (2300, "København S"),
            (2400, "København NV"),
            (2450, "København SV"),
        ],
    ),
    (
        "0147",
        &[(1820, "Frederiksberg C"), (2000, "Frederiksberg")],
    ),
    ("0183", &[(2635, "Ishøj")]),
    (
        "0461",
        &[(5000, "Odense C"), (5200, "Odense V"), (5230, "Odense M")],
    ),
    (
        "0751",
        &[
            (8000, "Aarhus C"),
            (8200, "Aarhus N"),
            (8210, "Aarhus V"),
            (8260, "Viby J"),
        ],
    ),
    (
        "0851",
        &[
            (9000, "Aalborg"),
            (9200, "Aalborg SV"),
            (9220, "Aalborg Øst"),
        ],
    ),
];

const UNITS: &[&str] = &["st. tv.", "st. th.", "1. tv.", "1. th.", "2. mf.", "3. tv."];

const YEAR: i32 = 365;

/// Writes a deterministic, valid extract of `persons` persons to `out` (families: roughly every
/// third person is a child with a mother and father and custody holders who also appear in the
/// extract). `seed` varies names/addresses.
///
/// `out` is written a record at a time: wrap a file in a `BufWriter`. Fails with
/// `InvalidInput` if `extract_date` is outside 1950–2057 (the birth dates must fit the CPR
/// century table) or if `persons` is beyond what unique CPR numbers allow (10 million).
pub fn write_extract(
    out: &mut impl Write,
    persons: u64,
    seed: u64,
    extract_date: Date,
) -> std::io::Result<()> {
    if !(1950..=2057).contains(&extract_date.year()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the extract date must lie in 1950–2057 for generated birth dates to fit CPR",
        ));
    }
    if persons > 10_000_000 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "at most 10 million persons can be generated",
        ));
    }
    let mut generator = Generator {
        rng: Rng::new(seed),
        today: extract_date.to_julian_day(),
        issued: HashMap::new(),
    };
    writeln!(out, "000;{}", iso(extract_date))?;
    let families = persons / 3;
    for family in 0..families {
        generator.family(out, family)?;
    }
    for _ in 0..persons % 3 {
        generator.single(out)?;
    }
    writeln!(out, "999;{persons}")
}

struct Generator {
    rng: Rng,
    today: i32,
    /// Serial numbers issued per birth date and sex. Bounded by the number of days in the
    /// century table, not by the number of persons.
    issued: HashMap<(i32, bool), u32>,
}

#[derive(Clone)]
struct Address {
    municipality: &'static str,
    street: String,
    unit: &'static str,
    postcode: u16,
    town: &'static str,
}

impl Generator {
    fn family(&mut self, out: &mut impl Write, family: u64) -> std::io::Result<()> {
        let child_born = self.today - self.rng.range(30, 17 * YEAR);
        let mother_born = child_born - self.rng.range(20 * YEAR, 40 * YEAR);
        let father_born = mother_born + self.rng.range(0, 8 * YEAR) - 6 * YEAR;
        let mother = self.cpr(mother_born, false);
        let father = self.cpr(father_born, true);
        let child_male = self.rng.below(2) == 0;
        let child = self.cpr(child_born, child_male);

        let father_dead = family % 13 == 7;
        let father_unknown = family % 11 == 5;
        let apart = family % 4 == 1;
        let custody_mother_only = father_dead || father_unknown || family % 7 == 3;

        let mother_last = self.pick(LAST_NAMES);
        let father_last = self.pick(LAST_NAMES);
        let home = self.address();

        let mother_first = self.first_names(false);
        person(out, &mother, &mother_first, mother_last, "01", None)?;
        address(out, &mother, &home)?;

        let father_first = self.first_names(true);
        if father_dead {
            let died = self.today - self.rng.range(1, (self.today - child_born).max(2));
            let died = Date::from_julian_day(died).expect("within the extract's range");
            person(out, &father, &father_first, father_last, "70", Some(died))?;
        } else {
            person(out, &father, &father_first, father_last, "01", None)?;
            let own = if apart { self.address() } else { home.clone() };
            address(out, &father, &own)?;
        }

        let child_last = if father_unknown || self.rng.below(3) == 0 {
            mother_last
        } else {
            father_last
        };
        let child_first = self.first_names(child_male);
        person(out, &child, &child_first, child_last, "01", None)?;
        address(out, &child, &home)?;
        let father_ref = if father_unknown { "" } else { father.as_str() };
        writeln!(out, "003;{child};{mother};{father_ref}")?;
        writeln!(out, "004;{child};{mother}")?;
        if !custody_mother_only {
            writeln!(out, "004;{child};{father}")?;
        }
        Ok(())
    }

    fn single(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let born = self.today - self.rng.range(18 * YEAR, 90 * YEAR);
        let male = self.rng.below(2) == 0;
        let cpr = self.cpr(born, male);
        let first = self.first_names(male);
        let last = self.pick(LAST_NAMES);
        match self.rng.below(50) {
            0 | 1 => {
                let since = self.today - self.rng.range(1, self.today - born - 18 * YEAR + 2);
                let since = Date::from_julian_day(since).expect("within the extract's range");
                person(out, &cpr, &first, last, "80", Some(since))
            }
            2 => {
                let died = self.today - self.rng.range(1, 2 * YEAR);
                let died = Date::from_julian_day(died).expect("within the extract's range");
                person(out, &cpr, &first, last, "70", Some(died))
            }
            _ => {
                person(out, &cpr, &first, last, "01", None)?;
                let home = self.address();
                address(out, &cpr, &home)
            }
        }
    }

    /// A CPR number born on `julian_day` not issued before: serial numbers are handed out per
    /// date and sex in a scrambled order, moving to the next day when a day is used up.
    fn cpr(&mut self, julian_day: i32, male: bool) -> String {
        let mut day = julian_day;
        loop {
            let date = Date::from_julian_day(day).expect("within the extract's range");
            let sevenths = seventh_digits(date.year());
            // Digit 7 from the century table, two free digits, and a last digit of the right
            // parity: five choices.
            let capacity = sevenths.len() as u32 * 100 * 5;
            let issued = self.issued.entry((day, male)).or_insert(0);
            if *issued < capacity {
                // 337 is prime and does not divide the capacity (2^a·3^b·5^c), so this visits
                // every serial once.
                let n = (*issued * 337 + day.unsigned_abs() % capacity) % capacity;
                *issued += 1;
                let seventh = sevenths[(n / 500) as usize];
                let middle = n % 500 / 5;
                let last = (n % 5) * 2 + u32::from(male);
                return format!(
                    "{:02}{:02}{:02}{seventh}{middle:02}{last}",
                    date.day(),
                    u8::from(date.month()),
                    date.year().rem_euclid(100),
                );
            }
            day += 1;
        }
    }

    fn first_names(&mut self, male: bool) -> String {
        let names = if male { MALE_NAMES } else { FEMALE_NAMES };
        let first = *self.pick(names);
        if self.rng.below(4) == 0 {
            let second = *self.pick(names);
            if second != first {
                return format!("{first} {second}");
            }
        }
        first.to_owned()
    }

    fn address(&mut self) -> Address {
        let (municipality, places) = *self.pick(MUNICIPALITIES);
        let (postcode, town) = *self.pick(places);
        let number = self.rng.range(1, 150);
        let street = self.pick(STREETS);
        let street = if self.rng.below(10) == 0 {
            format!("{street} {number}B")
        } else {
            format!("{street} {number}")
        };
        let unit = if self.rng.below(2) == 0 {
            ""
        } else {
            self.pick(UNITS)
        };
        Address {
            municipality,
            street,
            unit,
            postcode,
            town,
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.below(items.len() as u64) as usize]
    }
}

/// The values of digit 7 that `Cpr::parse` reads as a birth in `year` (CPR-kontoret's table).
fn seventh_digits(year: i32) -> &'static [u32] {
    let yy = year.rem_euclid(100);
    match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1999 if yy >= 37 => &[0, 1, 2, 3, 4, 9],
        1900..=1999 => &[0, 1, 2, 3],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        2037..=2057 => &[5, 6, 7, 8],
        _ => unreachable!("write_extract keeps birth years within 1858–2057"),
    }
}

fn person(
    out: &mut impl Write,
    cpr: &str,
    first: &str,
    last: &str,
    status: &str,
    date: Option<Date>,
) -> std::io::Result<()> {
    let date = date.map(iso).unwrap_or_default();
    writeln!(out, "001;{cpr};{first};{last};{status};{date}")
}

fn address(out: &mut impl Write, cpr: &str, address: &Address) -> std::io::Result<()> {
    let Address {
        municipality,
        street,
        unit,
        postcode,
        town,
    } = address;
    writeln!(
        out,
        "002;{cpr};{municipality};{street};{unit};{postcode:04};{town}"
    )
}

fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// SplitMix64: tiny, deterministic, and plenty for varying names and dates.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform enough in `0..n` for test data (the modulo bias is negligible for small `n`).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// In `low..high` days (or other small units).
    fn range(&mut self, low: i32, high: i32) -> i32 {
        low + self.below((high - low).max(1) as u64) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use vaern_domain::cpr::Cpr;

    fn generate(persons: u64, seed: u64) -> String {
        let mut out = Vec::new();
        write_extract(&mut out, persons, seed, date!(2026 - 03 - 01)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_extract_and_another_seed_another() {
        assert_eq!(generate(30, 1), generate(30, 1));
        assert_ne!(generate(30, 1), generate(30, 2));
    }

    #[test]
    fn small_extracts_have_start_and_end_records() {
        assert_eq!(generate(0, 1), "000;2026-03-01\n999;0\n");
        let one = generate(1, 1);
        assert!(one.starts_with("000;2026-03-01\n001;"), "{one}");
        assert!(one.ends_with("999;1\n"), "{one}");
    }

    #[test]
    fn every_seventh_digit_gives_back_the_year() {
        for year in [1858, 1899, 1900, 1936, 1937, 1999, 2000, 2036, 2037, 2057] {
            for seventh in seventh_digits(year) {
                let cpr = format!("0101{:02}{seventh}001", year % 100);
                assert_eq!(Cpr::parse(&cpr).unwrap().birth_date().year(), year, "{cpr}");
            }
        }
    }

    #[test]
    fn serials_stay_unique_when_a_day_runs_out() {
        let mut generator = Generator {
            rng: Rng::new(1),
            today: 0,
            issued: HashMap::new(),
        };
        let day = date!(1930 - 05 - 17).to_julian_day();
        let numbers: Vec<String> = (0..2_500).map(|_| generator.cpr(day, true)).collect();
        let unique: std::collections::HashSet<&String> = numbers.iter().collect();
        assert_eq!(unique.len(), numbers.len());
        for number in &numbers {
            assert_eq!(Cpr::parse(number).unwrap().sex(), vaern_domain::Sex::Male);
        }
        // 1930 allows four seventh digits: 2,000 serials per sex, then the next day is used.
        assert!(numbers[..2_000].iter().all(|n| n.starts_with("170530")));
        assert!(numbers[2_000..].iter().all(|n| n.starts_with("180530")));
    }

    #[test]
    fn an_extract_date_outside_the_century_table_is_refused() {
        let error = write_extract(&mut Vec::new(), 3, 1, date!(2090 - 01 - 01)).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}
