//! What every operation can answer besides its own responses, added to the document in one
//! place so it stays true as routes are added: the policy layer answers 401 and 403 before any
//! handler, the JSON extractor 400, 413, 415 and 422 for a body, path ids 404, query filters 422;
//! and every error is `application/problem+json` (RFC 9457), never plain JSON.

use utoipa::{
    Modify,
    openapi::{
        Content, OpenApi, Ref, RefOr, ResponseBuilder,
        path::{Operation, ParameterIn},
    },
};

/// The `Modify` that adds them (see the module).
pub struct ProblemResponses;

const PROBLEM: &str = "application/problem+json";

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                complete(operation);
            }
        }
    }
}

fn complete(operation: &mut Operation) {
    let has = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let (path_ids, query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    let body = operation.request_body.is_some();
    let mut extra = vec![
        ("401", "Ingen eller en ugyldig adgangsnøgle (Bearer-token)"),
        ("403", "Brugerens rolle giver ikke adgang"),
    ];
    if path_ids {
        extra.push(("404", "Findes ikke i brugerens kommune"));
    }
    if body {
        extra.push(("400", "Forespørgslens JSON kan ikke læses"));
        extra.push(("413", "Forespørgslen er for stor"));
        extra.push(("415", "Content-Type er ikke application/json"));
    }
    if body || query {
        extra.push(("422", "Ugyldige oplysninger, med en besked pr. felt"));
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in extra {
        responses.entry(status.to_owned()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM,
                        Content::new(Some(Ref::from_schema_name("Problem"))),
                    )
                    .build(),
            )
        });
    }
    // An error a handler declares with `body = Problem` is listed as plain JSON: say what is
    // really sent.
    for (status, response) in responses.iter_mut() {
        if let (false, RefOr::T(response)) = (status.starts_with('2'), response)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response.content.insert(PROBLEM.to_owned(), content);
        }
    }
}
