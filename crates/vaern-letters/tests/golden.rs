//! Golden tests: every standard letter rendered on the demo case, its text extracted from the
//! PDF and compared with `tests/golden/<key>.txt` (`UPDATE_GOLDEN=1` rewrites them after a
//! deliberate change; review the diff).

use time::macros::datetime;
use vaern_letters::{LETTERHEAD, LetterData, STANDARD, compose, standard, to_docx, to_pdf};

fn demo_letter(key: &str) -> vaern_letters::Letter {
    let letter = standard(key).unwrap();
    let data = LetterData::demo("Eksempel Kommune", &letter.demo_fields());
    compose(
        standard(LETTERHEAD).unwrap().body,
        letter.title,
        letter.body,
        &data,
    )
    .unwrap()
}

fn pdf_text(pdf: &[u8]) -> String {
    let document = lopdf::Document::load_mem(pdf).expect("a readable PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("extractable text")
}

#[test]
fn every_standard_letter_matches_its_golden_text() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    for letter in STANDARD.iter().filter(|s| s.key != LETTERHEAD) {
        let pdf = to_pdf(&demo_letter(letter.key), datetime!(2026-11-23 10:00 UTC)).unwrap();
        let text = pdf_text(&pdf);
        let path = format!(
            "{}/tests/golden/{}.txt",
            env!("CARGO_MANIFEST_DIR"),
            letter.key
        );
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{path} is missing; run with UPDATE_GOLDEN=1"));
        assert_eq!(text, golden, "{} differs from {path}", letter.key);
    }
}

#[test]
fn the_pdf_declares_pdf_a_2b_and_embeds_its_fonts() {
    let pdf = to_pdf(&demo_letter("afgoerelse"), datetime!(2026-11-23 10:00 UTC)).unwrap();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.starts_with("%PDF-1.7") || raw.starts_with("%PDF-1.6") || raw.starts_with("%PDF-1.4")
    );
    assert!(
        raw.contains("pdfaid:part>2<") || raw.contains("pdfaid:part=\"2\""),
        "PDF/A part 2 in the XMP metadata"
    );
    assert!(raw.contains("pdfaid:conformance>B<") || raw.contains("pdfaid:conformance=\"B\""));
    assert!(raw.contains("/FontFile2"), "the font program is embedded");
    let text = pdf_text(&pdf);
    for expected in [
        "Klagevejledning",
        "Begrundelse",
        "Vedrørende Emma Eksempel, CPR-nr. 010118-xxxx",
        "Side 1 af 1",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
}

#[test]
fn a_long_letter_flows_onto_more_pages_with_page_numbers() {
    let mut letter = demo_letter("opfoelgning");
    let paragraph = vec![
            "Emma kommer nu i skole næsten hver dag, og lærerne beskriver en pige i god trivsel."
                .to_owned();
            12
        ];
    letter.blocks = vec![vaern_letters::Block::Paragraph(paragraph); 8];
    let pdf = to_pdf(&letter, datetime!(2026-11-23 10:00 UTC)).unwrap();
    let document = lopdf::Document::load_mem(&pdf).unwrap();
    let pages = document.get_pages().len();
    assert!(pages >= 2, "{pages} page(s)");
    let text = pdf_text(&pdf);
    assert!(text.contains(&format!("Side {pages} af {pages}")));
}

#[test]
fn the_docx_is_a_word_document_with_the_letters_text() {
    let docx = to_docx(&demo_letter("partshoering")).unwrap();
    assert!(docx.starts_with(b"PK\x03\x04"));
    let text = String::from_utf8_lossy(&docx);
    assert!(text.contains("word/document.xml") && text.contains("[Content_Types].xml"));
    assert!(text.contains("forvaltningslovens § 19"));
    assert!(text.contains("Sara Sagsbehandler"));
}
