//! Templates in the minijinja language: checking one when an administrator saves it (syntax,
//! unknown merge fields, a trial run on the demo case) and rendering one for a case.

use minijinja::{Environment, ErrorKind, UndefinedBehavior};

use crate::{
    fields::{FIELDS, LetterData},
    pdf::missing_glyphs,
    standard::Standard,
};

/// The longest template body accepted.
pub const BODY_MAX: usize = 20_000;

/// The engine's instructions one merge may run. The standard letters need a few thousand; a
/// template with loops nested to run for minutes (issue 17: one pinned a CPU) stops here after
/// milliseconds, on save and on every merge alike, so no merge needs cancelling.
pub const FUEL: u64 = 100_000;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt field must fail loudly, never print as nothing in a letter to a citizen.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_fuel(Some(FUEL));
    env
}

/// What went wrong in a template, in Danish, with the line where the engine knows it.
fn describe(error: &minijinja::Error) -> String {
    let at = error
        .line()
        .map(|line| format!(" i linje {line}"))
        .unwrap_or_default();
    match error.kind() {
        ErrorKind::SyntaxError => format!(
            "Skabelonen har en syntaksfejl{at}. Tjek, at hvert {{{{ … }}}} og {{% … %}} er \
             lukket, og at {{% if %}} og {{% for %}} slutter med {{% endif %}} og {{% endfor %}}"
        ),
        ErrorKind::UndefinedError => format!(
            "Skabelonen bruger et flettefelt{at}, som ikke findes. Se listen over flettefelter"
        ),
        ErrorKind::UnknownFilter => format!("Skabelonen bruger et ukendt filter{at}"),
        ErrorKind::UnknownFunction => format!("Skabelonen bruger en ukendt funktion{at}"),
        ErrorKind::UnknownTest => format!("Skabelonen bruger en ukendt test{at}"),
        ErrorKind::OutOfFuel => format!(
            "Skabelonen er for tung at flette{at}: den gentager for meget. Brug færre eller \
             mindre løkker"
        ),
        _ => format!("Skabelonen kan ikke flettes{at}: kontrollér udtrykket"),
    }
}

/// Whether `path` (as the engine reports it, e.g. `barn.navn` or `barn`) names a known field.
fn known(path: &str, standard: &Standard) -> bool {
    let mut paths = FIELDS
        .iter()
        .map(|(field, _)| (*field).to_owned())
        .chain(standard.fields.iter().map(|f| format!("brev.{}", f.name)))
        .chain(std::iter::once("brev".to_owned()));
    paths.any(|field| field == path || field.starts_with(&format!("{path}.")))
}

/// Checks a template before it is saved; every problem found, in Danish.
pub fn check(standard: &Standard, body: &str, municipality: &str) -> Result<(), Vec<String>> {
    if body.trim().is_empty() {
        return Err(vec!["Skriv skabelonens tekst".into()]);
    }
    if body.chars().count() > BODY_MAX {
        return Err(vec![format!("Skabelonen må højst være {BODY_MAX} tegn")]);
    }
    let env = environment();
    let template = env
        .template_from_str(body)
        .map_err(|error| vec![describe(&error)])?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(true)
        .into_iter()
        .filter(|path| !known(path, standard))
        .map(|path| format!("Ukendt flettefelt «{{{{ {path} }}}}». Se listen over flettefelter"))
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        return Err(unknown);
    }
    let demo = LetterData::demo(municipality, &standard.demo_fields());
    let text = template
        .render(&demo)
        .map_err(|error| vec![describe(&error)])?;
    let missing = missing_glyphs(&text);
    if !missing.is_empty() {
        return Err(vec![format!(
            "Tegnene {} kan ikke vises i brevet. Fjern dem fra skabelonen",
            missing
                .iter()
                .map(|c| format!("«{c}»"))
                .collect::<Vec<_>>()
                .join(", ")
        )]);
    }
    Ok(())
}

/// Merges a (checked) template with a case's data.
pub fn render(body: &str, data: &LetterData) -> Result<String, String> {
    let env = environment();
    env.template_from_str(body)
        .and_then(|template| template.render(data))
        .map_err(|error| describe(&error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::{STANDARD, standard};

    #[test]
    fn every_standard_template_passes_its_own_check() {
        for standard in STANDARD {
            assert_eq!(
                check(standard, standard.body, "Eksempel Kommune"),
                Ok(()),
                "{}",
                standard.key
            );
        }
    }

    #[test]
    fn a_template_with_a_syntax_error_or_an_unknown_field_is_refused_with_the_reason() {
        let decision = standard("afgoerelse").unwrap();
        let cases = [
            ("Kære {{ modtager.navn }", "syntaksfejl i linje 1"),
            ("{% if brev.udfald %}\nBevilget\n", "syntaksfejl"),
            (
                "Kære {{ modtager.navnn }}",
                "Ukendt flettefelt «{{ modtager.navnn }}»",
            ),
            ("{{ brev.ukendt }}", "Ukendt flettefelt «{{ brev.ukendt }}»"),
            ("{{ cpr_fuldt }}", "Ukendt flettefelt «{{ cpr_fuldt }}»"),
            (
                "{% for p in foraeldremyndighed %}\n{{ p.adrese }}\n{% endfor %}",
                "flettefelt i linje 2, som ikke findes",
            ),
            ("{{ barn.navn | hemmelig }}", "ukendt filter"),
            ("Hej 😀", "Tegnene «😀» kan ikke vises"),
            (
                "{% for a in barn.navn %}{% for b in barn.navn %}{% for c in barn.navn %}\
                 {% for d in barn.navn %}{% for e in barn.navn %}{% for f in barn.navn %}x\
                 {% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
                "for tung at flette",
            ),
            ("   ", "Skriv skabelonens tekst"),
        ];
        for (body, expected) in cases {
            let errors = check(decision, body, "Eksempel Kommune").unwrap_err();
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{body:?}: {errors:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn a_field_of_another_kind_of_letter_is_unknown_here() {
        let receipt = standard("kvittering_underretning").unwrap();
        assert!(check(receipt, "{{ brev.begrundelse }}", "X").is_err());
    }

    #[test]
    fn the_decision_has_klagevejledning_unless_it_fully_grants() {
        let decision = standard("afgoerelse").unwrap();
        for (outcome, guidance) in [
            ("bevilling", false),
            ("delvis_bevilling", true),
            ("afslag", true),
        ] {
            let mut data = LetterData::demo("Eksempel Kommune", &decision.demo_fields());
            data.brev.insert("udfald".into(), outcome.into());
            let text = render(decision.body, &data).unwrap();
            assert_eq!(text.contains("# Klagevejledning"), guidance, "{outcome}");
        }
        let mut data = LetterData::demo("Eksempel Kommune", &decision.demo_fields());
        data.brev.insert("udfald".into(), "afslag".into());
        data.brev.insert(
            "klagevejledning".into(),
            "Særlig vejledning til sagen.".into(),
        );
        let text = render(decision.body, &data).unwrap();
        assert!(text.contains("# Klagevejledning\nSærlig vejledning til sagen."));
        assert!(
            !text.contains("Klagen skal sendes"),
            "the decision's own guidance replaces the standard text"
        );
    }
}
