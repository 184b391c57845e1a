//! What a file is, decided from its content. The name a client sends and the type it claims are
//! not trusted: the content must be one of the kinds a case file may hold, and the name's
//! extension must agree with it (a PDF named `.docx` is refused, because whoever opens it later
//! trusts the name).

use serde::Serialize;

/// The file kinds a case file accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Pdf,
    Docx,
    Odt,
    Png,
    Jpeg,
    Gif,
    Tiff,
    /// An e-mail saved as a file (RFC 5322 text).
    Eml,
    /// An Outlook e-mail saved as a file (OLE compound file).
    Msg,
}

/// Said when the content is none of the accepted kinds.
pub const UNSUPPORTED: &str = "Filtypen kan ikke gemmes på sagen. Tilladte typer: PDF, Word (DOCX), \
     OpenDocument (ODT), billeder (PNG, JPEG, GIF, TIFF) og e-mails (EML, MSG)";

impl FileType {
    pub const ALL: [FileType; 9] = [
        FileType::Pdf,
        FileType::Docx,
        FileType::Odt,
        FileType::Png,
        FileType::Jpeg,
        FileType::Gif,
        FileType::Tiff,
        FileType::Eml,
        FileType::Msg,
    ];

    /// The media type sent with the file.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Gif => "image/gif",
            FileType::Tiff => "image/tiff",
            FileType::Eml => "message/rfc822",
            FileType::Msg => "application/vnd.ms-outlook",
        }
    }

    /// The kind for a stored media type.
    pub fn from_media_type(media_type: &str) -> Option<FileType> {
        Self::ALL.into_iter().find(|t| t.media_type() == media_type)
    }

    /// The short name users know the kind by.
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Docx => "Word (DOCX)",
            FileType::Odt => "OpenDocument (ODT)",
            FileType::Png => "PNG-billede",
            FileType::Jpeg => "JPEG-billede",
            FileType::Gif => "GIF-billede",
            FileType::Tiff => "TIFF-billede",
            FileType::Eml => "E-mail (EML)",
            FileType::Msg => "Outlook-e-mail (MSG)",
        }
    }

    /// The extension a generated file name gets.
    pub fn extension(self) -> &'static str {
        self.extensions()[0]
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Docx => &["docx"],
            FileType::Odt => &["odt"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Gif => &["gif"],
            FileType::Tiff => &["tif", "tiff"],
            FileType::Eml => &["eml"],
            FileType::Msg => &["msg"],
        }
    }

    /// Whether a browser can show it safely in a tab of its own (the rest are downloaded).
    /// TIFF is left out because browsers do not display it.
    pub fn shown_inline(self) -> bool {
        matches!(
            self,
            FileType::Pdf | FileType::Png | FileType::Jpeg | FileType::Gif
        )
    }

    /// Whether the preview on the document page is an `<img>`.
    pub fn is_browser_image(self) -> bool {
        matches!(self, FileType::Png | FileType::Jpeg | FileType::Gif)
    }

    fn from_extension(extension: &str) -> Option<FileType> {
        let extension = extension.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.extensions().contains(&extension.as_str()))
    }
}

/// Decides the kind of an uploaded file from its content and checks that its name agrees.
/// Errors are the Danish messages shown at the file field.
pub fn identify(file_name: &str, content: &[u8]) -> Result<FileType, String> {
    if content.is_empty() {
        return Err("Filen er tom. Vælg en fil med indhold".into());
    }
    let Some(found) = sniff(content) else {
        return Err(UNSUPPORTED.into());
    };
    let named = file_name
        .rsplit_once('.')
        .and_then(|(_, extension)| FileType::from_extension(extension));
    match named {
        Some(named) if named == found => Ok(found),
        Some(named) => Err(format!(
            "Filens indhold passer ikke med navnet: navnet siger {}, men indholdet er {}. \
             Ret filnavnet eller vælg den rigtige fil",
            named.label(),
            found.label()
        )),
        None => Err(format!(
            "Filnavnet skal slutte på .{} (indholdet er {})",
            found.extension(),
            found.label()
        )),
    }
}

/// The kind of `content` by its signature, if it is one we accept.
pub fn sniff(content: &[u8]) -> Option<FileType> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if content.starts_with(PNG) {
        Some(FileType::Png)
    } else if content.starts_with(b"\xFF\xD8\xFF") {
        Some(FileType::Jpeg)
    } else if content.starts_with(b"GIF87a") || content.starts_with(b"GIF89a") {
        Some(FileType::Gif)
    } else if content.starts_with(b"II*\0") || content.starts_with(b"MM\0*") {
        Some(FileType::Tiff)
    } else if content.starts_with(b"PK\x03\x04") {
        zip_document(content)
    } else if content.starts_with(OLE) {
        // An Outlook message is a compound file whose streams are named `__substg1.0_…` (UTF-16).
        contains(content, &utf16(b"__substg1.0_")).then_some(FileType::Msg)
    } else if contains(&content[..content.len().min(1024)], b"%PDF-") {
        // The PDF header may follow up to 1024 bytes of other data (ISO 32000-1 annex H).
        Some(FileType::Pdf)
    } else if looks_like_email(content) {
        Some(FileType::Eml)
    } else {
        None
    }
}

/// DOCX and ODT are both ZIP archives; ODT names its type in a first, uncompressed `mimetype`
/// entry, and DOCX holds `word/document.xml` (entry names are stored uncompressed).
fn zip_document(content: &[u8]) -> Option<FileType> {
    if content
        .get(30..)
        .is_some_and(|rest| rest.starts_with(b"mimetypeapplication/vnd.oasis.opendocument.text"))
    {
        Some(FileType::Odt)
    } else if contains(content, b"[Content_Types].xml") && contains(content, b"word/document.xml") {
        Some(FileType::Docx)
    } else {
        None
    }
}

/// An RFC 5322 message starts with header fields, of which a saved e-mail has at least one of
/// those every mail program writes, and contains no NUL bytes.
fn looks_like_email(content: &[u8]) -> bool {
    const KNOWN: [&str; 7] = [
        "from",
        "to",
        "subject",
        "date",
        "received",
        "message-id",
        "mime-version",
    ];
    let head = &content[..content.len().min(16 * 1024)];
    if head.contains(&0) {
        return false;
    }
    let text = String::from_utf8_lossy(head);
    let mut known = 0;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue; // a folded continuation of the previous field
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return false;
        }
        if KNOWN.contains(&name.to_ascii_lowercase().as_str()) {
            known += 1;
        }
    }
    known >= 2
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn utf16(ascii: &[u8]) -> Vec<u8> {
    ascii.iter().flat_map(|&b| [b, 0]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx() -> Vec<u8> {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&[0; 26]);
        bytes.extend_from_slice(b"[Content_Types].xml....PK\x03\x04word/document.xml");
        bytes
    }

    fn odt() -> Vec<u8> {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&[0; 26]);
        bytes.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.textPK");
        bytes
    }

    fn msg() -> Vec<u8> {
        let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        bytes.extend_from_slice(&[0; 64]);
        bytes.extend_from_slice(&utf16(b"__substg1.0_0037001F"));
        bytes
    }

    #[test]
    fn content_decides_the_kind() {
        let eml = b"Received: by mx\r\nFrom: skole@example.dk\r\nSubject: Bekymring\r\n\r\nTekst";
        let cases: Vec<(&str, Vec<u8>, FileType)> = vec![
            ("brev.pdf", b"%PDF-1.7\n...".to_vec(), FileType::Pdf),
            ("BREV.PDF", b"\xEF\xBB\xBF%PDF-1.4".to_vec(), FileType::Pdf),
            ("notat.docx", docx(), FileType::Docx),
            ("notat.odt", odt(), FileType::Odt),
            ("foto.png", b"\x89PNG\r\n\x1a\n....".to_vec(), FileType::Png),
            ("foto.jpg", b"\xFF\xD8\xFF\xE0....".to_vec(), FileType::Jpeg),
            (
                "foto.jpeg",
                b"\xFF\xD8\xFF\xE1....".to_vec(),
                FileType::Jpeg,
            ),
            ("tegning.gif", b"GIF89a....".to_vec(), FileType::Gif),
            ("scan.tif", b"II*\0....".to_vec(), FileType::Tiff),
            ("mail.eml", eml.to_vec(), FileType::Eml),
            ("mail.msg", msg(), FileType::Msg),
        ];
        for (name, content, expected) in cases {
            assert_eq!(identify(name, &content), Ok(expected), "{name}");
        }
    }

    #[test]
    fn a_name_that_lies_is_refused() {
        let error = identify("afgørelse.docx", b"%PDF-1.7").unwrap_err();
        assert!(
            error.contains("navnet siger Word (DOCX), men indholdet er PDF"),
            "{error}"
        );
        assert!(identify("billede.png", &docx()).is_err());
        let error = identify("uden-endelse", b"%PDF-1.7").unwrap_err();
        assert!(error.contains(".pdf"), "{error}");
    }

    #[test]
    fn empty_and_unknown_content_is_refused() {
        assert_eq!(
            identify("tom.pdf", b"").unwrap_err(),
            "Filen er tom. Vælg en fil med indhold"
        );
        for content in [
            b"MZ\x90\0 an executable".to_vec(),
            b"<html><script>alert(1)</script>".to_vec(),
            b"just some words\nand more".to_vec(),
            b"PK\x03\x04 a zip that is no document".to_vec(),
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 an old .doc".to_vec(),
        ] {
            assert_eq!(
                identify("fil.pdf", &content).unwrap_err(),
                UNSUPPORTED,
                "{content:?}"
            );
        }
    }

    #[test]
    fn media_types_round_trip() {
        for kind in FileType::ALL {
            assert_eq!(FileType::from_media_type(kind.media_type()), Some(kind));
            assert_eq!(FileType::from_extension(kind.extension()), Some(kind));
        }
    }
}
