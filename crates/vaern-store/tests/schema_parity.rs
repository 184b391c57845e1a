//! The SQLite and PostgreSQL migrations must describe the same tables and columns.

use std::collections::BTreeMap;

fn tables(dir: &str) -> BTreeMap<String, Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut tables = BTreeMap::new();
    for file in files {
        let sql = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in sql.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("alter table ")
                && let Some((table, column)) = rest.split_once(" add column ")
            {
                let column = column.split_whitespace().next().unwrap_or("").to_owned();
                tables
                    .entry(table.to_owned())
                    .or_insert_with(Vec::new)
                    .push(column);
            } else if let Some(rest) = line.strip_prefix("create table ") {
                current = Some((rest.trim_end_matches(" (").to_owned(), Vec::new()));
            } else if line.starts_with(");") {
                if let Some((name, columns)) = current.take() {
                    tables.insert(name, columns);
                }
            } else if let Some((_, columns)) = current.as_mut() {
                let word = line.split_whitespace().next().unwrap_or("");
                if !word.is_empty() && !matches!(word, "unique" | "primary" | "foreign" | "check") {
                    columns.push(word.to_owned());
                }
            }
        }
    }
    tables
}

#[test]
fn both_databases_have_the_same_tables_and_columns() {
    let root = env!("CARGO_MANIFEST_DIR");
    let sqlite = tables(&format!("{root}/migrations/sqlite"));
    let postgres = tables(&format!("{root}/migrations/postgres"));
    assert!(sqlite.len() >= 10, "parsed {} tables", sqlite.len());
    assert_eq!(sqlite, postgres);
}

#[test]
fn both_databases_have_the_same_migration_names() {
    let names = |dir: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let root = env!("CARGO_MANIFEST_DIR");
    let sqlite = names(&format!("{root}/migrations/sqlite"));
    let postgres = names(&format!("{root}/migrations/postgres"));
    // PostgreSQL has extras: row-level security, which SQLite lacks (0002, 0021).
    let postgres_shared: Vec<_> = postgres
        .into_iter()
        .filter(|n| !n.contains("row_level_security"))
        .collect();
    assert_eq!(sqlite, postgres_shared);
}
