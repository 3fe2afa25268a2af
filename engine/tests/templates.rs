//! Templates and the image library against a real PostgreSQL: creation from every source
//! with unique names, saves that bump the version and write history, refused saves that
//! store nothing (stale version, broken document), restores, pruning to 100 versions,
//! cascading deletes, and image uploads (type sniffing, size, de-duplication, safe paths).

use engine::templates::{MAX_MEDIA_BYTES, MAX_VERSIONS, Media, TemplateError, Templates};
use engine::testing::TestDatabase;
use model::email::{Block, BlockKind, Document, RichText, Starter};
use model::templates::{NewTemplate, SaveRequest, Template, TemplateInput, TemplateKind, TemplateSource};
use sqlx::PgPool;

/// A valid 3×2 RGBA PNG (signature, IHDR, one IDAT, IEND, correct CRCs).
const PNG_3X2: [u8; 74] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x9D, 0x74, 0x66, 0x1A, 0x00, 0x00, 0x00, 0x11, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x86, 0x19, 0x90, 0x39, 0x00, 0x9B, 0x7E, 0x0B,
    0xF5, 0x0F, 0x5F, 0x26, 0x22, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

struct Env {
    t: TestDatabase,
    templates: Templates,
    media: Media,
    dir: std::path::PathBuf,
}

impl Env {
    fn pool(&self) -> &PgPool {
        &self.t.db.pool
    }
}

async fn setup() -> Env {
    let t = TestDatabase::create().await;
    let db_name = t.url.rsplit('/').next().unwrap_or("x").split('?').next().unwrap_or("x").to_owned();
    let dir = std::env::temp_dir().join(format!("bm-media-{db_name}"));
    let templates = Templates::new(t.db.pool.clone());
    let media = Media::new(t.db.pool.clone(), dir.clone());
    Env { t, templates, media, dir }
}

fn new(name: &str, from: TemplateSource) -> NewTemplate {
    NewTemplate { name: name.into(), from }
}

/// A blank document with a text block in front.
fn doc_with_text(text: &str) -> Document {
    let mut doc = Document::blank();
    doc.blocks.insert(0, Block::new("intro", BlockKind::Text { text: RichText::plain(text) }));
    doc
}

fn save_doc(t: &Template, expected: i32, doc: Document) -> SaveRequest {
    SaveRequest { template_id: t.id, expected_version: expected, document: Some(doc), html: None, autosave: false }
}

fn save_html(id: i64, expected: i32, html: &str, autosave: bool) -> SaveRequest {
    SaveRequest { template_id: id, expected_version: expected, document: None, html: Some(html.into()), autosave }
}

async fn version_count(pool: &PgPool, id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM email_template_version WHERE template_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn new_templates_get_unique_names_from_their_source() {
    let e = setup().await;
    let blank = e.templates.create(new("", TemplateSource::Blank), "alice").await.unwrap();
    assert_eq!(blank.name, "Untitled template");
    assert_eq!(blank.kind, TemplateKind::Document);
    assert_eq!(blank.document, Some(Document::blank()));
    assert_eq!(blank.version, 1);
    let blank2 = e.templates.create(new("  ", TemplateSource::Blank), "alice").await.unwrap();
    assert_eq!(blank2.name, "Untitled template (2)");

    let letter = e.templates.create(new("", TemplateSource::Starter(Starter::Newsletter)), "alice").await.unwrap();
    assert_eq!(letter.name, "Newsletter");
    assert_eq!(letter.document, Some(Starter::Newsletter.document()));
    let letter2 = e.templates.create(new("", TemplateSource::Starter(Starter::Newsletter)), "bob").await.unwrap();
    assert_eq!(letter2.name, "Newsletter (2)");

    let copy = e.templates.create(new("", TemplateSource::Copy(letter.id)), "bob").await.unwrap();
    assert_eq!(copy.name, "Newsletter (copy)");
    assert_eq!(copy.document, letter.document);
    assert_ne!(copy.id, letter.id);
    let copy2 = e.templates.create(new("", TemplateSource::Copy(letter.id)), "bob").await.unwrap();
    assert_eq!(copy2.name, "Newsletter (copy) (2)");

    let html = e.templates.create(new("", TemplateSource::Html("<p>Hi {{ name }}</p>".into())), "bob").await.unwrap();
    assert_eq!((html.name.as_str(), html.kind), ("HTML template", TemplateKind::Html));
    assert_eq!(html.html.as_deref(), Some("<p>Hi {{ name }}</p>"));
    assert_eq!(html.document, None);

    // A name the admin typed is used as given, and refused when taken in any case.
    let named = e.templates.create(new(" Welcome ", TemplateSource::Blank), "alice").await.unwrap();
    assert_eq!(named.name, "Welcome");
    let taken = e.templates.create(new("WELCOME", TemplateSource::Blank), "alice").await;
    assert!(matches!(taken, Err(TemplateError::NameTaken(n)) if n == "WELCOME"));
    let missing = e.templates.create(new("", TemplateSource::Copy(999_999)), "alice").await;
    assert!(matches!(missing, Err(TemplateError::NotFound(999_999))));

    // Every new template starts with its version 1 in the history.
    for t in [&blank, &letter, &copy, &html] {
        assert_eq!(version_count(e.pool(), t.id).await, 1);
    }
    let list = e.templates.list().await.unwrap();
    assert_eq!(list.len(), 8);
    assert_eq!(list[0].id, named.id, "newest first");
    let html_row = list.iter().find(|s| s.id == html.id).unwrap();
    assert_eq!(html_row.block_count, None);
    let letter_row = list.iter().find(|s| s.id == letter.id).unwrap();
    assert_eq!(letter_row.block_count, Some(Starter::Newsletter.document().block_count()));
}

#[tokio::test]
async fn templates_given_whole_must_match_their_kind() {
    let e = setup().await;
    let input = TemplateInput {
        name: "API".into(),
        kind: TemplateKind::Html,
        document: Some(Document::blank()),
        html: None,
        subject_hint: "Hello".into(),
    };
    assert!(matches!(e.templates.create_with(input.clone(), "api").await, Err(TemplateError::Invalid(_))));
    let input = TemplateInput { kind: TemplateKind::Document, ..input };
    let t = e.templates.create_with(input, "api").await.unwrap();
    assert_eq!(t.subject_hint, "Hello");
    assert_eq!(version_count(e.pool(), t.id).await, 1);
}

#[tokio::test]
async fn renaming_to_a_taken_name_is_refused() {
    let e = setup().await;
    let a = e.templates.create(new("Alpha", TemplateSource::Blank), "alice").await.unwrap();
    let b = e.templates.create(new("Beta", TemplateSource::Blank), "alice").await.unwrap();
    assert!(matches!(e.templates.rename(b.id, "alpha").await, Err(TemplateError::NameTaken(n)) if n == "alpha"));
    assert!(matches!(e.templates.rename(b.id, " ").await, Err(TemplateError::Name)));
    assert!(matches!(e.templates.rename(424_242, "Gamma").await, Err(TemplateError::NotFound(424_242))));
    // Changing only the case of its own name is fine, and the version does not move.
    let renamed = e.templates.rename(a.id, "ALPHA").await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.version), ("ALPHA", 1));
    assert_eq!(e.templates.get(b.id).await.unwrap().name, "Beta");
}

#[tokio::test]
async fn saving_bumps_the_version_and_writes_history() {
    let e = setup().await;
    let t = e.templates.create(new("Weekly", TemplateSource::Blank), "alice").await.unwrap();
    let first = doc_with_text("Hello {{ first_name | default: \"there\" }}");
    let outcome = e.templates.save(save_doc(&t, 1, first.clone()), "alice").await.unwrap();
    assert_eq!(outcome.version, 2);
    let mut autosave = save_doc(&t, 2, doc_with_text("Hello again"));
    autosave.autosave = true;
    assert_eq!(e.templates.save(autosave, "bob").await.unwrap().version, 3);

    let current = e.templates.get(t.id).await.unwrap();
    assert_eq!(current.version, 3);
    assert_eq!(current.document, Some(doc_with_text("Hello again")));
    assert!(current.updated_at >= t.updated_at);

    let versions = e.templates.versions(t.id).await.unwrap();
    let summary: Vec<(i32, &str, bool)> =
        versions.iter().map(|v| (v.version, v.saved_by.as_str(), v.autosave)).collect();
    assert_eq!(summary, vec![(3, "bob", true), (2, "alice", false), (1, "alice", false)]);
    let v2 = e.templates.version(t.id, 2).await.unwrap();
    assert_eq!(v2.document, Some(first));
    assert!(matches!(e.templates.version(t.id, 9).await, Err(TemplateError::VersionNotFound { version: 9, .. })));
    assert!(matches!(e.templates.version(77_777, 1).await, Err(TemplateError::NotFound(77_777))));
    assert!(matches!(e.templates.versions(77_777).await, Err(TemplateError::NotFound(77_777))));
}

#[tokio::test]
async fn a_save_based_on_an_old_version_is_refused_and_stores_nothing() {
    let e = setup().await;
    let t = e.templates.create(new("Shared", TemplateSource::Blank), "alice").await.unwrap();
    // Two tabs load version 1; the first saves.
    e.templates.save(save_doc(&t, 1, doc_with_text("from tab one")), "alice").await.unwrap();
    let stale = e.templates.save(save_doc(&t, 1, doc_with_text("from tab two")), "alice").await;
    assert!(matches!(stale, Err(TemplateError::VersionConflict { expected: 1, current: 2 })), "{stale:?}");
    let current = e.templates.get(t.id).await.unwrap();
    assert_eq!(current.version, 2);
    assert_eq!(current.document, Some(doc_with_text("from tab one")));
    assert_eq!(version_count(e.pool(), t.id).await, 2);
    let missing = e.templates.save(save_html(88_888, 1, "<p>x</p>", false), "alice").await;
    assert!(matches!(missing, Err(TemplateError::NotFound(88_888))));
}

#[tokio::test]
async fn an_invalid_document_is_refused_and_stores_nothing() {
    let e = setup().await;
    let t = e.templates.create(new("Broken", TemplateSource::Blank), "alice").await.unwrap();
    let broken = e.templates.save(save_doc(&t, 1, doc_with_text("Hi {{ broken")), "alice").await;
    assert!(matches!(&broken, Err(TemplateError::Invalid(m)) if m.contains("merge tag")), "{broken:?}");
    // Content of the other editor's kind is refused too.
    let html = e.templates.save(save_html(t.id, 1, "<p>Hi</p>", false), "alice").await;
    assert!(matches!(html, Err(TemplateError::Invalid(_))));
    let current = e.templates.get(t.id).await.unwrap();
    assert_eq!((current.version, current.document), (1, Some(Document::blank())));
    assert_eq!(version_count(e.pool(), t.id).await, 1);
}

#[tokio::test]
async fn restoring_saves_the_old_content_as_a_new_version() {
    let e = setup().await;
    let t = e.templates.create(new("Restorable", TemplateSource::Blank), "alice").await.unwrap();
    e.templates.save(save_doc(&t, 1, doc_with_text("second")), "alice").await.unwrap();
    e.templates.save(save_doc(&t, 2, doc_with_text("third")), "alice").await.unwrap();
    let outcome = e.templates.restore(t.id, 1, "bob").await.unwrap();
    assert_eq!(outcome.version, 4);
    let current = e.templates.get(t.id).await.unwrap();
    assert_eq!((current.version, current.document.clone()), (4, Some(Document::blank())));
    let v4 = e.templates.version(t.id, 4).await.unwrap();
    let v1 = e.templates.version(t.id, 1).await.unwrap();
    assert_eq!(v4.document, v1.document);
    assert_eq!((v4.saved_by.as_str(), v4.autosave), ("bob", false));
    // Nothing was rewritten: the versions in between are still there.
    assert_eq!(e.templates.version(t.id, 3).await.unwrap().document, Some(doc_with_text("third")));
    assert_eq!(e.templates.versions(t.id).await.unwrap().len(), 4);
    // An editor still on version 3 now gets a conflict.
    let stale = e.templates.save(save_doc(&t, 3, doc_with_text("late")), "alice").await;
    assert!(matches!(stale, Err(TemplateError::VersionConflict { expected: 3, current: 4 })));
    assert!(matches!(e.templates.restore(t.id, 50, "bob").await, Err(TemplateError::VersionNotFound { .. })));
}

#[tokio::test]
async fn pruning_drops_the_oldest_autosaves_first_and_keeps_at_most_100_versions() {
    let e = setup().await;
    let html = TemplateSource::Html("<p>v1</p>".into());
    let t = e.templates.create(new("Busy", html), "alice").await.unwrap();
    // Version 1 (manual), 30 manual saves (2..=31), then 80 autosaves (32..=111).
    let mut version = 1;
    for n in 0..110 {
        let autosave = n >= 30;
        let outcome =
            e.templates.save(save_html(t.id, version, &format!("<p>{n}</p>"), autosave), "alice").await.unwrap();
        version = outcome.version;
    }
    assert_eq!(version, 111);
    let versions = e.templates.versions(t.id).await.unwrap();
    assert_eq!(versions.len() as i64, MAX_VERSIONS);
    assert_eq!(versions[0].version, 111, "the current version is kept");
    // All 31 manual saves survive; the 11 oldest autosaves (32..=42) are gone.
    assert_eq!(versions.iter().filter(|v| !v.autosave).count(), 31);
    let oldest_autosave = versions.iter().filter(|v| v.autosave).map(|v| v.version).min().unwrap();
    assert_eq!(oldest_autosave, 43);

    // With only manual saves, the oldest manual saves go.
    let m = e.templates.create(new("Manual", TemplateSource::Html("<p>v1</p>".into())), "alice").await.unwrap();
    for n in 1..=104 {
        e.templates.save(save_html(m.id, n, &format!("<p>{n}</p>"), false), "alice").await.unwrap();
    }
    let versions = e.templates.versions(m.id).await.unwrap();
    assert_eq!(versions.len() as i64, MAX_VERSIONS);
    assert_eq!((versions[0].version, versions[99].version), (105, 6));
}

#[tokio::test]
async fn deleting_a_template_deletes_its_history() {
    let e = setup().await;
    let t = e.templates.create(new("", TemplateSource::Starter(Starter::PlainLetter)), "alice").await.unwrap();
    assert_eq!(t.name, "Plain letter");
    e.templates.save(save_doc(&t, 1, doc_with_text("x")), "alice").await.unwrap();
    assert_eq!(version_count(e.pool(), t.id).await, 2);
    e.templates.delete(t.id).await.unwrap();
    assert_eq!(version_count(e.pool(), t.id).await, 0);
    assert!(matches!(e.templates.get(t.id).await, Err(TemplateError::NotFound(_))));
    assert!(matches!(e.templates.delete(t.id).await, Err(TemplateError::NotFound(_))));
}

#[tokio::test]
async fn an_uploaded_png_gets_its_size_a_media_url_and_a_file() {
    let e = setup().await;
    let file = e.media.store("C:\\pics\\logo.png", &PNG_3X2, "alice").await.unwrap();
    assert_eq!(file.file_name, "logo.png");
    assert_eq!((file.width, file.height), (Some(3), Some(2)));
    assert_eq!(file.content_type, "image/png");
    assert_eq!(file.size_bytes, PNG_3X2.len() as i64);
    let stored_name = file.url.strip_prefix("/media/").unwrap();
    assert!(stored_name.ends_with(".png"), "{}", file.url);
    let path = e.media.path_of(stored_name).unwrap();
    assert!(path.starts_with(&e.dir));
    assert_eq!(std::fs::read(&path).unwrap(), PNG_3X2);

    // The same bytes again (under another name) are the same image.
    let again = e.media.store("copy-of-logo.png", &PNG_3X2, "bob").await.unwrap();
    assert_eq!(again.id, file.id);
    assert_eq!(again.url, file.url);
    assert_eq!(e.media.list().await.unwrap().len(), 1);
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(&e.dir).unwrap().count(), 1);

    e.media.delete(file.id).await.unwrap();
    assert!(!path.exists());
    assert!(e.media.list().await.unwrap().is_empty());
    assert!(matches!(e.media.delete(file.id).await, Err(TemplateError::MediaNotFound(_))));
    std::fs::remove_dir_all(&e.dir).ok();
}

#[tokio::test]
async fn files_that_are_not_images_or_too_large_are_refused() {
    let e = setup().await;
    let text = e.media.store("notes.png", b"just some text, named like a picture", "alice").await;
    assert!(matches!(&text, Err(TemplateError::MediaType(n)) if n == "notes.png"), "{text:?}");
    let mut huge = PNG_3X2.to_vec();
    huge.resize(MAX_MEDIA_BYTES + 1, 0);
    assert!(matches!(e.media.store("huge.png", &huge, "alice").await, Err(TemplateError::MediaTooLarge { .. })));
    assert!(e.media.list().await.unwrap().is_empty());
    assert!(!e.dir.exists(), "nothing was written");
}

#[tokio::test]
async fn only_generated_names_map_to_files() {
    let e = setup().await;
    assert_eq!(e.media.path_of("../x.png"), None);
    assert_eq!(e.media.path_of("../../etc/passwd"), None);
    assert_eq!(e.media.path_of(&format!("{}.svg", "a".repeat(32))), None);
    let name = format!("{}.png", "a".repeat(32));
    assert_eq!(e.media.path_of(&name), Some(e.dir.join(&name)));
}
