//! PDF output aiming at PDF/A-2b (archival): A4 pages, the embedded IBM Plex Sans (SIL OFL),
//! text laid out and broken into lines and pages here; krilla writes and validates the file.

use std::sync::LazyLock;

use krilla::{
    Document, SerializeSettings,
    configure::{ConfigurationBuilder, validate::Archival},
    geom::{Point, Size as PageSize},
    metadata::{DateTime, Metadata},
    page::PageSettings,
    text::{Font, GlyphId, KrillaGlyph},
};
use skrifa::{
    FontRef, MetadataProvider,
    instance::{LocationRef, Size},
};
use time::OffsetDateTime;

use crate::{letter::Letter, markup::Block};

const REGULAR: &[u8] = include_bytes!("../fonts/IBMPlexSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/IBMPlexSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 70.0;
const RIGHT: f32 = PAGE_WIDTH - 60.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = PAGE_HEIGHT - 70.0;
const BODY_SIZE: f32 = 10.5;
const LEADING: f32 = 1.45;

/// Glyph lookup and advances of one face, parsed once.
struct Face {
    font: FontRef<'static>,
    units_per_em: f32,
}

impl Face {
    fn new(data: &'static [u8]) -> Face {
        let font = FontRef::new(data).expect("the embedded font is valid");
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        Face { font, units_per_em }
    }

    fn glyph(&self, c: char) -> Option<(GlyphId, f32)> {
        let id = self.font.charmap().map(c)?;
        let advance = self
            .font
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(id)
            .unwrap_or(0.0);
        Some((GlyphId::new(id.to_u32()), advance / self.units_per_em))
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .filter_map(|c| self.glyph(c))
            .map(|(_, advance)| advance * size)
            .sum()
    }
}

static FACES: LazyLock<[Face; 2]> = LazyLock::new(|| [Face::new(REGULAR), Face::new(BOLD)]);

/// Characters of `text` the letter's font cannot show (line breaks aside).
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !matches!(c, '\n' | '\r' | '\t'))
        .filter(|&c| FACES.iter().any(|face| face.glyph(c).is_none()))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

/// One line of text placed on a page (`y` is the baseline).
#[derive(Debug, Clone)]
struct Run {
    x: f32,
    y: f32,
    text: String,
    bold: bool,
    size: f32,
}

/// Breaks `text` into lines no wider than `width` (a word longer than a line is split).
fn wrap(text: &str, face: &Face, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if face.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if face.width(&line, size) > width {
                let last = line.pop().unwrap_or(' ');
                lines.push(std::mem::replace(&mut line, last.to_string()));
            }
        }
    }
    lines.push(line);
    lines
}

/// Lays the letter out on pages.
struct Layout {
    pages: Vec<Vec<Run>>,
    y: f32,
}

impl Layout {
    fn line(&mut self, x: f32, text: &str, bold: bool, size: f32) {
        let height = size * LEADING;
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP + 20.0;
        }
        self.y += height;
        let run = Run {
            x,
            y: self.y,
            text: text.to_owned(),
            bold,
            size,
        };
        self.pages.last_mut().expect("a page").push(run);
    }

    fn wrapped(&mut self, x: f32, text: &str, bold: bool, size: f32) {
        let face = &FACES[usize::from(bold)];
        for line in wrap(text, face, size, RIGHT - x) {
            self.line(x, &line, bold, size);
        }
    }

    fn space(&mut self, points: f32) {
        self.y += points;
    }
}

fn lay_out(letter: &Letter) -> Vec<Vec<Run>> {
    let mut layout = Layout {
        pages: vec![Vec::new()],
        y: TOP,
    };
    // The letterhead and reference lines stand at the right, the recipient at the left.
    let column = 360.0;
    for (i, line) in letter.letterhead.iter().enumerate() {
        layout.line(column, line, i == 0, if i == 0 { 12.0 } else { 9.0 });
    }
    layout.space(8.0);
    for (label, value) in &letter.reference {
        layout.line(column, &format!("{label}: {value}"), false, 9.0);
    }
    let right_end = layout.y;
    layout.y = TOP + 80.0;
    for line in &letter.recipient {
        layout.line(LEFT, line, false, BODY_SIZE);
    }
    layout.y = layout.y.max(right_end) + 36.0;
    layout.wrapped(LEFT, &letter.title, true, 15.0);
    layout.wrapped(LEFT, &letter.concerning, false, 9.0);
    layout.space(10.0);
    for block in &letter.blocks {
        match block {
            Block::Heading(text) => {
                layout.space(6.0);
                layout.wrapped(LEFT, text, true, 11.5);
            }
            Block::Paragraph(lines) => {
                for line in lines {
                    layout.wrapped(LEFT, line, false, BODY_SIZE);
                }
                layout.space(7.0);
            }
            Block::Bullet(text) => {
                layout.line(LEFT, "•", false, BODY_SIZE);
                layout.y -= BODY_SIZE * LEADING;
                layout.wrapped(LEFT + 12.0, text, false, BODY_SIZE);
            }
        }
    }
    layout.pages
}

fn pdf_date(at: OffsetDateTime) -> DateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    DateTime::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(u8::from(at.month()))
        .day(at.day())
        .hour(at.hour())
        .minute(at.minute())
        .second(at.second())
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// The letter as a PDF/A-2b file; `created` is its creation date.
pub fn to_pdf(letter: &Letter, created: OffsetDateTime) -> Result<Vec<u8>, String> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|error| format!("PDF/A configuration: {error:?}"))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    document.set_metadata(
        Metadata::new()
            .title(letter.title.clone())
            .language("da".into())
            .creator("Værn".into())
            .authors(letter.letterhead.first().cloned().into_iter().collect())
            .creation_date(pdf_date(created)),
    );
    let fonts = [REGULAR, BOLD].map(|data| {
        Font::new(krilla::Data::from(data), 0).ok_or_else(|| "the embedded font".to_owned())
    });
    let [Ok(regular), Ok(bold)] = fonts else {
        return Err("the embedded font cannot be read".into());
    };
    let pages = lay_out(letter);
    let count = pages.len();
    let sender = letter.letterhead.first().cloned().unwrap_or_default();
    for (number, runs) in pages.into_iter().enumerate() {
        let size = PageSize::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?;
        let mut page = document.start_page_with(PageSettings::new(size));
        let mut surface = page.surface();
        let footer = [
            Run {
                x: LEFT,
                y: PAGE_HEIGHT - 40.0,
                text: sender.clone(),
                bold: false,
                size: 8.0,
            },
            Run {
                x: RIGHT - 50.0,
                y: PAGE_HEIGHT - 40.0,
                text: format!("Side {} af {count}", number + 1),
                bold: false,
                size: 8.0,
            },
        ];
        for run in runs.iter().chain(&footer) {
            let face = &FACES[usize::from(run.bold)];
            let mut glyphs = Vec::new();
            for (at, c) in run.text.char_indices() {
                if let Some((id, advance)) = face.glyph(c) {
                    glyphs.push(KrillaGlyph::new(
                        id,
                        advance,
                        0.0,
                        0.0,
                        0.0,
                        at..at + c.len_utf8(),
                        None,
                    ));
                }
            }
            let font = if run.bold {
                bold.clone()
            } else {
                regular.clone()
            };
            surface.draw_glyphs(
                Point::from_xy(run.x, run.y),
                &glyphs,
                font,
                &run.text,
                run.size,
                false,
            );
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| format!("the PDF could not be written: {error:?}"))
}
