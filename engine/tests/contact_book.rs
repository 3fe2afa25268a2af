//! Contacts one at a time, lists, attributes, the suppression list and the invalid-domain
//! scan, against a real PostgreSQL and a real DNS server (dnsmasq).

mod support;

use std::time::Duration;

use engine::contacts::{Audience, ContactError};
use engine::deliverability::{DnsResolver, ResolverChoice};
use engine::testing::TestDatabase;
use model::contacts::{
    AttributeDefinition, AttributeKind, ContactInput, DomainVerdict, EventKind, InvalidDomainAction, ListInput,
    ListStatus, OptIn, SuppressionFilter, SuppressionReason, Visibility,
};
use model::{PageRequest, SortDirection};
use support::dnsmasq::{Dnsmasq, unavailable};

fn audience(t: &TestDatabase) -> Audience {
    Audience::new(t.db.pool.clone(), std::env::temp_dir().join(format!("bm-imports-{}", std::process::id())))
}

fn input(email: &str, name: &str) -> ContactInput {
    ContactInput { email: email.into(), name: name.into(), ..ContactInput::default() }
}

fn page() -> PageRequest {
    PageRequest { page: 1, per_page: 50, sort: "email".into(), direction: SortDirection::Ascending }
}

#[tokio::test]
async fn contacts_are_unique_case_insensitively_and_typed_attributes_are_checked() {
    let t = TestDatabase::create().await;
    let a = audience(&t);
    let c = a.book.create(&input("  Ann@Example.COM ", "Ann"), "alice").await.unwrap();
    assert_eq!(c.email, "ann@example.com");
    let dup = a.book.create(&input("ANN@example.com", "Other"), "alice").await.unwrap_err();
    assert!(matches!(dup, ContactError::EmailTaken(_)), "{dup}");
    let bad = a.book.create(&input("ann@@example.com", ""), "alice").await.unwrap_err();
    assert!(matches!(bad, ContactError::InvalidEmail { .. }), "{bad}");

    a.attributes
        .save(&AttributeDefinition {
            key: "age".into(),
            label: "Age".into(),
            kind: AttributeKind::Number,
            options: vec![],
        })
        .await
        .unwrap();
    let mut edit = input("ann@example.com", "Ann Lee");
    edit.attributes.insert("age".into(), serde_json::json!("forty"));
    let refused = a.book.update(c.id, &edit).await.unwrap_err();
    assert!(matches!(refused, ContactError::InvalidAttributeValue { .. }), "{refused}");
    // Nothing was written by the refused update.
    assert_eq!(a.book.get(c.id).await.unwrap().contact.name, "Ann");
    edit.attributes.insert("age".into(), serde_json::json!(40));
    edit.tags = vec![" vip ".into(), "vip".into()];
    let updated = a.book.update(c.id, &edit).await.unwrap();
    assert_eq!((updated.name.as_str(), updated.tags.clone()), ("Ann Lee", vec!["vip".to_owned()]));
    assert_eq!(a.book.tags().await.unwrap(), vec![("vip".to_owned(), 1)]);
}

#[tokio::test]
async fn memberships_record_consent_and_the_timeline_tells_the_story() {
    let t = TestDatabase::create().await;
    let a = audience(&t);
    let list = a
        .lists
        .create(&ListInput {
            name: "Weekly".into(),
            description: "News".into(),
            opt_in: OptIn::Double,
            visibility: Visibility::Public,
        })
        .await
        .unwrap();
    let taken = a.lists.create(&ListInput { name: "weekly".into(), ..ListInput::default() }).await.unwrap_err();
    assert!(matches!(taken, ContactError::ListNameTaken(_)));
    let c = a.book.create(&input("bo@example.org", "Bo"), "alice").await.unwrap();
    a.book.set_membership(c.id, list.id, ListStatus::Unconfirmed, "admin: alice").await.unwrap();
    a.book.set_membership(c.id, list.id, ListStatus::Subscribed, "admin: alice").await.unwrap();
    let lists = a.lists.list().await.unwrap();
    assert_eq!((lists[0].subscribed, lists[0].unconfirmed), (1, 0));
    let detail = a.book.get(c.id).await.unwrap();
    assert_eq!(detail.memberships.len(), 1);
    assert_eq!(detail.memberships[0].status, ListStatus::Subscribed);
    assert!(detail.memberships[0].consent_at.is_some());
    let kinds: Vec<EventKind> = detail.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Subscribed, EventKind::Subscribed, EventKind::Created]);
    assert_eq!(detail.timeline[0].list_name.as_deref(), Some("Weekly"));
    assert!(matches!(
        a.book.set_membership(c.id, 999, ListStatus::Subscribed, "x").await,
        Err(ContactError::ListNotFound(999))
    ));
}

#[tokio::test]
async fn memberships_never_outlive_their_contact_or_list() {
    let t = TestDatabase::create().await;
    let a = audience(&t);
    let list = a.lists.create(&ListInput { name: "Kept".into(), ..ListInput::default() }).await.unwrap();
    let other = a.lists.create(&ListInput { name: "Dropped".into(), ..ListInput::default() }).await.unwrap();
    let c = a.book.create(&input("m@example.org", ""), "t").await.unwrap();
    let d = a.book.create(&input("n@example.org", ""), "t").await.unwrap();
    for (contact, list_id) in [(c.id, list.id), (c.id, other.id), (d.id, list.id)] {
        a.book.set_membership(contact, list_id, ListStatus::Subscribed, "t").await.unwrap();
    }
    // The statement trigger answers like a foreign key for rows naming nothing.
    for (contact, list_id) in [(c.id + 1000, list.id), (c.id, other.id + 1000)] {
        let err =
            sqlx::query("INSERT INTO list_membership (list_id, contact_id, status) VALUES ($1, $2, 'subscribed')")
                .bind(list_id)
                .bind(contact)
                .execute(&t.db.pool)
                .await
                .unwrap_err();
        assert!(matches!(&err, sqlx::Error::Database(db) if db.is_foreign_key_violation()), "{err}");
    }
    let memberships = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM list_membership").fetch_one(&t.db.pool).await.unwrap()
    };
    a.lists.delete(other.id).await.unwrap();
    assert_eq!(memberships().await, 2);
    a.book.erase(d.id).await.unwrap();
    assert_eq!(memberships().await, 1);
}

#[tokio::test]
async fn erasure_removes_everything_but_keeps_the_suppression() {
    let t = TestDatabase::create().await;
    let a = audience(&t);
    let list = a.lists.create(&ListInput { name: "L".into(), ..ListInput::default() }).await.unwrap();
    let c = a.book.create(&input("gone@example.net", "Gone"), "alice").await.unwrap();
    a.book.set_membership(c.id, list.id, ListStatus::Subscribed, "form").await.unwrap();
    a.suppressions.add(&["gone@example.net".into()], None, SuppressionReason::Complaint, "").await.unwrap();
    let data = a.book.personal_data(c.id).await.unwrap();
    assert_eq!(data["contact"]["email"], "gone@example.net");
    assert_eq!(data["lists"][0]["list_name"], "L");
    assert!(data["events"].as_array().is_some_and(|e| e.len() >= 3), "{data}");
    assert_eq!(a.book.erase(c.id).await.unwrap(), "gone@example.net");
    assert!(matches!(a.book.get(c.id).await, Err(ContactError::ContactNotFound(_))));
    let left: i64 =
        sqlx::query_scalar("SELECT (SELECT count(*) FROM list_membership) + (SELECT count(*) FROM contact_event)")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
    let sup = a.suppressions.list(&SuppressionFilter::default(), &page()).await.unwrap();
    assert_eq!(sup.total, 1);
}

#[tokio::test]
async fn suppressions_are_added_imported_filtered_and_removed() {
    let t = TestDatabase::create().await;
    let a = audience(&t);
    let list = a.lists.create(&ListInput { name: "Promo".into(), ..ListInput::default() }).await.unwrap();
    let added = a
        .suppressions
        .add(
            &["a@x.example".into(), "A@X.example".into(), "not-an-address".into(), "b@x.example".into()],
            None,
            SuppressionReason::Manual,
            "asked by phone",
        )
        .await
        .unwrap();
    assert_eq!((added.added, added.already, added.invalid.len()), (2, 1, 1), "{added:?}");
    let again = a.suppressions.add(&["b@x.example".into()], None, SuppressionReason::Manual, "").await.unwrap();
    assert_eq!((again.added, again.already), (0, 1));
    let csv = "email,reason\nc@x.example,bounced\n\"d@x.example\",x\nnothing here,\n";
    let imported = a.suppressions.import_csv(csv, Some(list.id)).await.unwrap();
    assert_eq!((imported.added, imported.invalid.len()), (2, 1), "{imported:?}");
    let per_list = SuppressionFilter { scope: Some(Some(list.id)), ..SuppressionFilter::default() };
    let rows = a.suppressions.list(&per_list, &page()).await.unwrap();
    assert_eq!(rows.total, 2);
    assert_eq!(rows.rows[0].list_name.as_deref(), Some("Promo"));
    let search = SuppressionFilter { search: "A@X".into(), ..SuppressionFilter::default() };
    let found = a.suppressions.list(&search, &page()).await.unwrap();
    assert_eq!(found.total, 1);
    a.suppressions.remove(found.rows[0].id).await.unwrap();
    assert!(matches!(a.suppressions.remove(found.rows[0].id).await, Err(ContactError::SuppressionNotFound(_))));
}

#[tokio::test]
async fn the_domain_scan_finds_domains_that_cannot_receive_mail() {
    if unavailable() {
        return;
    }
    let t = TestDatabase::create().await;
    let a = audience(&t);
    let dns = Dnsmasq::start(
        "local=/bm.test/\nmx-host=good.bm.test,mx.good.bm.test,10\naddress=/mx.good.bm.test/192.0.2.1\n\
         host-record=addr.bm.test,192.0.2.2\naddress=/quirk.bm.test/192.0.2.3\ntxt-record=nomx.bm.test,\"v=spf1 -all\"\n",
    );
    let resolver = DnsResolver::new(&ResolverChoice::Servers(vec![dns.addr()]), Duration::from_millis(700), 0).unwrap();
    for e in [
        "a@good.bm.test",
        "b@good.bm.test",
        "c@addr.bm.test",
        "q@quirk.bm.test",
        "d@nomx.bm.test",
        "e@gone.bm.test",
        "f@gone.bm.test",
    ] {
        a.book.create(&input(e, ""), "test").await.unwrap();
    }
    let summary = a.suppressions.scan_domains(&resolver).await.unwrap();
    let invalid = a.suppressions.invalid_domains().await.unwrap();
    assert_eq!((summary.domains_checked, summary.invalid, summary.unknown), (5, 2, 0), "{summary:?} {invalid:?}");
    let got: Vec<(&str, DomainVerdict, i64)> =
        invalid.iter().map(|d| (d.domain.as_str(), d.verdict, d.contacts)).collect();
    assert_eq!(got, [("gone.bm.test", DomainVerdict::NxDomain, 2), ("nomx.bm.test", DomainVerdict::NoMx, 1)]);
    // A good domain slipped into the request is ignored.
    let n = a
        .suppressions
        .act_on_invalid(&["gone.bm.test".into(), "good.bm.test".into()], InvalidDomainAction::Suppress)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let n = a.suppressions.act_on_invalid(&["nomx.bm.test".into()], InvalidDomainAction::Delete).await.unwrap();
    assert_eq!(n, 1);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM contact").fetch_one(&t.db.pool).await.unwrap();
    assert_eq!(left, 6);
}
