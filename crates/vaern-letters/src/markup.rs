//! The plain markup a rendered template is written in: a line starting with `# ` is a heading,
//! one starting with `- ` a bullet; a blank line ends a paragraph; other line breaks are kept.

/// A block of a letter's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    /// Lines, broken where the template broke them.
    Paragraph(Vec<String>),
    Bullet(String),
}

pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let flush = |lines: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !lines.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(lines)));
        }
    };
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            flush(&mut lines, &mut blocks);
        } else if let Some(heading) = line.strip_prefix("# ") {
            flush(&mut lines, &mut blocks);
            blocks.push(Block::Heading(heading.trim().to_owned()));
        } else if let Some(item) = line.strip_prefix("- ") {
            flush(&mut lines, &mut blocks);
            blocks.push(Block::Bullet(item.trim().to_owned()));
        } else {
            lines.push(line.to_owned());
        }
    }
    flush(&mut lines, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_bullets_and_paragraphs() {
        let text = "Kære Mette\n\n# Mål\nFørste linje\nAnden linje\n- et punkt\n\n\nSlut  \n";
        assert_eq!(
            parse(text),
            vec![
                Block::Paragraph(vec!["Kære Mette".into()]),
                Block::Heading("Mål".into()),
                Block::Paragraph(vec!["Første linje".into(), "Anden linje".into()]),
                Block::Bullet("et punkt".into()),
                Block::Paragraph(vec!["Slut".into()]),
            ]
        );
    }
}
