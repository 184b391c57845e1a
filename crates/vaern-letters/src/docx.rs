//! DOCX output (Office Open XML, ISO/IEC 29500) for a caseworker who must edit the letter in
//! Word: one paragraph per line, headings in bold, bullets as list paragraphs.

use std::io::{Cursor, Write};

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::{letter::Letter, markup::Block};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="21"/><w:lang w:val="da-DK"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="240" w:after="60"/></w:pPr><w:rPr><w:b/><w:sz w:val="30"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="200"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="23"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Small"><w:name w:val="Small"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="right"/></w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:style></w:styles>"#;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn paragraph(out: &mut String, style: Option<&str>, text: &str, space_after: bool) {
    out.push_str("<w:p><w:pPr>");
    if let Some(style) = style {
        out.push_str(&format!(r#"<w:pStyle w:val="{style}"/>"#));
    }
    if space_after {
        out.push_str(r#"<w:spacing w:after="140"/>"#);
    }
    out.push_str("</w:pPr>");
    if !text.is_empty() {
        out.push_str(&format!(
            r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>"#,
            escape(text)
        ));
    }
    out.push_str("</w:p>");
}

fn body(letter: &Letter) -> String {
    let mut out = String::new();
    for line in &letter.letterhead {
        paragraph(&mut out, Some("Small"), line, false);
    }
    for (label, value) in &letter.reference {
        paragraph(&mut out, Some("Small"), &format!("{label}: {value}"), false);
    }
    paragraph(&mut out, None, "", false);
    for line in &letter.recipient {
        paragraph(&mut out, None, line, false);
    }
    paragraph(&mut out, Some("Title"), &letter.title, false);
    paragraph(&mut out, Some("Small"), &letter.concerning, true);
    for block in &letter.blocks {
        match block {
            Block::Heading(text) => paragraph(&mut out, Some("Heading1"), text, false),
            Block::Paragraph(lines) => {
                for (i, line) in lines.iter().enumerate() {
                    paragraph(&mut out, None, line, i + 1 == lines.len());
                }
            }
            Block::Bullet(text) => paragraph(&mut out, None, &format!("•\u{a0}{text}"), false),
        }
    }
    out
}

fn core_properties(letter: &Letter) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>da-DK</dc:language></cp:coreProperties>"#,
        escape(&letter.title),
        escape(letter.letterhead.first().map_or("Værn", String::as_str))
    )
}

/// The letter as a DOCX file.
pub fn to_docx(letter: &Letter) -> Result<Vec<u8>, String> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1418" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        body(letter)
    );
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/document.xml", document),
        ("word/styles.xml", STYLES.to_owned()),
        ("docProps/core.xml", core_properties(letter)),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, content) in parts {
        zip.start_file(name, options)
            .and_then(|()| zip.write_all(content.as_bytes()).map_err(Into::into))
            .map_err(|error| format!("the DOCX could not be written: {error}"))?;
    }
    zip.finish()
        .map(Cursor::into_inner)
        .map_err(|error| format!("the DOCX could not be written: {error}"))
}
