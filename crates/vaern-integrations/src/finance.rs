//! Export of a monthly payment run to a municipality's finance system, behind the
//! [`FinanceExport`] trait: [`CsvExport`], Værn's own documented CSV file ("Værn betalingsfil
//! v1"), and [`FixedWidthExport`], a fixed-width posting file modelled on the imports of Danish
//! municipal finance systems. Both layouts are documented field by field in the crate's README
//! (section "Finance export"); keep the two in step.
//!
//! Finance gets no personal data: a payment line names the provider, the account, the child's
//! case reference and the measure, never a CPR number or a name of the child.
//!
//! [`report`] summarises a run (totals per provider and per account) for the report that
//! accompanies the file, so the person sending it can check it against the run.

use std::{cmp::Ordering, collections::HashMap, fmt};

use time::Date;

/// One payment line as the finance system receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// UUID text of the payment line; unique, so the finance system can refuse a line twice.
    pub line_id: String,
    /// `YYYY-MM`, the month paid for.
    pub period: String,
    /// Bogføringsdato.
    pub posting_date: Date,
    pub provider_name: String,
    /// Eight digits; `None` (or empty) for a provider without a CVR number.
    pub provider_cvr: Option<String>,
    /// Function account of the authorised municipal chart of accounts (autoriseret kontoplan),
    /// e.g. `5.28.21`.
    pub account: String,
    /// The child's case reference. Never a CPR number: finance gets no personal data.
    pub case_ref: String,
    /// UUID text of the measure.
    pub measure_ref: String,
    /// Posting text, e.g. "Familiebehandling, nov. 2026".
    pub text: String,
    /// Øre; negative for a correction.
    pub amount_ore: i64,
}

/// A file format a payment run can be exported in.
pub trait FinanceExport: Sync {
    /// Stable code used in URLs/CLI: "csv" or "fixed".
    fn code(&self) -> &'static str;
    /// Danish label for the UI.
    fn label(&self) -> &'static str;
    /// File name for a run of `period` in municipality `municipality_code` (3 digits).
    fn file_name(&self, municipality_code: &str, period: &str) -> String;
    fn content_type(&self) -> &'static str;
    fn render(
        &self,
        municipality_code: &str,
        records: &[PaymentRecord],
    ) -> Result<Vec<u8>, ExportError>;
}

/// Why a run could not be written. `line` is the 1-based position of the payment line in the
/// records given to `render`. The messages are Danish: they are shown to the person exporting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("Ugyldig kommunekode «{0}» – forventet 3 cifre, fx 101")]
    InvalidMunicipalityCode(String),
    #[error("Betalingslinje {line}: {field} mangler")]
    MissingField { line: usize, field: &'static str },
    #[error(
        "Betalingslinje {line}: ugyldig periode «{value}» – forventet år og måned som ÅÅÅÅ-MM, \
         fx 2026-11"
    )]
    InvalidPeriod { line: usize, value: String },
    #[error(
        "Betalingslinje {line}: bogføringsdatoen {date} kan ikke skrives i filen \
         (året skal have 4 cifre)"
    )]
    InvalidPostingDate { line: usize, date: Date },
    #[error("Betalingslinje {line}: ugyldigt CVR-nummer «{value}» – forventet 8 cifre")]
    InvalidCvr { line: usize, value: String },
    /// A field that must not be truncated is longer than its fixed-width position.
    #[error(
        "Betalingslinje {line}: {field} «{value}» fylder {length} tegn, men feltet i filen har \
         kun plads til {width}"
    )]
    FieldTooLong {
        line: usize,
        field: &'static str,
        value: String,
        length: usize,
        width: usize,
    },
    /// An identifier (account, case reference, …) with a character ISO-8859-1 cannot hold: it
    /// is not transliterated, since the finance system must receive it exactly.
    #[error(
        "Betalingslinje {line}: {field} «{value}» indeholder tegn, der ikke kan skrives i \
         filens tegnsæt (ISO-8859-1)"
    )]
    UnencodableCharacters {
        line: usize,
        field: &'static str,
        value: String,
    },
    #[error(
        "Betalingslinje {line}: beløbet {} er for stort til filens beløbsfelt",
        kroner(*.amount_ore)
    )]
    AmountTooLarge { line: usize, amount_ore: i64 },
    #[error("Kørslen har {lines} betalingslinjer, men filformatet kan højst rumme {max}")]
    TooManyLines { lines: usize, max: usize },
    #[error("Kørslens samlede beløb er for stort til slutpostens kontrolsummer")]
    ControlSumTooLarge,
}

/// Værn's own CSV file, "Værn betalingsfil v1"; see the crate's README.
pub struct CsvExport;

/// A fixed-width posting file modelled on Danish municipal finance systems' posting imports; see
/// the crate's README for the record layout and what is (and is not) modelled.
pub struct FixedWidthExport;

/// Every export format, in the order the UI offers them.
pub static EXPORTS: [&dyn FinanceExport; 2] = [&CsvExport, &FixedWidthExport];

/// The export format with this code, if any.
pub fn export(code: &str) -> Option<&'static dyn FinanceExport> {
    EXPORTS.iter().copied().find(|export| export.code() == code)
}

// Field names for messages, in the definite form: "Betalingslinje 3: kontoen mangler".
const LINE_ID: &str = "betalingslinjens id";
const PROVIDER_NAME: &str = "leverandørens navn";
const CVR: &str = "CVR-nummeret";
const ACCOUNT: &str = "kontoen";
const CASE_REF: &str = "sagsreferencen";
const MEASURE_REF: &str = "indsatsens id";

/// The fields of a record after the checks both formats make, trimmed.
struct Checked<'a> {
    line_id: &'a str,
    provider_name: &'a str,
    cvr: Option<&'a str>,
    account: &'a str,
    case_ref: &'a str,
    measure_ref: &'a str,
    text: &'a str,
    year: u16,
    month: u8,
}

/// The checks both formats make on a payment line (`line` is 1-based).
fn check(line: usize, record: &PaymentRecord) -> Result<Checked<'_>, ExportError> {
    fn required<'a>(
        line: usize,
        value: &'a str,
        field: &'static str,
    ) -> Result<&'a str, ExportError> {
        let value = value.trim();
        if value.is_empty() {
            Err(ExportError::MissingField { line, field })
        } else {
            Ok(value)
        }
    }
    let line_id = required(line, &record.line_id, LINE_ID)?;
    let provider_name = required(line, &record.provider_name, PROVIDER_NAME)?;
    let account = required(line, &record.account, ACCOUNT)?;
    let case_ref = required(line, &record.case_ref, CASE_REF)?;
    let measure_ref = required(line, &record.measure_ref, MEASURE_REF)?;
    let cvr = record
        .provider_cvr
        .as_deref()
        .map(str::trim)
        .filter(|cvr| !cvr.is_empty());
    if let Some(cvr) = cvr
        && !(cvr.len() == 8 && cvr.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ExportError::InvalidCvr {
            line,
            value: cvr.to_owned(),
        });
    }
    let (year, month) =
        parse_period(record.period.trim()).ok_or_else(|| ExportError::InvalidPeriod {
            line,
            value: record.period.clone(),
        })?;
    if !(1000..=9999).contains(&record.posting_date.year()) {
        return Err(ExportError::InvalidPostingDate {
            line,
            date: record.posting_date,
        });
    }
    Ok(Checked {
        line_id,
        provider_name,
        cvr,
        account,
        case_ref,
        measure_ref,
        text: record.text.trim(),
        year,
        month,
    })
}

/// `YYYY-MM` with a month from 01 to 12.
fn parse_period(period: &str) -> Option<(u16, u8)> {
    let (year, month) = period.split_once('-')?;
    if year.len() != 4
        || month.len() != 2
        || !year
            .bytes()
            .chain(month.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let month: u8 = month.parse().ok()?;
    let year: u16 = year.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}

fn check_municipality(code: &str) -> Result<(), ExportError> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ExportError::InvalidMunicipalityCode(code.to_owned()))
    }
}

/// `vaern-betalinger-101-2026-11.csv`; anything but letters, digits and `-` is left out of the
/// parts, so the name is safe in a header or on any file system.
fn file_name(municipality_code: &str, period: &str, extension: &str) -> String {
    let safe = |part: &str| -> String {
        part.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    };
    format!(
        "vaern-betalinger-{}-{}.{extension}",
        safe(municipality_code),
        safe(period)
    )
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// The CSV columns, in order. The README documents each.
const CSV_COLUMNS: [&str; 11] = [
    "Kommunekode",
    "Linje-id",
    "Periode",
    "Bogføringsdato",
    "Leverandør",
    "CVR-nummer",
    "Konto",
    "Sagsreference",
    "Indsats-id",
    "Posteringstekst",
    "Beløb",
];

impl FinanceExport for CsvExport {
    fn code(&self) -> &'static str {
        "csv"
    }

    fn label(&self) -> &'static str {
        "CSV-fil til regneark (Værn betalingsfil v1)"
    }

    fn file_name(&self, municipality_code: &str, period: &str) -> String {
        file_name(municipality_code, period, "csv")
    }

    fn content_type(&self) -> &'static str {
        "text/csv; charset=utf-8"
    }

    fn render(
        &self,
        municipality_code: &str,
        records: &[PaymentRecord],
    ) -> Result<Vec<u8>, ExportError> {
        check_municipality(municipality_code)?;
        let mut out = String::with_capacity(256 * (records.len() + 1));
        // The byte order mark makes Excel read the file as UTF-8 instead of Windows-1252.
        out.push('\u{feff}');
        out.push_str(&CSV_COLUMNS.join(";"));
        out.push_str("\r\n");
        for (index, record) in records.iter().enumerate() {
            let checked = check(index + 1, record)?;
            let date = iso_date(record.posting_date);
            let period = format!("{:04}-{:02}", checked.year, checked.month);
            for field in [
                municipality_code,
                checked.line_id,
                &period,
                &date,
                checked.provider_name,
                checked.cvr.unwrap_or(""),
                checked.account,
                checked.case_ref,
                checked.measure_ref,
                checked.text,
            ] {
                push_csv_text(&mut out, field);
                out.push(';');
            }
            out.push_str(&csv_amount(record.amount_ore));
            out.push_str("\r\n");
        }
        Ok(out.into_bytes())
    }
}

/// Appends a text field: a leading `'` if a spreadsheet would read it as a formula, then quoted
/// (quotes doubled) if it holds the separator, a quote or a line break.
fn push_csv_text(out: &mut String, value: &str) {
    let guard = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = value.contains([';', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if quote {
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// `1234,50`, `-12,00`: Danish decimal comma, no thousands separator.
fn csv_amount(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

// ---------------------------------------------------------------------------------------------
// Fixed width
// ---------------------------------------------------------------------------------------------

/// Characters in every record, not counting the CR LF that ends it.
pub const RECORD_LENGTH: usize = 250;

const SENDER: &str = "VAERN";
const FORMAT_VERSION: &str = "01";
const MAX_POSTINGS: usize = 999_999;
/// 15 digits of øre.
const MAX_AMOUNT_ORE: u64 = 999_999_999_999_999;
/// 18 digits of øre, the trailer's sum fields.
const MAX_SUM_ORE: u128 = 999_999_999_999_999_999;

// Widths of the posting record's fields that are checked before writing; the README has the
// full position tables.
const LINE_ID_WIDTH: usize = 36;
const ACCOUNT_WIDTH: usize = 20;
const CVR_WIDTH: usize = 8;
const PROVIDER_NAME_WIDTH: usize = 35;
const CASE_REF_WIDTH: usize = 20;
const TEXT_WIDTH: usize = 50;
const MEASURE_REF_WIDTH: usize = 36;

impl FinanceExport for FixedWidthExport {
    fn code(&self) -> &'static str {
        "fixed"
    }

    fn label(&self) -> &'static str {
        "Fastlængdefil til økonomisystemet (ISO-8859-1)"
    }

    fn file_name(&self, municipality_code: &str, period: &str) -> String {
        file_name(municipality_code, period, "txt")
    }

    fn content_type(&self) -> &'static str {
        "text/plain; charset=iso-8859-1"
    }

    fn render(
        &self,
        municipality_code: &str,
        records: &[PaymentRecord],
    ) -> Result<Vec<u8>, ExportError> {
        check_municipality(municipality_code)?;
        if records.len() > MAX_POSTINGS {
            return Err(ExportError::TooManyLines {
                lines: records.len(),
                max: MAX_POSTINGS,
            });
        }
        let mut out = Vec::with_capacity((RECORD_LENGTH + 2) * (records.len() + 2));

        // 00: start record.
        let first = records.iter().map(|r| r.posting_date).min();
        let last = records.iter().map(|r| r.posting_date).max();
        let mut header = Record::new("00");
        header.alpha(municipality_code, 3);
        header.alpha(SENDER, 10);
        header.alpha(FORMAT_VERSION, 2);
        header.alpha(&first.map_or_else(|| "0".repeat(8), compact_date), 8);
        header.alpha(&last.map_or_else(|| "0".repeat(8), compact_date), 8);
        header.finish(&mut out);

        // 10: one posting record per payment line.
        let (mut debit, mut credit) = (0u128, 0u128);
        for (index, record) in records.iter().enumerate() {
            let line = index + 1;
            for (field, value, width) in [
                (LINE_ID, record.line_id.trim(), LINE_ID_WIDTH),
                (ACCOUNT, record.account.trim(), ACCOUNT_WIDTH),
                (
                    CVR,
                    record.provider_cvr.as_deref().unwrap_or("").trim(),
                    CVR_WIDTH,
                ),
                (CASE_REF, record.case_ref.trim(), CASE_REF_WIDTH),
                (MEASURE_REF, record.measure_ref.trim(), MEASURE_REF_WIDTH),
            ] {
                let length = value.chars().count();
                if length > width {
                    return Err(ExportError::FieldTooLong {
                        line,
                        field,
                        value: value.to_owned(),
                        length,
                        width,
                    });
                }
                if !value.chars().all(is_plain_latin1) {
                    return Err(ExportError::UnencodableCharacters {
                        line,
                        field,
                        value: value.to_owned(),
                    });
                }
            }
            let checked = check(line, record)?;
            let amount = record.amount_ore.unsigned_abs();
            if amount > MAX_AMOUNT_ORE {
                return Err(ExportError::AmountTooLarge {
                    line,
                    amount_ore: record.amount_ore,
                });
            }
            if record.amount_ore < 0 {
                credit += u128::from(amount);
            } else {
                debit += u128::from(amount);
            }

            let mut posting = Record::new("10");
            posting.alpha(municipality_code, 3);
            posting.number(line as u128, 6);
            posting.alpha(&compact_date(record.posting_date), 8);
            posting.alpha(&format!("{:04}{:02}", checked.year, checked.month), 6);
            posting.alpha(checked.account, ACCOUNT_WIDTH);
            posting.alpha(if record.amount_ore < 0 { "-" } else { "+" }, 1);
            posting.number(u128::from(amount), 15);
            posting.alpha(checked.cvr.unwrap_or(""), CVR_WIDTH);
            posting.alpha(&to_latin1(checked.provider_name), PROVIDER_NAME_WIDTH);
            posting.alpha(checked.case_ref, CASE_REF_WIDTH);
            posting.alpha(&to_latin1(checked.text), TEXT_WIDTH);
            posting.alpha(checked.line_id, LINE_ID_WIDTH);
            posting.alpha(checked.measure_ref, MEASURE_REF_WIDTH);
            posting.finish(&mut out);
        }

        // 99: end record with the control totals.
        if debit > MAX_SUM_ORE || credit > MAX_SUM_ORE {
            return Err(ExportError::ControlSumTooLarge);
        }
        let net_negative = credit > debit;
        let net = debit.abs_diff(credit);
        let mut trailer = Record::new("99");
        trailer.alpha(municipality_code, 3);
        trailer.number(records.len() as u128, 6);
        trailer.number(debit, 18);
        trailer.number(credit, 18);
        trailer.alpha(if net_negative { "-" } else { "+" }, 1);
        trailer.number(net, 18);
        trailer.finish(&mut out);
        Ok(out)
    }
}

/// One fixed-width record being written: Latin-1 characters only, so one character is one byte.
struct Record(String);

impl Record {
    fn new(kind: &str) -> Self {
        let mut text = String::with_capacity(RECORD_LENGTH);
        text.push_str(kind);
        Self(text)
    }

    /// Left-aligned and space-padded; cut at `width` characters (callers have checked the
    /// fields that must not be cut, and made every character Latin-1).
    fn alpha(&mut self, value: &str, width: usize) {
        let mut written = 0;
        for c in value.chars().take(width) {
            self.0.push(c);
            written += 1;
        }
        self.0.extend(std::iter::repeat_n(' ', width - written));
    }

    /// Right-aligned and zero-padded (callers have checked that it fits).
    fn number(&mut self, value: u128, width: usize) {
        debug_assert!(
            value.checked_ilog10().unwrap_or(0) < width as u32,
            "{value} does not fit in {width} digits"
        );
        self.0.push_str(&format!("{value:0>width$}"));
    }

    /// Pads the record with spaces to its length and appends it, in ISO-8859-1, with CR LF.
    fn finish(mut self, out: &mut Vec<u8>) {
        let length = self.0.chars().count();
        assert!(
            length <= RECORD_LENGTH,
            "a record of {length} characters is longer than {RECORD_LENGTH}"
        );
        self.0
            .extend(std::iter::repeat_n(' ', RECORD_LENGTH - length));
        out.extend(self.0.chars().map(|c| u8::try_from(c).unwrap_or(b'?')));
        out.extend_from_slice(b"\r\n");
    }
}

fn compact_date(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A character ISO-8859-1 holds that is not a control character: what an identifier may hold.
fn is_plain_latin1(c: char) -> bool {
    u32::from(c) <= 0xff && !c.is_control()
}

/// Free text (provider name, posting text) made writable in ISO-8859-1: line breaks, tabs and
/// other control characters and special spaces become a space; a letter followed by a combining
/// accent becomes the precomposed Latin-1 letter (`a` + U+030A becomes `å`; an accent with no
/// Latin-1 form is dropped); typographic quotes and dashes become `'`, `"` and `-`; `…` becomes
/// `...`, `€` becomes `EUR`; any other character outside Latin-1 becomes `?`.
fn to_latin1(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\u{300}'..='\u{36f}' => {
                if let Some(base) = out.pop() {
                    out.push(compose(base, c).unwrap_or(base));
                }
            }
            c if c.is_control() || c.is_whitespace() => out.push(' '),
            '\u{ad}' => {} // soft hyphen: invisible unless a line is broken there
            c if u32::from(c) <= 0xff => out.push(c),
            '‘' | '’' | '‚' | '‛' | '′' => out.push('\''),
            '“' | '”' | '„' | '‟' | '″' => out.push('"'),
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => out.push('-'),
            '…' => out.push_str("..."),
            '€' => out.push_str("EUR"),
            _ => out.push('?'),
        }
    }
    out.trim().to_owned()
}

/// The Latin-1 letter for `base` with a combining `mark`, if there is one.
fn compose(base: char, mark: char) -> Option<char> {
    let (bases, composed) = match mark {
        '\u{300}' => ("AEIOUaeiou", "ÀÈÌÒÙàèìòù"),
        '\u{301}' => ("AEIOUYaeiouy", "ÁÉÍÓÚÝáéíóúý"),
        '\u{302}' => ("AEIOUaeiou", "ÂÊÎÔÛâêîôû"),
        '\u{303}' => ("ANOano", "ÃÑÕãñõ"),
        '\u{308}' => ("AEIOUaeiouy", "ÄËÏÖÜäëïöüÿ"),
        '\u{30a}' => ("Aa", "Åå"),
        '\u{327}' => ("Cc", "Çç"),
        _ => return None,
    };
    let index = bases.chars().position(|b| b == base)?;
    composed.chars().nth(index)
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/// The report accompanying an export file. Its `Display` is a Danish plain-text summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub lines: usize,
    /// Net total in øre, corrections subtracted.
    pub total_ore: i64,
    /// Lines with a negative amount.
    pub corrections: usize,
    /// In Danish alphabetical order of the provider's name (æ, ø, å after z), then CVR number.
    pub per_provider: Vec<ProviderTotal>,
    /// Net total per account, by account code (`5.28.3` before `5.28.21`).
    pub per_account: Vec<(String, i64)>,
}

/// A provider's lines in a run. Lines are grouped by name and CVR number both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderTotal {
    pub name: String,
    pub cvr: Option<String>,
    pub lines: usize,
    pub total_ore: i64,
}

/// Totals of a run, per provider and per account. Names, CVR numbers and accounts are trimmed
/// as in the export files. A total beyond `i64` (impossible for real runs) is clamped.
pub fn report(records: &[PaymentRecord]) -> ExportReport {
    let mut total = 0i128;
    let mut providers: HashMap<(&str, Option<&str>), (usize, i128)> = HashMap::new();
    let mut accounts: HashMap<&str, i128> = HashMap::new();
    for record in records {
        let amount = i128::from(record.amount_ore);
        total += amount;
        let cvr = record
            .provider_cvr
            .as_deref()
            .map(str::trim)
            .filter(|cvr| !cvr.is_empty());
        let provider = providers
            .entry((record.provider_name.trim(), cvr))
            .or_default();
        provider.0 += 1;
        provider.1 += amount;
        *accounts.entry(record.account.trim()).or_default() += amount;
    }

    let mut per_provider: Vec<ProviderTotal> = providers
        .into_iter()
        .map(|((name, cvr), (lines, total))| ProviderTotal {
            name: name.to_owned(),
            cvr: cvr.map(str::to_owned),
            lines,
            total_ore: clamp(total),
        })
        .collect();
    per_provider.sort_by(|a, b| {
        danish_key(&a.name)
            .cmp(&danish_key(&b.name))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.cvr.cmp(&b.cvr))
    });
    let mut per_account: Vec<(String, i64)> = accounts
        .into_iter()
        .map(|(account, total)| (account.to_owned(), clamp(total)))
        .collect();
    per_account.sort_by(|(a, _), (b, _)| compare_accounts(a, b));

    ExportReport {
        lines: records.len(),
        total_ore: clamp(total),
        corrections: records.iter().filter(|r| r.amount_ore < 0).count(),
        per_provider,
        per_account,
    }
}

fn clamp(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// A sort key for Danish alphabetical order: case-insensitive, accents on other letters
/// ignored, æ/ä, ø/ö and å after z, ü as y.
fn danish_key(text: &str) -> Vec<u32> {
    let after_z = |n: u32| u32::from('z') * 4 + n;
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'æ' | 'ä' => after_z(1),
            'ø' | 'ö' => after_z(2),
            'å' => after_z(3),
            'à' | 'á' | 'â' | 'ã' => u32::from('a') * 4,
            'ç' => u32::from('c') * 4,
            'è' | 'é' | 'ê' | 'ë' => u32::from('e') * 4,
            'ì' | 'í' | 'î' | 'ï' => u32::from('i') * 4,
            'ñ' => u32::from('n') * 4,
            'ò' | 'ó' | 'ô' | 'õ' => u32::from('o') * 4,
            'ù' | 'ú' | 'û' => u32::from('u') * 4,
            'ü' | 'ý' | 'ÿ' => u32::from('y') * 4,
            c => u32::from(c) * 4,
        })
        .collect()
}

/// Account codes compared part by part (between the dots), numerically where both parts are
/// numbers: `5.28.3` < `5.28.21` < `5.38.42`.
fn compare_accounts(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        let order = match (left.next(), right.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match (x.parse::<u64>(), y.parse::<u64>()) {
                (Ok(m), Ok(n)) => m.cmp(&n),
                _ => x.cmp(y),
            },
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

impl fmt::Display for ExportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Betalingskørsel: {}, i alt {}",
            count(self.lines, "linje", "linjer"),
            kroner(self.total_ore)
        )?;
        match self.corrections {
            0 => writeln!(f, ", ingen korrektioner")?,
            n => writeln!(f, ", heraf {}", count(n, "korrektion", "korrektioner"))?,
        }
        if !self.per_provider.is_empty() {
            writeln!(f, "\nPr. leverandør:")?;
            for provider in &self.per_provider {
                let cvr = provider
                    .cvr
                    .as_deref()
                    .map_or_else(|| "uden CVR-nummer".to_owned(), |cvr| format!("CVR {cvr}"));
                writeln!(
                    f,
                    "  {} ({cvr}): {}, {}",
                    provider.name,
                    count(provider.lines, "linje", "linjer"),
                    kroner(provider.total_ore)
                )?;
            }
        }
        if !self.per_account.is_empty() {
            writeln!(f, "\nPr. konto:")?;
            for (account, total) in &self.per_account {
                writeln!(f, "  {account}: {}", kroner(*total))?;
            }
        }
        Ok(())
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1.234,50 kr.` for people to read (the files use `1234,50` or øre).
fn kroner(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02} kr.", abs % 100)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const LINE: &str = "0b6f7c1e-8d2a-4f3b-9c4d-5e6f7a8b9c0d";
    const MEASURE: &str = "7d1e2f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a";

    fn payment(provider: &str, account: &str, amount_ore: i64) -> PaymentRecord {
        PaymentRecord {
            line_id: LINE.into(),
            period: "2026-11".into(),
            posting_date: date!(2026 - 11 - 03),
            provider_name: provider.into(),
            provider_cvr: Some("12345678".into()),
            account: account.into(),
            case_ref: "B-2026-0042".into(),
            measure_ref: MEASURE.into(),
            text: "Familiebehandling, nov. 2026".into(),
            amount_ore,
        }
    }

    fn csv(records: &[PaymentRecord]) -> String {
        let bytes = CsvExport.render("101", records).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    /// The CSV rows after the BOM, without their CR LF.
    fn csv_rows(records: &[PaymentRecord]) -> Vec<String> {
        let text = csv(records);
        let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
        let text = text.strip_suffix("\r\n").expect("a final CR LF");
        text.split("\r\n").map(str::to_owned).collect()
    }

    fn fixed(records: &[PaymentRecord]) -> Vec<Vec<u8>> {
        let bytes = FixedWidthExport.render("101", records).unwrap();
        let body = bytes.strip_suffix(b"\n").expect("a final CR LF");
        body.split(|&b| b == b'\n')
            .map(|record| record.strip_suffix(b"\r").expect("CR LF").to_vec())
            .collect()
    }

    /// The field at 1-based positions `from..=to`, as in the README's tables, read as Latin-1.
    fn at(record: &[u8], from: usize, to: usize) -> String {
        record[from - 1..to]
            .iter()
            .map(|&b| char::from(b))
            .collect()
    }

    #[test]
    fn csv_starts_with_a_bom_and_the_danish_header_and_ends_lines_with_crlf() {
        let text = csv(&[payment("Familiehuset Solsikken", "5.28.21", 1_250_000)]);
        assert_eq!(
            text,
            format!(
                "\u{feff}Kommunekode;Linje-id;Periode;Bogføringsdato;Leverandør;CVR-nummer;Konto;\
                 Sagsreference;Indsats-id;Posteringstekst;Beløb\r\n\
                 101;{LINE};2026-11;2026-11-03;Familiehuset Solsikken;12345678;5.28.21;\
                 B-2026-0042;{MEASURE};Familiebehandling, nov. 2026;12500,00\r\n"
            )
        );
        assert_eq!(csv(&[]).matches("\r\n").count(), 1, "header only");
    }

    #[test]
    fn csv_quotes_fields_and_guards_against_formulas() {
        let mut record = payment("Familiehuset \"Solsikken\"; afd. Nord", "5.28.21", 100);
        record.text = "=HYPERLINK(\"http://x\")".into();
        record.case_ref = "@sag".into();
        record.provider_cvr = None;
        let rows = csv_rows(&[record.clone()]);
        assert_eq!(
            rows[1],
            format!(
                "101;{LINE};2026-11;2026-11-03;\"Familiehuset \"\"Solsikken\"\"; afd. Nord\";;\
                 5.28.21;'@sag;{MEASURE};\"'=HYPERLINK(\"\"http://x\"\")\";1,00"
            )
        );

        for (text, field) in [
            ("+45 timer", "'+45 timer"),
            ("-5 timer", "'-5 timer"),
            ("  =1+1", "'=1+1"),
            ("Linje 1\nLinje 2", "\"Linje 1\nLinje 2\""),
            ("Linje 1\r\nLinje 2", "\"Linje 1\r\nLinje 2\""),
            ("5 + 5 = 10", "5 + 5 = 10"),
            (
                "Familiebehandling, nov. 2026",
                "Familiebehandling, nov. 2026",
            ),
        ] {
            record.text = text.into();
            let row = csv(std::slice::from_ref(&record));
            assert!(
                row.contains(&format!(";{field};1,00\r\n")),
                "{text:?}: {row:?}"
            );
        }
    }

    #[test]
    fn csv_amounts_use_a_decimal_comma_and_a_minus_for_corrections() {
        for (ore, text) in [
            (0, "0,00"),
            (5, "0,05"),
            (-5, "-0,05"),
            (123_450, "1234,50"),
            (-1_250_000, "-12500,00"),
            (100_000_000_000, "1000000000,00"),
            (i64::MAX, "92233720368547758,07"),
            (i64::MIN, "-92233720368547758,08"),
        ] {
            let rows = csv_rows(&[payment("A", "5.28.21", ore)]);
            assert!(rows[1].ends_with(&format!(";{text}")), "{ore}: {}", rows[1]);
            assert!(!rows[1].contains(";'-"), "an amount is not guarded");
        }
    }

    #[test]
    fn csv_trims_and_checks_the_fields_both_formats_check() {
        let mut record = payment("  Solsikken ", " 5.28.21 ", 100);
        record.provider_cvr = Some(" ".into());
        let rows = csv_rows(&[record]);
        assert!(rows[1].contains(";Solsikken;;5.28.21;"), "{}", rows[1]);

        type Change = fn(&mut PaymentRecord);
        let cases: [(Change, ExportError); 6] = [
            (
                |r| r.account = " ".into(),
                ExportError::MissingField {
                    line: 2,
                    field: ACCOUNT,
                },
            ),
            (
                |r| r.case_ref.clear(),
                ExportError::MissingField {
                    line: 2,
                    field: CASE_REF,
                },
            ),
            (
                |r| r.provider_name.clear(),
                ExportError::MissingField {
                    line: 2,
                    field: PROVIDER_NAME,
                },
            ),
            (
                |r| r.period = "2026-13".into(),
                ExportError::InvalidPeriod {
                    line: 2,
                    value: "2026-13".into(),
                },
            ),
            (
                |r| r.provider_cvr = Some("1234567".into()),
                ExportError::InvalidCvr {
                    line: 2,
                    value: "1234567".into(),
                },
            ),
            (
                |r| r.provider_cvr = Some("1234567X".into()),
                ExportError::InvalidCvr {
                    line: 2,
                    value: "1234567X".into(),
                },
            ),
        ];
        for (change, expected) in cases {
            let mut bad = payment("B", "5.28.21", 100);
            change(&mut bad);
            let records = [payment("A", "5.28.21", 100), bad];
            assert_eq!(CsvExport.render("101", &records), Err(expected.clone()));
            assert_eq!(FixedWidthExport.render("101", &records), Err(expected));
        }
        for period in ["2026-1", "26-11", "2026/11", "2026-00", "", "2026-11-01"] {
            assert!(parse_period(period).is_none(), "{period}");
        }
        assert_eq!(parse_period("2026-12"), Some((2026, 12)));
    }

    #[test]
    fn the_municipality_code_must_be_three_digits() {
        for code in ["0101", "10", "1a1", ""] {
            for export in EXPORTS {
                assert_eq!(
                    export.render(code, &[]),
                    Err(ExportError::InvalidMunicipalityCode(code.into()))
                );
            }
        }
    }

    #[test]
    fn every_fixed_width_record_has_the_documented_length() {
        let mut long_text = payment("Æblegården".repeat(10).as_str(), "5.28.21", 1);
        long_text.text = "Meget lang posteringstekst ".repeat(5);
        let records = [
            payment("A", "5.28.21", 0),
            payment("Åbo", "5.28.23", -99),
            long_text,
        ];
        let bytes = FixedWidthExport.render("101", &records).unwrap();
        assert_eq!(bytes.len(), (RECORD_LENGTH + 2) * 5);
        let lines = fixed(&records);
        assert_eq!(lines.len(), 5);
        for line in &lines {
            assert_eq!(line.len(), RECORD_LENGTH);
            assert!(!line.contains(&b'\r') && !line.contains(&b'\n'));
        }
        let kinds: Vec<String> = lines.iter().map(|l| at(l, 1, 2)).collect();
        assert_eq!(kinds, ["00", "10", "10", "10", "99"]);
        // Free text is truncated to its width.
        assert_eq!(
            at(&lines[3], 70, 104),
            "Æblegården".repeat(4).chars().take(35).collect::<String>()
        );
        assert_eq!(
            at(&lines[3], 125, 174),
            "Meget lang posteringstekst Meget lang posteringste"
        );
        // An empty run is a start and an end record.
        let empty = fixed(&[]);
        assert_eq!(empty.len(), 2);
        assert_eq!(at(&empty[0], 18, 33), "0".repeat(16));
        assert_eq!(
            at(&empty[1], 6, 66),
            format!("{}+{}", "0".repeat(42), "0".repeat(18))
        );
    }

    #[test]
    fn fixed_width_posting_fields_sit_at_their_documented_positions() {
        let mut record = payment("Familiehuset Solsikken", "5.28.21", 1_250_050);
        record.posting_date = date!(2026 - 12 - 01);
        let lines = fixed(&[payment("A", "5.28.21", 1), record]);
        let posting = &lines[2];
        let fields = [
            (1, 2, "10".to_owned()),
            (3, 5, "101".to_owned()),
            (6, 11, "000002".to_owned()),
            (12, 19, "20261201".to_owned()),
            (20, 25, "202611".to_owned()),
            (26, 45, format!("{:<20}", "5.28.21")),
            (46, 46, "+".to_owned()),
            (47, 61, "000000001250050".to_owned()),
            (62, 69, "12345678".to_owned()),
            (70, 104, format!("{:<35}", "Familiehuset Solsikken")),
            (105, 124, format!("{:<20}", "B-2026-0042")),
            (125, 174, format!("{:<50}", "Familiebehandling, nov. 2026")),
            (175, 210, LINE.to_owned()),
            (211, 246, MEASURE.to_owned()),
            (247, 250, "    ".to_owned()),
        ];
        let mut next = 1;
        for (from, to, expected) in fields {
            assert_eq!(from, next, "the fields are contiguous");
            assert_eq!(at(posting, from, to), expected, "{from}-{to}");
            next = to + 1;
        }
        assert_eq!(next, RECORD_LENGTH + 1);
    }

    #[test]
    fn fixed_width_header_and_trailer_carry_the_dates_count_and_control_sums() {
        let mut early = payment("A", "5.28.21", 1_000_000);
        early.posting_date = date!(2026 - 10 - 30);
        let records = [
            payment("B", "5.28.21", 250_050),
            early,
            payment("C", "5.38.42", -50_000),
            payment("D", "5.28.23", 0),
        ];
        let lines = fixed(&records);
        let header = &lines[0];
        assert_eq!(at(header, 1, 2), "00");
        assert_eq!(at(header, 3, 5), "101");
        assert_eq!(at(header, 6, 15), "VAERN     ");
        assert_eq!(at(header, 16, 17), "01");
        assert_eq!(at(header, 18, 25), "20261030");
        assert_eq!(at(header, 26, 33), "20261103");
        assert_eq!(at(header, 34, 250), " ".repeat(217));

        let trailer = lines.last().unwrap();
        assert_eq!(at(trailer, 1, 2), "99");
        assert_eq!(at(trailer, 3, 5), "101");
        assert_eq!(at(trailer, 6, 11), "000004");
        assert_eq!(at(trailer, 12, 29), "000000000001250050");
        assert_eq!(at(trailer, 30, 47), "000000000000050000");
        assert_eq!(at(trailer, 48, 48), "+");
        assert_eq!(at(trailer, 49, 66), "000000000001200050");
        assert_eq!(at(trailer, 67, 250), " ".repeat(184));
        let sum: i64 = lines[1..lines.len() - 1]
            .iter()
            .map(|l| {
                let amount: i64 = at(l, 47, 61).parse().unwrap();
                if at(l, 46, 46) == "-" {
                    -amount
                } else {
                    amount
                }
            })
            .sum();
        assert_eq!(sum, 1_200_050, "the control sum is the sum of the postings");

        let lines = fixed(&[payment("A", "5.28.21", -300), payment("A", "5.28.21", 100)]);
        let trailer = lines.last().unwrap();
        assert_eq!(at(trailer, 48, 66), "-000000000000000200");
        assert_eq!(at(&lines[1], 46, 61), "-000000000000300");
    }

    #[test]
    fn fixed_width_amounts_from_zero_to_fifteen_digits() {
        let lines = fixed(&[
            payment("A", "5.28.21", 0),
            payment("A", "5.28.21", 999_999_999_999_999),
            payment("A", "5.28.21", -999_999_999_999_999),
        ]);
        assert_eq!(at(&lines[1], 46, 61), "+000000000000000");
        assert_eq!(at(&lines[2], 46, 61), "+999999999999999");
        assert_eq!(at(&lines[3], 46, 61), "-999999999999999");
        assert_eq!(at(&lines[4], 48, 66), "+000000000000000000");

        for amount in [1_000_000_000_000_000, -1_000_000_000_000_000, i64::MIN] {
            let error = FixedWidthExport
                .render("101", &[payment("A", "5.28.21", amount)])
                .unwrap_err();
            assert_eq!(
                error,
                ExportError::AmountTooLarge {
                    line: 1,
                    amount_ore: amount
                }
            );
        }
        assert_eq!(
            ExportError::AmountTooLarge {
                line: 1,
                amount_ore: -1_000_000_000_000_000
            }
            .to_string(),
            "Betalingslinje 1: beløbet -10.000.000.000.000,00 kr. er for stort til filens \
             beløbsfelt"
        );
    }

    #[test]
    fn fixed_width_is_latin1_and_transliterates_the_rest() {
        let mut record = payment("Ærø Ølejr & Åbo", "5.28.21", 1);
        record.text = "Støtte – “særlig” indsats … 5 € ‘ok’ Łódź 日本\tslut\u{200b}".into();
        let lines = fixed(&[record]);
        let posting = &lines[1];
        assert_eq!(
            &posting[69..84],
            b"\xC6r\xF8 \xD8lejr & \xC5bo",
            "æ, ø and å are single Latin-1 bytes"
        );
        assert_eq!(
            at(posting, 125, 174),
            "Støtte - \"særlig\" indsats ... 5 EUR 'ok' ?ód? ?? s"
        );
        assert!(std::str::from_utf8(posting).is_err(), "not UTF-8");

        assert_eq!(to_latin1("Sa\u{30a}rbo\u{308}rn"), "Sårbörn");
        assert_eq!(to_latin1("Re\u{301}sume\u{301}"), "Résumé");
        assert_eq!(
            to_latin1("x\u{323}y"),
            "xy",
            "an accent without a Latin-1 form"
        );
        assert_eq!(to_latin1(" Linje 1\r\nLinje 2 "), "Linje 1  Linje 2");
        assert_eq!(to_latin1("ÆØÅæøåé"), "ÆØÅæøåé");
    }

    #[test]
    fn fixed_width_refuses_identifiers_that_do_not_fit() {
        let mut long_cvr = payment("A", "5.28.21", 1);
        long_cvr.provider_cvr = Some("123456789".into());
        let long_account = payment("A", "5.28.21.00.01.00.00.99", 1);
        let mut long_case = payment("A", "5.28.21", 1);
        long_case.case_ref = "B-2026-0042-FAMILIE-7".into();
        let mut dash_case = payment("A", "5.28.21", 1);
        dash_case.case_ref = "B–2026".into();

        let render = |record: PaymentRecord| {
            FixedWidthExport.render("101", &[payment("B", "5.28.21", 1), record])
        };
        assert_eq!(
            render(long_cvr),
            Err(ExportError::FieldTooLong {
                line: 2,
                field: CVR,
                value: "123456789".into(),
                length: 9,
                width: 8,
            })
        );
        let error = render(long_account).unwrap_err();
        assert_eq!(
            error,
            ExportError::FieldTooLong {
                line: 2,
                field: ACCOUNT,
                value: "5.28.21.00.01.00.00.99".into(),
                length: 22,
                width: 20,
            }
        );
        assert_eq!(
            error.to_string(),
            "Betalingslinje 2: kontoen «5.28.21.00.01.00.00.99» fylder 22 tegn, men feltet i \
             filen har kun plads til 20"
        );
        assert!(matches!(
            render(long_case),
            Err(ExportError::FieldTooLong {
                field: CASE_REF,
                width: 20,
                ..
            })
        ));
        assert_eq!(
            render(dash_case),
            Err(ExportError::UnencodableCharacters {
                line: 2,
                field: CASE_REF,
                value: "B–2026".into()
            })
        );
        // The CSV has no widths: a 20+ character account is fine there.
        let csv = csv(&[payment("A", "5.28.21.00.01.00.00.99", 1)]);
        assert!(csv.contains(";5.28.21.00.01.00.00.99;"));
    }

    #[test]
    fn the_report_totals_and_groups_in_danish_order() {
        let mut no_cvr = payment("plejefamilie Jensen", "5.28.20", 800_000);
        no_cvr.provider_cvr = None;
        let mut other_cvr = payment("Solsikken", "5.28.21", 5_000);
        other_cvr.provider_cvr = Some("87654321".into());
        let records = [
            payment("Solsikken", "5.28.21", 1_250_000),
            payment("Åbo Opholdssted", "5.28.23", 2_000_000),
            payment("Æblegården", "5.28.23", 1_000_000),
            payment("Solsikken", "5.28.21", -250_000),
            no_cvr,
            payment("Østerlund", "5.38.42", 300_000),
            other_cvr,
            payment(" Solsikken ", "5.28.3", 100),
        ];
        let report = report(&records);
        assert_eq!(report.lines, 8);
        assert_eq!(report.total_ore, 5_105_100);
        assert_eq!(report.corrections, 1);
        let providers: Vec<(&str, Option<&str>, usize, i64)> = report
            .per_provider
            .iter()
            .map(|p| (p.name.as_str(), p.cvr.as_deref(), p.lines, p.total_ore))
            .collect();
        assert_eq!(
            providers,
            [
                ("plejefamilie Jensen", None, 1, 800_000),
                ("Solsikken", Some("12345678"), 3, 1_000_100),
                ("Solsikken", Some("87654321"), 1, 5_000),
                ("Æblegården", Some("12345678"), 1, 1_000_000),
                ("Østerlund", Some("12345678"), 1, 300_000),
                ("Åbo Opholdssted", Some("12345678"), 1, 2_000_000),
            ]
        );
        assert_eq!(
            report.per_account,
            [
                ("5.28.3".to_owned(), 100),
                ("5.28.20".to_owned(), 800_000),
                ("5.28.21".to_owned(), 1_005_000),
                ("5.28.23".to_owned(), 3_000_000),
                ("5.38.42".to_owned(), 300_000),
            ]
        );
        assert_eq!(
            report.per_account.iter().map(|(_, t)| t).sum::<i64>(),
            report.total_ore
        );

        let text = report.to_string();
        assert!(
            text.starts_with(
                "Betalingskørsel: 8 linjer, i alt 51.051,00 kr., heraf 1 korrektion\n"
            ),
            "{text}"
        );
        assert!(text.contains("  plejefamilie Jensen (uden CVR-nummer): 1 linje, 8.000,00 kr.\n"));
        assert!(text.contains("  Solsikken (CVR 12345678): 3 linjer, 10.001,00 kr.\n"));
        assert!(text.contains("  5.28.21: 10.050,00 kr.\n"));

        let empty = super::report(&[]);
        assert_eq!((empty.lines, empty.total_ore, empty.corrections), (0, 0, 0));
        assert_eq!(
            empty.to_string(),
            "Betalingskørsel: 0 linjer, i alt 0,00 kr., ingen korrektioner\n"
        );
    }

    #[test]
    fn exports_are_found_by_code() {
        assert_eq!(export("csv").map(|e| e.code()), Some("csv"));
        assert_eq!(export("fixed").map(|e| e.code()), Some("fixed"));
        assert!(export("xml").is_none());
        assert!(export("CSV").is_none());
        assert!(export("").is_none());
        let codes: Vec<&str> = EXPORTS.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["csv", "fixed"]);

        let csv = export("csv").unwrap();
        assert_eq!(
            csv.file_name("101", "2026-11"),
            "vaern-betalinger-101-2026-11.csv"
        );
        assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
        let fixed = export("fixed").unwrap();
        assert_eq!(
            fixed.file_name("101", "2026-11"),
            "vaern-betalinger-101-2026-11.txt"
        );
        assert_eq!(fixed.content_type(), "text/plain; charset=iso-8859-1");
        assert_eq!(
            fixed.file_name("../1\"01", "2026-11\r\n"),
            "vaern-betalinger-101-2026-11.txt"
        );
        for export in EXPORTS {
            assert!(!export.label().is_empty());
        }
    }

    #[test]
    fn errors_read_in_danish() {
        assert_eq!(
            ExportError::InvalidMunicipalityCode("0101".into()).to_string(),
            "Ugyldig kommunekode «0101» – forventet 3 cifre, fx 101"
        );
        assert_eq!(
            ExportError::MissingField {
                line: 4,
                field: CASE_REF
            }
            .to_string(),
            "Betalingslinje 4: sagsreferencen mangler"
        );
        assert_eq!(
            ExportError::TooManyLines {
                lines: 1_000_000,
                max: MAX_POSTINGS
            }
            .to_string(),
            "Kørslen har 1000000 betalingslinjer, men filformatet kan højst rumme 999999"
        );
    }

    #[test]
    fn kroner_are_grouped_for_people() {
        assert_eq!(kroner(0), "0,00 kr.");
        assert_eq!(kroner(123_450), "1.234,50 kr.");
        assert_eq!(kroner(-100_000_000), "-1.000.000,00 kr.");
        assert_eq!(kroner(i64::MIN), "-92.233.720.368.547.758,08 kr.");
    }
}
