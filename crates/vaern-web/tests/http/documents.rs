//! Documents on a child's case through the UI (multipart forms with CSRF) and the API: filing,
//! refusing bad files without storing anything, versions, preview and download, access log.

use reqwest::{
    Client, StatusCode,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::common::{MAX_FILE_BYTES, Page, TestApp, page_text};

const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const EML: &[u8] = b"From: skole@example.dk\r\nTo: sag@example.dk\r\nSubject: Fravaer\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nHej\r\n";

/// The description fields of an upload form, CSRF first as the page sends them.
fn form(csrf: &str, title: &str, file_name: &str, content: &[u8]) -> Form {
    Form::new()
        .text("csrf", csrf.to_owned())
        .text("title", title.to_owned())
        .text("kind", "incoming")
        .text("document_date", "02.11.2026")
        .text("confidential", "on")
        .part(
            "file",
            Part::bytes(content.to_vec()).file_name(file_name.to_owned()),
        )
}

async fn post(client: &Client, url: String, form: Form) -> reqwest::Response {
    client.post(url).multipart(form).send().await.unwrap()
}

/// The number of files in the test's file store directory.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    count(app.files.dir.path())
}

#[tokio::test]
async fn a_caseworker_files_a_pdf_sees_it_journalled_and_opens_it() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/dokumenter", child.id));
    assert_eq!(
        client.get(&page).send().await.unwrap().status(),
        StatusCode::OK
    );

    let response = post(
        &client,
        page.clone(),
        form(&csrf, "Skoleudtalelse", "udtalelse.pdf", PDF),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?besked=gemt"), "{location}");
    let document = Page::parse(&page_text(&client, app.url(&location)).await);
    assert_eq!(document.text("h2#dokument"), "Skoleudtalelse");
    assert_eq!(
        document.definition("Fortroligt").as_deref(),
        Some("Ja"),
        "the confidentiality chosen is stored"
    );
    assert_eq!(
        document.definition("Fil").as_deref(),
        Some(format!("PDF, {} byte (version 1)", PDF.len()).as_str())
    );
    assert!(
        document
            .texts("table tbody tr td:nth-child(2)")
            .iter()
            .any(|cell| cell.starts_with("udtalelse.pdf")),
        "the version lists the file's name"
    );

    let doc_path = location.split('?').next().unwrap();
    let preview = client
        .get(app.url(&format!("{doc_path}/versioner/1/vis")))
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-type"], "application/pdf");
    assert!(
        preview.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline"),
        "a PDF is shown in the browser"
    );
    // Issue 17 (info): the page policy used to overwrite the file's own, stricter one.
    assert!(
        preview.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"),
        "a shown file may load and run nothing"
    );
    assert_eq!(preview.bytes().await.unwrap().as_ref(), PDF);

    let download = client
        .get(app.url(&format!("{doc_path}/versioner/1/hent")))
        .send()
        .await
        .unwrap();
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("udtalelse.pdf"),
        "{disposition}"
    );
    assert_eq!(
        download.headers()["x-content-type-options"],
        "nosniff",
        "the browser must not guess another type"
    );
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);

    let journal = page_text(&client, app.url(&format!("/boern/{}/journal", child.id))).await;
    assert!(journal.contains("Dokument tilføjet") && journal.contains("«Skoleudtalelse»"));

    let admin = app.api("admin901").await;
    let log = admin
        .get_json(&format!("/api/v1/access-log?person_id={}", child.id))
        .await;
    let details: Vec<(&str, &str)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["detail"].as_str().unwrap()))
        .collect();
    assert!(
        details.contains(&("view", "Dokument «Skoleudtalelse» version 1 vist")),
        "{details:?}"
    );
    assert!(
        details.contains(&("export", "Dokument «Skoleudtalelse» version 1 hentet")),
        "{details:?}"
    );
}

#[tokio::test]
async fn bad_files_are_refused_at_the_field_the_input_is_kept_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/dokumenter", child.id));
    let before = app.documents_on_case(&child).await.len();

    let oversized = vec![b'%'; usize::try_from(MAX_FILE_BYTES).unwrap() + 1];
    let cases: [(&str, &[u8], &str); 4] = [
        ("tom.pdf", b"", "Filen er tom"),
        ("stor.pdf", &oversized, "Filen er for stor"),
        ("billede.pdf", PNG, "Filens indhold passer ikke med navnet"),
        (
            "noter.txt",
            b"bare tekst",
            "Filtypen kan ikke gemmes på sagen",
        ),
    ];
    for (name, content, message) in cases {
        let response = post(
            &client,
            page.clone(),
            form(&csrf, "Min titel", name, content),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{name}: expected «{message}»");
        assert!(
            html.contains("value=\"Min titel\""),
            "{name}: the title is kept"
        );
    }
    let missing_title = post(
        &client,
        page.clone(),
        form(&csrf, " ", "udtalelse.pdf", PDF),
    )
    .await;
    assert_eq!(missing_title.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing_title
            .text()
            .await
            .unwrap()
            .contains("Udfyld dokumentets titel")
    );

    assert_eq!(app.documents_on_case(&child).await.len(), before);
    assert_eq!(
        stored_files(&app),
        0,
        "a refused file is not in the store (a valid file with a bad title neither)"
    );
}

#[tokio::test]
async fn an_upload_without_the_forms_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, _) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/dokumenter", child.id));
    let forged = post(
        &client,
        page.clone(),
        form("forkert", "Falsk", "udtalelse.pdf", PDF),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert!(
        forged
            .text()
            .await
            .unwrap()
            .contains("Formularen er udløbet")
    );
    let no_token = Form::new()
        .text("title", "Falsk")
        .part("file", Part::bytes(PDF.to_vec()).file_name("udtalelse.pdf"));
    assert_eq!(
        post(&client, page, no_token).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(stored_files(&app), 0);
}

#[tokio::test]
async fn a_new_version_keeps_the_old_one_and_a_stale_version_is_a_conflict() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let api = app.api("raadgiver901").await;
    let base = format!("/api/v1/children/{}/documents", child.id);
    let created = api
        .client
        .post(app.url(&base))
        .header(
            "authorization",
            format!("Bearer {}", app.token("raadgiver901").await),
        )
        .multipart(
            Form::new()
                .text("title", "Mail fra skolen")
                .text("kind", "incoming")
                .part("file", Part::bytes(EML.to_vec()).file_name("mail.eml")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["media_type"], "message/rfc822");
    let doc = format!("{base}/{}", created["id"].as_str().unwrap());

    let version = |expected: &str, content: &[u8], name: &str| {
        Form::new()
            .text("expected_version", expected.to_owned())
            .part(
                "file",
                Part::bytes(content.to_vec()).file_name(name.to_owned()),
            )
    };
    let token = format!("Bearer {}", app.token("raadgiver901").await);
    let send = |form: Form| {
        api.client
            .post(app.url(&format!("{doc}/versions")))
            .header("authorization", token.clone())
            .multipart(form)
            .send()
    };
    let second = send(version("1", PDF, "mail.pdf")).await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    let stale = send(version("1", PNG, "scan.png")).await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let problem: Value = stale.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("nyere version"),
        "{problem}"
    );

    let shown = api.get_json(&doc).await;
    assert_eq!(shown["latest_version"], 2);
    let versions = shown["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "the first version is kept");
    assert_eq!(versions[1]["media_type"], "message/rfc822");
    let first = api.get(&format!("{doc}/versions/1/content")).await;
    assert_eq!(first.headers()["content-type"], "message/rfc822");
    assert!(
        first.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(first.bytes().await.unwrap().as_ref(), EML);
    assert_eq!(
        api.send(reqwest::Method::DELETE, &doc, None).await.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "a user never deletes a document"
    );
}

#[tokio::test]
async fn an_email_is_downloaded_not_shown_and_a_damaged_file_is_not_served_whole() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver901").await;
    let page = app.url(&format!("/boern/{}/dokumenter", child.id));
    let response = post(&client, page, form(&csrf, "Mail", "mail.eml", EML)).await;
    let doc_path = response.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let html = page_text(&client, app.url(&doc_path)).await;
    assert!(
        !html.contains("/versioner/1/vis"),
        "no preview link for an e-mail"
    );
    assert_eq!(
        client
            .get(app.url(&format!("{doc_path}/versioner/1/vis")))
            .send()
            .await
            .unwrap()
            .headers()["content-disposition"]
            .to_str()
            .unwrap()
            .split(';')
            .next(),
        Some("attachment"),
        "an e-mail is never rendered by the browser"
    );

    let hash = vaern_files::ContentHash::of(EML);
    let on_disk = walk(app.files.dir.path())
        .into_iter()
        .find(|p| p.to_string_lossy().contains(hash.as_str()))
        .expect("the file is stored under its hash");
    std::fs::write(&on_disk, b"From: someone else\r\n\r\nchanged").unwrap();
    // The store notices the damage only at the end of the file, after the headers may have
    // left: the connection is then cut, so the client sees an error, never the changed bytes.
    let damaged = match client
        .get(app.url(&format!("{doc_path}/versioner/1/hent")))
        .send()
        .await
    {
        Ok(response) => response.bytes().await.ok(),
        Err(_) => None,
    };
    assert_eq!(
        damaged, None,
        "a file that no longer matches its hash is never delivered as if whole"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                vec![e.path()]
            }
        })
        .collect()
}

#[tokio::test]
async fn another_municipality_cannot_see_or_add_to_the_documents() {
    let app = TestApp::spawn().await;
    let (child, _) = app.a_child("901").await;
    let (client, csrf) = app.login("raadgiver902").await;
    let page = app.url(&format!("/boern/{}/dokumenter", child.id));
    assert_eq!(
        client.get(&page).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&client, page, form(&csrf, "Fremmed", "udtalelse.pdf", PDF))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.documents_on_case(&child).await.len(), 0);
    assert_eq!(
        app.api("raadgiver902")
            .await
            .get(&format!("/api/v1/children/{}/documents", child.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
