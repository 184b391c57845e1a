//! A letter laid out independently of the output format: letterhead, reference lines,
//! recipient, title and body blocks.

use crate::{
    fields::LetterData,
    markup::{Block, parse},
    template::render,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub title: String,
    /// Municipality, department, …; the first line is the sender's name.
    pub letterhead: Vec<String>,
    /// `(label, value)`: date, case number, caseworker.
    pub reference: Vec<(String, String)>,
    pub recipient: Vec<String>,
    /// Which child the letter concerns.
    pub concerning: String,
    pub blocks: Vec<Block>,
}

/// Merges the letterhead and the letter's template with the data.
pub fn compose(
    letterhead: &str,
    title: &str,
    body: &str,
    data: &LetterData,
) -> Result<Letter, String> {
    let letterhead = render(letterhead, data)?
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    let body = render(body, data)?;
    let mut reference = vec![("Dato".to_owned(), data.dato.clone())];
    if !data.barn.sagsnummer.is_empty() {
        reference.push(("Sagsnr.".into(), data.barn.sagsnummer.clone()));
    }
    reference.push(("Sagsbehandler".into(), data.sagsbehandler.navn.clone()));
    let mut concerning = format!("Vedrørende {}", data.barn.navn);
    if !data.barn.cpr.is_empty() {
        concerning.push_str(&format!(", CPR-nr. {}", data.barn.cpr));
    }
    Ok(Letter {
        title: title.trim().to_owned(),
        letterhead,
        reference,
        recipient: std::iter::once(data.modtager.navn.clone())
            .chain(data.modtager.adresse.iter().cloned())
            .collect(),
        concerning,
        blocks: parse(&body),
    })
}
