//! CSV imports and exports of contacts against a real PostgreSQL: delimiter and header
//! detection, the mapping, refused lines with their line numbers, the upsert rules, list
//! consent, cancelling, the state machine and the export of a list.

use bytes::Bytes;
use engine::contacts::{Audience, ContactError};
use engine::testing::TestDatabase;
use model::contacts::{AttributeKind, ColumnTarget, ImportJob, ImportSettings, ImportState, ListStatus, Selection};
use serde_json::json;

struct Env {
    t: TestDatabase,
    a: Audience,
    dir: std::path::PathBuf,
}

async fn setup() -> Env {
    let t = TestDatabase::create().await;
    let db_name = t.url.rsplit('/').next().unwrap_or("x").split('?').next().unwrap_or("x").to_owned();
    let dir = std::env::temp_dir().join(format!("bm-import-{db_name}"));
    let a = Audience::new(t.db.pool.clone(), dir.clone());
    Env { t, a, dir }
}

/// The file as a request body arriving in small pieces.
fn body(text: &str) -> futures::stream::Iter<std::vec::IntoIter<std::io::Result<Bytes>>> {
    let pieces: Vec<std::io::Result<Bytes>> =
        text.as_bytes().chunks(7).map(|piece| Ok(Bytes::copy_from_slice(piece))).collect();
    futures::stream::iter(pieces)
}

fn attr(key: &str, kind: AttributeKind) -> ColumnTarget {
    ColumnTarget::Attribute { key: key.into(), kind }
}

fn settings(columns: Vec<ColumnTarget>) -> ImportSettings {
    ImportSettings { columns, list_ids: vec![], status: ListStatus::Subscribed, overwrite: false, tags: vec![] }
}

/// Uploads, starts and runs one file.
async fn import(e: &Env, name: &str, text: &str, settings: &ImportSettings) -> ImportJob {
    let preview = e.a.imports.upload(name, body(text), "alice").await.unwrap();
    e.a.imports.start(preview.import_id, settings).await.unwrap();
    e.a.imports.run(preview.import_id).await.unwrap()
}

async fn list(e: &Env, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO contact_list (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(&e.t.db.pool)
        .await
        .unwrap()
}

/// (name, attributes, tags) of a contact.
async fn contact(e: &Env, email: &str) -> (String, serde_json::Value, Vec<String>) {
    let row: (String, sqlx::types::Json<serde_json::Value>, Vec<String>) =
        sqlx::query_as("SELECT name, attributes, tags FROM contact WHERE email = $1")
            .bind(email)
            .fetch_one(&e.t.db.pool)
            .await
            .unwrap_or_else(|err| panic!("{email}: {err}"));
    (row.0, row.1.0, row.2)
}

async fn count(e: &Env, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&e.t.db.pool).await.unwrap()
}

/// (status, consent_source) of a membership.
async fn membership(e: &Env, list_id: i64, email: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT m.status, m.consent_source FROM list_membership m JOIN contact c ON c.id = m.contact_id \
         WHERE m.list_id = $1 AND c.email = $2",
    )
    .bind(list_id)
    .bind(email)
    .fetch_one(&e.t.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_csv_with_a_header_is_previewed_mapped_and_imported() {
    let e = setup().await;
    let newsletter = list(&e, "Newsletter").await;
    let text = "email,Name,Plan,Age,Tags\n\
                ann@example.com,Ann Lee,pro,42,\"vip, news\"\n\
                BO@Example.COM,Bo,free,7,\n";
    let preview = e.a.imports.upload("people.csv", body(text), "alice").await.unwrap();
    assert_eq!(preview.delimiter, ',');
    assert_eq!(preview.file_name, "people.csv");
    assert_eq!(preview.size_bytes, text.len() as i64);
    assert_eq!(preview.header, vec!["email", "Name", "Plan", "Age", "Tags"]);
    assert_eq!(preview.rows.len(), 2);
    assert_eq!(preview.rows[1][0], "BO@Example.COM");
    assert_eq!(
        preview.suggested,
        vec![
            ColumnTarget::Email,
            ColumnTarget::Name,
            attr("plan", AttributeKind::Text),
            attr("age", AttributeKind::Number),
            ColumnTarget::Tags
        ]
    );
    assert_eq!(e.a.imports.job(preview.import_id).await.unwrap().state, ImportState::Uploaded);
    assert!(e.dir.join(format!("{}.csv", preview.import_id)).exists());

    let mut options = settings(preview.suggested.clone());
    options.list_ids = vec![newsletter];
    options.tags = vec![" imported ".into()];
    let queued = e.a.imports.start(preview.import_id, &options).await.unwrap();
    assert_eq!(queued.state, ImportState::Queued);
    let job = e.a.imports.run(preview.import_id).await.unwrap();
    assert_eq!(job.state, ImportState::Finished, "{:?}", job.error);
    assert_eq!((job.rows_read, job.rows_invalid, job.contacts_new, job.contacts_updated), (2, 0, 2, 0));
    assert_eq!((job.percent(), job.bytes_read), (100, text.len() as i64));
    assert_eq!(job.created_by, "alice");
    assert!(job.started_at.is_some() && job.finished_at.is_some());

    let (name, attributes, tags) = contact(&e, "ann@example.com").await;
    assert_eq!(name, "Ann Lee");
    assert_eq!(attributes, json!({"plan": "pro", "age": 42}));
    assert_eq!(tags, vec!["vip", "news", "imported"]);
    let (name, attributes, tags) = contact(&e, "bo@example.com").await;
    assert_eq!(
        (name.as_str(), attributes, tags),
        ("Bo", json!({"plan": "free", "age": 7}), vec!["imported".to_owned()])
    );
    assert_eq!(
        membership(&e, newsletter, "bo@example.com").await,
        ("subscribed".to_owned(), "import: people.csv".to_owned())
    );
    assert_eq!(count(&e, "SELECT count(*) FROM contact WHERE import_id IS NOT NULL").await, 2);
    let kinds: Vec<(String, String)> =
        sqlx::query_as("SELECT key, kind FROM contact_attribute ORDER BY key").fetch_all(&e.t.db.pool).await.unwrap();
    assert_eq!(kinds, vec![("age".to_owned(), "number".to_owned()), ("plan".to_owned(), "text".to_owned())]);
    // The upload is removed once its import has ended.
    assert!(!e.dir.join(format!("{}.csv", preview.import_id)).exists());
    assert_eq!(e.a.imports.recent(10).await.unwrap()[0].id, preview.import_id);
}

#[tokio::test]
async fn semicolon_tab_bom_and_headerless_files_are_recognised() {
    let e = setup().await;
    let semicolon = "email;name\nann@example.com;\"Lee, Ann\"\n";
    let p = e.a.imports.upload("s.csv", body(semicolon), "alice").await.unwrap();
    assert_eq!((p.delimiter, p.header.clone()), (';', vec!["email".to_owned(), "name".to_owned()]));
    e.a.imports.start(p.import_id, &settings(p.suggested.clone())).await.unwrap();
    assert_eq!(e.a.imports.run(p.import_id).await.unwrap().state, ImportState::Finished);
    assert_eq!(contact(&e, "ann@example.com").await.0, "Lee, Ann");

    let tsv = "\u{FEFF}email\tcity\r\nbo@example.com\tParis\r\n";
    let p = e.a.imports.upload("t.tsv", body(tsv), "alice").await.unwrap();
    assert_eq!(p.delimiter, '\t');
    assert_eq!(p.header, vec!["email", "city"]);
    assert_eq!(p.suggested, vec![ColumnTarget::Email, attr("city", AttributeKind::Text)]);
    e.a.imports.start(p.import_id, &settings(p.suggested.clone())).await.unwrap();
    assert_eq!(e.a.imports.run(p.import_id).await.unwrap().state, ImportState::Finished);
    assert_eq!(contact(&e, "bo@example.com").await.1, json!({"city": "Paris"}));

    let headerless = "cy@example.com|Cy\ndi@example.com|Di\n";
    let p = e.a.imports.upload("h.txt", body(headerless), "alice").await.unwrap();
    assert_eq!(p.delimiter, '|');
    assert_eq!(p.header, vec!["Column 1", "Column 2"]);
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.suggested, vec![ColumnTarget::Email, ColumnTarget::Ignore]);
    let job = import_started(&e, p.import_id, &settings(vec![ColumnTarget::Email, ColumnTarget::Name])).await;
    assert_eq!((job.rows_read, job.contacts_new), (2, 2));
    assert_eq!(contact(&e, "cy@example.com").await.0, "Cy");
}

async fn import_started(e: &Env, id: i64, settings: &ImportSettings) -> ImportJob {
    e.a.imports.start(id, settings).await.unwrap();
    e.a.imports.run(id).await.unwrap()
}

#[tokio::test]
async fn refused_lines_are_reported_by_line_number_while_good_lines_are_kept() {
    let e = setup().await;
    let text = "email,age,joined\n\
                ok1@example.com,30,2024-01-31\n\
                not-an-email,31,2024-01-31\n\
                ok2@example.com,thirty,2024-01-31\n\
                \n\
                ok3@example.com,32,31/01/2024\n\
                \"multi\nline\"@example.com,1,2024-01-01\n\
                ok4@example.com,33\n\
                ok5@example.com,34,2024-02-01";
    let columns = vec![ColumnTarget::Email, attr("age", AttributeKind::Number), attr("joined", AttributeKind::Date)];
    for (round, file) in [text.to_owned(), text.replace('\n', "\r\n")].into_iter().enumerate() {
        let job = import(&e, "mixed.csv", &file, &settings(columns.clone())).await;
        assert_eq!(job.state, ImportState::Finished, "{:?}", job.error);
        assert_eq!((job.rows_read, job.rows_invalid), (7, 5), "round {round}");
        assert_eq!((job.contacts_new, job.contacts_updated), if round == 0 { (2, 0) } else { (0, 2) });
        let errors = e.a.imports.errors(job.id, 100).await.unwrap();
        let lines: Vec<i64> = errors.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 6, 7, 9], "round {round}: {errors:?}");
        assert!(errors[0].reason.contains("not a valid email address"), "{}", errors[0].reason);
        assert!(errors[1].reason.contains("attribute age"), "{}", errors[1].reason);
        assert!(errors[2].reason.contains("YYYY-MM-DD"), "{}", errors[2].reason);
        assert_eq!(errors[4].reason, "the line has 2 fields where the header has 3");
        assert_eq!(e.a.imports.errors(job.id, 2).await.unwrap().len(), 2);

        let report = e.a.imports.errors_csv(job.id).await.unwrap();
        let mut reader = csv::Reader::from_reader(report.as_slice());
        assert_eq!(reader.headers().unwrap(), vec!["line", "reason", "content"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5);
        assert_eq!((&rows[0][0], &rows[0][2]), ("3", "not-an-email,31,2024-01-31"));
        assert!(rows[3][2].starts_with("\"multi"), "{:?}", &rows[3][2]);
    }
    assert_eq!(contact(&e, "ok5@example.com").await.1, json!({"age": 34, "joined": "2024-02-01"}));
    assert_eq!(count(&e, "SELECT count(*) FROM contact").await, 2);
}

#[tokio::test]
async fn the_last_line_of_a_repeated_address_wins() {
    let e = setup().await;
    let text = "email,name,plan\ndup@example.com,First,free\nother@example.com,O,free\nDUP@example.com,Second,pro\n";
    let columns = vec![ColumnTarget::Email, ColumnTarget::Name, attr("plan", AttributeKind::Text)];
    let job = import(&e, "dup.csv", text, &settings(columns)).await;
    assert_eq!((job.rows_read, job.contacts_new, job.contacts_updated), (3, 2, 0));
    assert_eq!(contact(&e, "dup@example.com").await.0, "Second");
    assert_eq!(contact(&e, "dup@example.com").await.1, json!({"plan": "pro"}));
}

#[tokio::test]
async fn existing_contacts_keep_their_values_unless_overwrite_and_tags_are_merged() {
    let e = setup().await;
    let columns = |extra: bool| {
        let mut c = vec![ColumnTarget::Email, ColumnTarget::Name, attr("plan", AttributeKind::Text)];
        if extra {
            c.push(attr("city", AttributeKind::Text));
        }
        c.push(ColumnTarget::Tags);
        c
    };
    import(
        &e,
        "a.csv",
        "email,name,plan,tags\nann@example.com,Ann,free,a\nbo@example.com,,free,\n",
        &settings(columns(false)),
    )
    .await;

    let second = "email,name,plan,city,tags\nann@example.com,Annie,pro,Paris,b\nbo@example.com,Bo,pro,Oslo,\n";
    let job = import(&e, "b.csv", second, &settings(columns(true))).await;
    assert_eq!((job.contacts_new, job.contacts_updated), (0, 2));
    let (name, attributes, tags) = contact(&e, "ann@example.com").await;
    assert_eq!(name, "Ann", "a name is kept without overwrite");
    assert_eq!(attributes, json!({"plan": "free", "city": "Paris"}), "only missing keys are added");
    assert_eq!(tags, vec!["a", "b"]);
    assert_eq!(contact(&e, "bo@example.com").await.0, "Bo", "an empty name is filled");

    let mut overwrite = settings(columns(false));
    overwrite.overwrite = true;
    import(&e, "c.csv", "email,name,plan,tags\nann@example.com,Annie,pro,a\nbo@example.com,,gold,\n", &overwrite).await;
    let (name, attributes, tags) = contact(&e, "ann@example.com").await;
    assert_eq!(name, "Annie");
    assert_eq!(attributes, json!({"plan": "pro", "city": "Paris"}));
    assert_eq!(tags, vec!["a", "b"]);
    assert_eq!(contact(&e, "bo@example.com").await.0, "Bo", "an empty cell never erases a name");
    assert_eq!(count(&e, "SELECT count(*) FROM contact WHERE import_id IS NOT NULL").await, 2);
}

#[tokio::test]
async fn an_import_adds_to_lists_but_never_resubscribes_someone_who_left() {
    let e = setup().await;
    let members = list(&e, "Members").await;
    sqlx::query(
        "WITH c AS (INSERT INTO contact (email) VALUES ('left@example.com'), ('pending@example.com'), \
         ('kept@example.com') RETURNING id, email) \
         INSERT INTO list_membership (list_id, contact_id, status, consent_source) \
         SELECT $1, id, CASE email WHEN 'left@example.com' THEN 'unsubscribed' \
             WHEN 'pending@example.com' THEN 'unconfirmed' ELSE 'subscribed' END, 'form: Signup' FROM c",
    )
    .bind(members)
    .execute(&e.t.db.pool)
    .await
    .unwrap();
    let text = "email\nleft@example.com\npending@example.com\nkept@example.com\nnew@example.com\n";
    let mut options = settings(vec![ColumnTarget::Email]);
    options.list_ids = vec![members, members];
    let job = import(&e, "members.csv", text, &options).await;
    assert_eq!((job.contacts_new, job.contacts_updated), (1, 3));
    assert_eq!(membership(&e, members, "left@example.com").await.0, "unsubscribed");
    assert_eq!(membership(&e, members, "pending@example.com").await.0, "subscribed");
    assert_eq!(membership(&e, members, "kept@example.com").await, ("subscribed".into(), "form: Signup".into()));
    assert_eq!(membership(&e, members, "new@example.com").await, ("subscribed".into(), "import: members.csv".into()));

    // An import as "unconfirmed" does not demote a subscriber either.
    options.status = ListStatus::Unconfirmed;
    import(&e, "again.csv", "email\nkept@example.com\n", &options).await;
    assert_eq!(membership(&e, members, "kept@example.com").await.0, "subscribed");
    // What segments read kept up: new contacts were written with their keys, existing ones
    // re-keyed (pending moved from unconfirmed to subscribed).
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM contact c WHERE c.list_keys IS DISTINCT FROM COALESCE((SELECT \
             array_agg(list_key(m.list_id, m.status) ORDER BY list_key(m.list_id, m.status)) FROM list_membership m WHERE m.contact_id = c.id), '{}')",
    )
    .fetch_one(&e.t.db.pool)
    .await
    .unwrap();
    assert_eq!(stale, 0);
    let missing = e.a.imports.upload("x.csv", body("email\na@example.com\n"), "alice").await.unwrap();
    let mut bad_list = settings(vec![ColumnTarget::Email]);
    bad_list.list_ids = vec![members + 1000];
    let err = e.a.imports.start(missing.import_id, &bad_list).await.unwrap_err();
    assert!(matches!(err, ContactError::ListNotFound(_)), "{err}");
}

#[tokio::test]
async fn a_cancelled_import_keeps_nothing() {
    let e = setup().await;
    let text = "email,name\nann@example.com,Ann\nbo@example.com,Bo\n";
    let p = e.a.imports.upload("c.csv", body(text), "alice").await.unwrap();
    let columns = settings(vec![ColumnTarget::Email, ColumnTarget::Name]);
    let err = e.a.imports.cancel(p.import_id).await.unwrap_err();
    assert!(matches!(err, ContactError::ImportState { .. }), "an upload not started cannot be cancelled: {err}");
    e.a.imports.start(p.import_id, &columns).await.unwrap();
    let cancelled = e.a.imports.cancel(p.import_id).await.unwrap();
    assert_eq!(cancelled.state, ImportState::Cancelled);
    let job = e.a.imports.run(p.import_id).await.unwrap();
    assert_eq!(job.state, ImportState::Cancelled);
    assert!(matches!(e.a.imports.cancel(p.import_id).await, Err(ContactError::ImportState { .. })));
    assert!(!e.dir.join(format!("{}.csv", p.import_id)).exists());

    // A cancel that arrives while the import runs rolls back everything it did.
    let p = e.a.imports.upload("d.csv", body(text), "alice").await.unwrap();
    e.a.imports.start(p.import_id, &columns).await.unwrap();
    sqlx::query("UPDATE contact_import SET cancel_requested = true WHERE id = $1")
        .bind(p.import_id)
        .execute(&e.t.db.pool)
        .await
        .unwrap();
    let job = e.a.imports.run(p.import_id).await.unwrap();
    assert_eq!((job.state, job.contacts_new), (ImportState::Cancelled, 0));
    assert_eq!(count(&e, "SELECT count(*) FROM contact").await, 0);
    assert_eq!(count(&e, "SELECT count(*) FROM contact_import_error").await, 0);
}

#[tokio::test]
async fn an_import_starts_once_and_only_with_a_usable_mapping() {
    let e = setup().await;
    let p = e.a.imports.upload("s.csv", body("email,name\nann@example.com,Ann\n"), "alice").await.unwrap();
    let no_email = e.a.imports.start(p.import_id, &settings(vec![ColumnTarget::Name, ColumnTarget::Ignore])).await;
    assert!(matches!(no_email, Err(ContactError::Mapping(_))), "{no_email:?}");
    let too_few = e.a.imports.start(p.import_id, &settings(vec![ColumnTarget::Email])).await;
    assert!(matches!(too_few, Err(ContactError::Mapping(_))), "{too_few:?}");
    let mut bad_tag = settings(vec![ColumnTarget::Email, ColumnTarget::Name]);
    bad_tag.tags = vec!["a,b".into()];
    assert!(matches!(e.a.imports.start(p.import_id, &bad_tag).await, Err(ContactError::InvalidTag(_))));
    let not_started = e.a.imports.run(p.import_id).await;
    assert!(matches!(not_started, Err(ContactError::ImportState { .. })), "{not_started:?}");

    let good = settings(vec![ColumnTarget::Email, ColumnTarget::Name]);
    e.a.imports.start(p.import_id, &good).await.unwrap();
    let twice = e.a.imports.start(p.import_id, &good).await.unwrap_err();
    assert!(matches!(twice, ContactError::ImportState { action: "started", .. }), "{twice}");
    e.a.imports.run(p.import_id).await.unwrap();
    assert!(matches!(e.a.imports.start(p.import_id, &good).await, Err(ContactError::ImportState { .. })));
    assert!(matches!(e.a.imports.job(p.import_id + 100).await, Err(ContactError::ImportNotFound(_))));
    let empty = e.a.imports.upload("empty.csv", body(""), "alice").await.unwrap_err();
    assert!(matches!(empty, ContactError::Csv(_)), "{empty}");
}

#[tokio::test]
async fn the_worker_runs_queued_imports_and_those_a_restart_cut_short() {
    let e = setup().await;
    let columns = settings(vec![ColumnTarget::Email]);
    let first = e.a.imports.upload("1.csv", body("email\na@example.com\n"), "alice").await.unwrap();
    let second = e.a.imports.upload("2.csv", body("email\nb@example.com\n"), "alice").await.unwrap();
    e.a.imports.start(first.import_id, &columns).await.unwrap();
    e.a.imports.start(second.import_id, &columns).await.unwrap();
    // The second was running in a process that died ten minutes ago.
    sqlx::query(
        "UPDATE contact_import SET state = 'running', heartbeat_at = now() - interval '10 minutes' WHERE id = $1",
    )
    .bind(second.import_id)
    .execute(&e.t.db.pool)
    .await
    .unwrap();
    assert_eq!(e.a.imports.run_queued().await.unwrap(), 2);
    for id in [first.import_id, second.import_id] {
        assert_eq!(e.a.imports.job(id).await.unwrap().state, ImportState::Finished);
    }
    assert_eq!(e.a.imports.run_queued().await.unwrap(), 0);
    assert_eq!(count(&e, "SELECT count(*) FROM contact").await, 2);
}

#[tokio::test]
async fn exporting_a_list_round_trips_the_attributes() {
    let e = setup().await;
    let club = list(&e, "Club").await;
    let again = list(&e, "Again").await;
    let text = "email,name,plan,age,vip,tags\n\
                ann@example.com,\"Lee, Ann\",pro,42,yes,\"vip,news\"\n\
                bo@example.com,Bo,free,7.5,no,\n";
    let columns = vec![
        ColumnTarget::Email,
        ColumnTarget::Name,
        attr("plan", AttributeKind::Text),
        attr("age", AttributeKind::Number),
        attr("vip", AttributeKind::Boolean),
        ColumnTarget::Tags,
    ];
    let mut options = settings(columns);
    options.list_ids = vec![club];
    import(&e, "club.csv", text, &options).await;
    import(
        &e,
        "outsider.csv",
        "email,name,plan,age,vip,tags\ncy@example.com,Cy,pro,1,no,\n",
        &settings(options.columns.clone()),
    )
    .await;
    sqlx::query(
        "UPDATE contact SET attributes = attributes || '{\"source\": \"fair\"}' WHERE email = 'bo@example.com'",
    )
    .execute(&e.t.db.pool)
    .await
    .unwrap();

    let mut out: Vec<u8> = Vec::new();
    let written = e.a.exports.write_csv(&Selection::List(club), &mut out).await.unwrap();
    assert_eq!(written, 2);
    let csv_text = String::from_utf8(out.clone()).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["email", "name", "tags", "created_at", "last_activity_at", "age", "plan", "vip", "other_attributes"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{csv_text}");
    let cells = |r: &csv::StringRecord| r.iter().map(str::to_owned).collect::<Vec<String>>();
    assert_eq!(cells(&rows[0])[..3], ["ann@example.com", "Lee, Ann", "vip, news"]);
    assert_eq!(cells(&rows[0])[5..], ["42", "pro", "true", ""]);
    assert_eq!(cells(&rows[1])[5..], ["7.5", "free", "false", "{\"source\":\"fair\"}"]);

    // The export imports back with the suggested mapping (dates and the JSON column left out)
    // and changes nothing.
    let before = (contact(&e, "ann@example.com").await, contact(&e, "bo@example.com").await);
    let p = e.a.imports.upload("export.csv", body(&csv_text), "alice").await.unwrap();
    let columns: Vec<ColumnTarget> = p
        .header
        .iter()
        .zip(p.suggested.iter())
        .map(|(h, s)| {
            if matches!(h.as_str(), "created_at" | "last_activity_at" | "other_attributes") {
                ColumnTarget::Ignore
            } else {
                s.clone()
            }
        })
        .collect();
    assert_eq!(columns[..3], [ColumnTarget::Email, ColumnTarget::Name, ColumnTarget::Tags]);
    let mut back = settings(columns);
    back.list_ids = vec![again];
    back.overwrite = true;
    let job = import_started(&e, p.import_id, &back).await;
    assert_eq!((job.rows_invalid, job.contacts_new, job.contacts_updated), (0, 0, 2), "{:?}", job.error);
    assert_eq!((contact(&e, "ann@example.com").await, contact(&e, "bo@example.com").await), before);
    assert_eq!(count(&e, &format!("SELECT count(*) FROM list_membership WHERE list_id = {again}")).await, 2);
}
