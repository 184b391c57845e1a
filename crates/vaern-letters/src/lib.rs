//! Letters from templates: the merge fields a case offers, the standard set of Danish letters,
//! checking an administrator's template before it is saved, and the letter as PDF/A-2b (to send
//! and archive) and DOCX (to edit in Word).

mod docx;
mod fields;
mod letter;
mod markup;
mod pdf;
mod standard;
mod template;

pub use docx::to_docx;
pub use fields::{
    CaseworkerFields, ChildFields, FIELDS, ITEM_FIELDS, LetterData, MunicipalityFields,
    NotificationFields, Party,
};
pub use letter::{Letter, compose};
pub use markup::Block;
pub use pdf::{missing_glyphs, to_pdf};
pub use standard::{
    Addressee, FieldKind, LETTERHEAD, LetterField, OUTCOMES, STANDARD, Standard, standard,
};
pub use template::{BODY_MAX, check, render};
