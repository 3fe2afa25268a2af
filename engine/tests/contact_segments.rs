//! Segments, selections and bulk actions against a real PostgreSQL: every kind of filter
//! selects exactly the expected contacts, hostile values stay values, saved segments keep
//! their rules, and each bulk action changes only what it should.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use engine::contacts::segment_sql::compile;
use engine::contacts::selection::{MAX_IDS, selection_condition};
use engine::contacts::{ContactError, Segments, apply_bulk};
use engine::testing::TestDatabase;
use model::contacts::{
    AttributeOp, AttributeValue, BulkAction, BulkOutcome, ContactQuery, ListStatus, SegmentFilter, SegmentInput,
    SegmentProblem, Selection, TagMode, TimeWindow,
};
use sea_query::{Alias, Expr, Order, PostgresQueryBuilder, Query, SimpleExpr};
use sea_query_binder::SqlxBinder;
use serde_json::json;
use sqlx::PgPool;

const EVIL: &str = "x'; DROP TABLE contact; --";

/// Five contacts with lists, campaigns, events and suppressions (see `setup`).
struct Fixture {
    t: TestDatabase,
    now: DateTime<Utc>,
    ann: i64,
    bob: i64,
    cid: i64,
    dee: i64,
    eve: i64,
    newsletter: i64,
    beta: i64,
}

impl Fixture {
    fn pool(&self) -> &PgPool {
        &self.t.db.pool
    }
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn contact(
    pool: &PgPool,
    email: &str,
    name: &str,
    tags: &[&str],
    attributes: serde_json::Value,
    created: DateTime<Utc>,
    active: Option<DateTime<Utc>>,
) -> i64 {
    let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
    sqlx::query_scalar(
        "INSERT INTO contact (email, name, tags, attributes, created_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(tags)
    .bind(attributes)
    .bind(created)
    .bind(active)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn list(pool: &PgPool, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO contact_list (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn member(pool: &PgPool, list_id: i64, contact_id: i64, status: &str) {
    sqlx::query("INSERT INTO list_membership (list_id, contact_id, status) VALUES ($1, $2, $3)")
        .bind(list_id)
        .bind(contact_id)
        .bind(status)
        .execute(pool)
        .await
        .unwrap();
}

async fn campaign(pool: &PgPool, sent_at: Option<DateTime<Utc>>) -> i64 {
    sqlx::query_scalar("INSERT INTO campaign (name, sent_at) VALUES ('c', $1) RETURNING id")
        .bind(sent_at)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn event(pool: &PgPool, contact_id: i64, kind: &str, campaign_id: Option<i64>) {
    sqlx::query("INSERT INTO contact_event (contact_id, kind, campaign_id) VALUES ($1, $2, $3)")
        .bind(contact_id)
        .bind(kind)
        .bind(campaign_id)
        .execute(pool)
        .await
        .unwrap();
}

async fn suppress(pool: &PgPool, email: &str, list_id: Option<i64>, reason: &str) {
    sqlx::query("INSERT INTO suppression (email, list_id, reason) VALUES ($1, $2, $3)")
        .bind(email)
        .bind(list_id)
        .bind(reason)
        .execute(pool)
        .await
        .unwrap();
}

/// ann: example.com, tags vip+news, plan pro, age 42, active, on Newsletter (subscribed) and
///      Beta (unsubscribed), opened and clicked the newest campaign, active yesterday.
/// bob: example.org, tag news, plan free, age "42" (text), on Newsletter (unsubscribed),
///      opened only the oldest campaign, hard bounce on the timeline, silent for 95 days.
/// cid: gmail.com, no tags, plan pro, age 17, on Newsletter (unconfirmed), clicked, added 400
///      days ago and never active, suppressed (hard bounce) for Newsletter only.
/// dee: gmail.com, tag vip, age true (boolean), no lists, opened a draft, added 2 days ago,
///      suppressed everywhere for a hard bounce.
/// eve: example.net, tags news+beta, no attributes, on Beta (subscribed), opened the middle
///      campaign, suppressed everywhere by hand.
async fn setup() -> Fixture {
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    let now = Utc::now();
    let ann = contact(
        &pool,
        "ann@example.com",
        "Ann Lee",
        &["vip", "news"],
        json!({"plan": "pro", "age": 42, "birthday": "1990-05-01", "active": true, "city": "Berlin"}),
        now - days(10),
        Some(now - days(1)),
    )
    .await;
    let bob = contact(
        &pool,
        "bob@example.org",
        "Bob",
        &["news"],
        json!({"plan": "free", "age": "42", "birthday": "n/a", "active": false}),
        now - days(100),
        Some(now - days(95)),
    )
    .await;
    let cid = contact(
        &pool,
        "cid@gmail.com",
        "Cid",
        &[],
        json!({"plan": "pro", "age": 17, "birthday": "2005-12-31"}),
        now - days(400),
        None,
    )
    .await;
    let dee =
        contact(&pool, "dee@gmail.com", "Dee", &["vip"], json!({"age": true, "city": "Munich"}), now - days(2), None)
            .await;
    let eve = contact(
        &pool,
        "eve@example.net",
        "Eve Adams",
        &["news", "beta"],
        json!({}),
        now - days(40),
        Some(now - days(40)),
    )
    .await;

    let newsletter = list(&pool, "Newsletter").await;
    let beta = list(&pool, "Beta").await;
    member(&pool, newsletter, ann, "subscribed").await;
    member(&pool, newsletter, bob, "unsubscribed").await;
    member(&pool, newsletter, cid, "unconfirmed").await;
    member(&pool, beta, eve, "subscribed").await;
    member(&pool, beta, ann, "unsubscribed").await;

    let oldest = campaign(&pool, Some(now - days(30))).await;
    let middle = campaign(&pool, Some(now - days(20))).await;
    let newest = campaign(&pool, Some(now - days(10))).await;
    let draft = campaign(&pool, None).await;
    event(&pool, ann, "opened", Some(newest)).await;
    event(&pool, ann, "clicked", Some(newest)).await;
    event(&pool, bob, "opened", Some(oldest)).await;
    event(&pool, bob, "hard_bounced", None).await;
    event(&pool, cid, "clicked", Some(middle)).await;
    event(&pool, eve, "opened", Some(middle)).await;
    event(&pool, dee, "opened", Some(draft)).await;

    suppress(&pool, "dee@gmail.com", None, "hard_bounce").await;
    suppress(&pool, "eve@example.net", None, "manual").await;
    suppress(&pool, "cid@gmail.com", Some(newsletter), "hard_bounce").await;

    Fixture { t, now, ann, bob, cid, dee, eve, newsletter, beta }
}

/// Local parts of the contacts matching `cond`, by address.
async fn matching(pool: &PgPool, cond: SimpleExpr) -> Vec<String> {
    let (sql, values) = Query::select()
        .expr(Expr::cust("split_part(c.email, '@', 1)"))
        .from_as(Alias::new("contact"), Alias::new("c"))
        .and_where(cond)
        .order_by_expr(Expr::cust("c.email"), Order::Asc)
        .build_sqlx(PostgresQueryBuilder);
    sqlx::query_scalar_with(&sql, values).fetch_all(pool).await.unwrap()
}

async fn check(f: &Fixture, filter: SegmentFilter, expected: &[&str]) {
    let got = matching(f.pool(), compile(&filter, f.now)).await;
    assert_eq!(got, expected, "{filter:?}");
}

async fn selected(f: &Fixture, sel: &Selection) -> Vec<String> {
    matching(f.pool(), selection_condition(f.pool(), sel, f.now).await.unwrap()).await
}

fn tags(mode: TagMode, names: &[&str]) -> SegmentFilter {
    SegmentFilter::Tags { mode, tags: names.iter().map(|t| (*t).to_owned()).collect() }
}

fn attr(key: &str, op: AttributeOp, value: Option<AttributeValue>) -> SegmentFilter {
    SegmentFilter::Attribute { key: key.into(), op, value }
}

fn text(s: &str) -> Option<AttributeValue> {
    Some(AttributeValue::Text(s.into()))
}

fn number(n: f64) -> Option<AttributeValue> {
    Some(AttributeValue::Number(n))
}

fn on_list(list_id: i64, status: Option<ListStatus>) -> SegmentFilter {
    SegmentFilter::OnList { list_id, status }
}

fn gmail_or_beta() -> SegmentFilter {
    SegmentFilter::Or(vec![SegmentFilter::EmailDomain(vec!["gmail.com".into()]), tags(TagMode::Any, &["beta"])])
}

fn query(search: &str, filter: Option<SegmentFilter>) -> Selection {
    Selection::Query(ContactQuery { search: search.into(), filter })
}

async fn total_contacts(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM contact").fetch_one(pool).await.unwrap()
}

async fn tags_of(pool: &PgPool, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT tags FROM contact WHERE id = $1").bind(id).fetch_one(pool).await.unwrap()
}

async fn events(pool: &PgPool, contact_id: i64, kind: &str) -> Vec<(Option<i64>, String)> {
    sqlx::query_as("SELECT list_id, detail FROM contact_event WHERE contact_id = $1 AND kind = $2 ORDER BY id")
        .bind(contact_id)
        .bind(kind)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// (local part, status) of a list's members, by address.
async fn members(pool: &PgPool, list_id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT split_part(c.email, '@', 1), m.status FROM list_membership m JOIN contact c ON c.id = m.contact_id \
         WHERE m.list_id = $1 ORDER BY c.email",
    )
    .bind(list_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Every contact's `list_keys` (what segments read) equals the keys of its memberships
/// (the source of truth) after whatever statements ran.
async fn assert_keys_follow_memberships(pool: &PgPool) {
    let stale: Vec<(String, Vec<i64>, Vec<i64>)> = sqlx::query_as(
        "SELECT c.email, c.list_keys, COALESCE((SELECT array_agg(list_key(m.list_id, m.status) ORDER BY list_key(m.list_id, m.status)) \
             FROM list_membership m WHERE m.contact_id = c.id), '{}') AS expected \
         FROM contact c ORDER BY c.email",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let stale: Vec<_> = stale.into_iter().filter(|(_, have, want)| have != want).collect();
    assert!(stale.is_empty(), "list keys out of step with memberships: {stale:?}");
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

fn outcome(matched: i64, changed: i64) -> BulkOutcome {
    BulkOutcome { matched, changed }
}

// ---------------------------------------------------------------------------------------
// Filters

#[tokio::test]
async fn list_and_tag_conditions_select_exactly_their_contacts() {
    let f = setup().await;
    check(&f, on_list(f.newsletter, None), &["ann", "bob", "cid"]).await;
    check(&f, on_list(f.newsletter, Some(ListStatus::Subscribed)), &["ann"]).await;
    check(&f, on_list(f.beta, Some(ListStatus::Unsubscribed)), &["ann"]).await;
    check(&f, on_list(f.beta + 100, None), &[]).await;

    check(&f, tags(TagMode::Any, &["vip", "beta"]), &["ann", "dee", "eve"]).await;
    check(&f, tags(TagMode::All, &["vip", "news"]), &["ann"]).await;
    check(&f, tags(TagMode::None, &["news"]), &["cid", "dee"]).await;
    check(&f, tags(TagMode::Any, &[" vip ", ""]), &["ann", "dee"]).await;
}

#[tokio::test]
async fn attribute_operators_respect_the_value_types() {
    let f = setup().await;
    check(&f, attr("plan", AttributeOp::Eq, text("pro")), &["ann", "cid"]).await;
    check(&f, attr("plan", AttributeOp::Ne, text("pro")), &["bob", "dee", "eve"]).await;
    check(&f, attr("plan", AttributeOp::Contains, text("PR")), &["ann", "cid"]).await;
    check(&f, attr("plan", AttributeOp::Contains, text("ree")), &["bob"]).await;
    check(&f, attr("city", AttributeOp::Exists, None), &["ann", "dee"]).await;
    let free_or_basic = Some(AttributeValue::List(vec!["free".into(), "basic".into()]));
    check(&f, attr("plan", AttributeOp::In, free_or_basic), &["bob"]).await;

    // Numbers compare numerically and never match the text "42" or the boolean true.
    check(&f, attr("age", AttributeOp::Gt, number(18.0)), &["ann"]).await;
    check(&f, attr("age", AttributeOp::Lt, number(18.0)), &["cid"]).await;
    check(&f, attr("age", AttributeOp::Gt, number(9.5)), &["ann", "cid"]).await;
    check(&f, attr("age", AttributeOp::Eq, number(42.0)), &["ann"]).await;
    check(&f, attr("age", AttributeOp::Ne, number(42.0)), &["bob", "cid", "dee", "eve"]).await;
    check(&f, attr("age", AttributeOp::Eq, text("42")), &["bob"]).await;

    check(&f, attr("active", AttributeOp::Eq, Some(AttributeValue::Boolean(true))), &["ann"]).await;
    check(&f, attr("active", AttributeOp::Eq, Some(AttributeValue::Boolean(false))), &["bob"]).await;

    // Dates compare as dates; bob's "n/a" is not a date and never matches.
    let d = |y, m, day| Some(AttributeValue::Date(date(y, m, day)));
    check(&f, attr("birthday", AttributeOp::Eq, d(1990, 5, 1)), &["ann"]).await;
    check(&f, attr("birthday", AttributeOp::Lt, d(2000, 1, 1)), &["ann"]).await;
    check(&f, attr("birthday", AttributeOp::Gt, d(2000, 1, 1)), &["cid"]).await;
}

#[tokio::test]
async fn domains_and_time_windows_select_by_address_and_dates() {
    let f = setup().await;
    check(&f, SegmentFilter::EmailDomain(vec!["GMAIL.com".into()]), &["cid", "dee"]).await;
    check(&f, SegmentFilter::EmailDomain(vec!["example.com".into(), "example.org".into()]), &["ann", "bob"]).await;

    check(&f, SegmentFilter::Created(TimeWindow::WithinDays(30)), &["ann", "dee"]).await;
    check(&f, SegmentFilter::Created(TimeWindow::OlderThanDays(90)), &["bob", "cid"]).await;
    let around_ann = TimeWindow::Between { from: (f.now - days(15)).date_naive(), to: (f.now - days(5)).date_naive() };
    check(&f, SegmentFilter::Created(around_ann), &["ann"]).await;

    // No activity: never "recent", but "inactive" once the contact itself is old enough.
    check(&f, SegmentFilter::LastActivity(TimeWindow::WithinDays(7)), &["ann"]).await;
    check(&f, SegmentFilter::LastActivity(TimeWindow::OlderThanDays(30)), &["bob", "cid", "eve"]).await;
    let around_bob =
        TimeWindow::Between { from: (f.now - days(100)).date_naive(), to: (f.now - days(90)).date_naive() };
    check(&f, SegmentFilter::LastActivity(around_bob), &["bob"]).await;
}

#[tokio::test]
async fn engagement_counts_only_recent_sent_campaigns_and_bounces() {
    let f = setup().await;
    // The last two sent campaigns are the newest and the middle one: bob's open of the oldest
    // and dee's open of a draft do not count.
    check(&f, SegmentFilter::OpenedAnyOfLast { campaigns: 1 }, &["ann"]).await;
    check(&f, SegmentFilter::OpenedAnyOfLast { campaigns: 2 }, &["ann", "eve"]).await;
    check(&f, SegmentFilter::OpenedAnyOfLast { campaigns: 3 }, &["ann", "bob", "eve"]).await;
    check(&f, SegmentFilter::NeverClicked, &["bob", "dee", "eve"]).await;
    // bob by his timeline, dee by a global suppression; cid's suppression is for one list only.
    check(&f, SegmentFilter::HardBounced, &["bob", "dee"]).await;
}

#[tokio::test]
async fn groups_nest_and_not_negates() {
    let f = setup().await;
    let clean_newsletter =
        SegmentFilter::And(vec![on_list(f.newsletter, None), SegmentFilter::Not(Box::new(SegmentFilter::HardBounced))]);
    check(&f, clean_newsletter, &["ann", "cid"]).await;
    check(&f, gmail_or_beta(), &["cid", "dee", "eve"]).await;
    let nested = SegmentFilter::And(vec![gmail_or_beta(), SegmentFilter::Not(Box::new(tags(TagMode::Any, &["vip"])))]);
    check(&f, nested, &["cid", "eve"]).await;
    check(&f, SegmentFilter::Not(Box::new(gmail_or_beta())), &["ann", "bob"]).await;
}

#[tokio::test]
async fn not_includes_contacts_for_whom_the_condition_has_no_value() {
    let f = setup().await;
    // Only Ann has a numeric age over 20; Bob's is text, Dee's a boolean, Eve has none.
    let not_older = SegmentFilter::Not(Box::new(attr("age", AttributeOp::Gt, number(20.0))));
    check(&f, not_older, &["bob", "cid", "dee", "eve"]).await;
    // Never active (Cid, Dee) is "not active in the last 30 days".
    let not_recent = SegmentFilter::Not(Box::new(SegmentFilter::LastActivity(TimeWindow::WithinDays(30))));
    check(&f, not_recent, &["bob", "cid", "dee", "eve"]).await;
}

#[tokio::test]
async fn hostile_values_match_nothing_and_break_nothing() {
    let f = setup().await;
    check(&f, tags(TagMode::Any, &[EVIL]), &[]).await;
    check(&f, tags(TagMode::None, &[EVIL]), &["ann", "bob", "cid", "dee", "eve"]).await;
    check(&f, attr("plan", AttributeOp::Eq, text(EVIL)), &[]).await;
    check(&f, attr("plan", AttributeOp::Contains, text("%' OR '1'='1")), &[]).await;
    check(&f, attr("plan", AttributeOp::In, Some(AttributeValue::List(vec![EVIL.into()]))), &[]).await;
    // Not valid (so never saved), but even compiled directly the key is only a value.
    check(&f, attr("x') OR true --", AttributeOp::Exists, None), &[]).await;
    check(&f, SegmentFilter::EmailDomain(vec![EVIL.into()]), &[]).await;
    assert!(selected(&f, &query(EVIL, None)).await.is_empty());
    assert_eq!(total_contacts(f.pool()).await, 5);
}

// ---------------------------------------------------------------------------------------
// Saved segments and selections

fn input(name: &str, filter: SegmentFilter) -> SegmentInput {
    SegmentInput { name: name.into(), description: " Readers ".into(), filter }
}

#[tokio::test]
async fn saved_segments_keep_unique_names_and_valid_filters() {
    let f = setup().await;
    let segments = Segments::new(f.pool().clone());
    let vip = segments.create(&input(" VIP ", tags(TagMode::Any, &["vip"]))).await.unwrap();
    assert_eq!((vip.name.as_str(), vip.description.as_str(), vip.last_count), ("VIP", "Readers", None));
    assert_eq!(segments.get(vip.id).await.unwrap().filter, tags(TagMode::Any, &["vip"]));

    let taken = segments.create(&input("vip", tags(TagMode::Any, &["x"]))).await;
    assert!(matches!(taken, Err(ContactError::SegmentNameTaken(ref n)) if n == "vip"), "{taken:?}");
    let blank = segments.create(&input("   ", SegmentFilter::NeverClicked)).await;
    assert!(matches!(blank, Err(ContactError::SegmentName)), "{blank:?}");
    let long = segments.create(&input(&"n".repeat(121), SegmentFilter::NeverClicked)).await;
    assert!(matches!(long, Err(ContactError::SegmentName)), "{long:?}");
    let empty = segments.create(&input("Empty", SegmentFilter::And(vec![]))).await;
    assert!(matches!(empty, Err(ContactError::Segment(SegmentProblem::EmptyGroup))), "{empty:?}");

    let news = segments.create(&input("News", tags(TagMode::Any, &["news"]))).await.unwrap();
    let clash = segments.update(news.id, &input("vIP", tags(TagMode::Any, &["news"]))).await;
    assert!(matches!(clash, Err(ContactError::SegmentNameTaken(_))), "{clash:?}");

    // Three read news, eve is suppressed everywhere: two can be sent to.
    let counted = segments.count_saved(news.id).await.unwrap();
    assert_eq!((counted.matching, counted.sendable), (3, 2));
    let stored = segments.get(news.id).await.unwrap();
    assert_eq!(stored.last_count, Some(3));
    assert!(stored.counted_at.is_some());

    // Changing the filter drops the stored count.
    let renamed = segments.update(news.id, &input("Newsletter readers", gmail_or_beta())).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.last_count), ("Newsletter readers", None));
    let live = segments.count(&gmail_or_beta()).await.unwrap();
    assert_eq!((live.matching, live.sendable), (3, 1));
    assert!(matches!(segments.count(&SegmentFilter::Or(vec![])).await, Err(ContactError::Segment(_))));

    let names: Vec<String> = segments.list().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Newsletter readers", "VIP"]);

    assert!(matches!(segments.get(news.id + 100).await, Err(ContactError::SegmentNotFound(_))));
    let missing = segments.update(news.id + 100, &input("Other", SegmentFilter::NeverClicked)).await;
    assert!(matches!(missing, Err(ContactError::SegmentNotFound(_))), "{missing:?}");
    segments.delete(news.id).await.unwrap();
    assert!(matches!(segments.delete(news.id).await, Err(ContactError::SegmentNotFound(_))));
    assert_eq!(segments.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn selections_resolve_ids_queries_segments_and_lists() {
    let f = setup().await;
    let segments = Segments::new(f.pool().clone());
    let vip = segments.create(&input("VIP", tags(TagMode::Any, &["vip"]))).await.unwrap();

    assert_eq!(selected(&f, &Selection::Ids(vec![f.eve, f.ann, -1])).await, ["ann", "eve"]);
    assert_eq!(selected(&f, &Selection::Segment(vip.id)).await, ["ann", "dee"]);
    assert_eq!(selected(&f, &Selection::List(f.newsletter)).await, ["ann", "bob", "cid"]);
    // The search looks at addresses and names, ignoring case, and combines with the filter.
    assert_eq!(selected(&f, &query("ADAMS", None)).await, ["eve"]);
    assert_eq!(selected(&f, &query("Example", None)).await, ["ann", "bob", "eve"]);
    assert_eq!(selected(&f, &query("example", Some(tags(TagMode::Any, &["vip"])))).await, ["ann"]);
    assert_eq!(selected(&f, &query("", None)).await.len(), 5);

    let missing = selection_condition(f.pool(), &Selection::Segment(vip.id + 100), f.now).await;
    assert!(matches!(missing, Err(ContactError::SegmentNotFound(_))));
    let too_many = selection_condition(f.pool(), &Selection::Ids(vec![f.ann; MAX_IDS + 1]), f.now).await;
    assert!(matches!(too_many, Err(ContactError::SelectionTooLarge { max: MAX_IDS })));

    // A stored filter is checked again when used.
    let broken: i64 =
        sqlx::query_scalar("INSERT INTO segment (name, filter) VALUES ('Broken', '{\"and\": []}') RETURNING id")
            .fetch_one(f.pool())
            .await
            .unwrap();
    let refused = selection_condition(f.pool(), &Selection::Segment(broken), f.now).await;
    assert!(matches!(refused, Err(ContactError::Segment(SegmentProblem::EmptyGroup))));
}

// ---------------------------------------------------------------------------------------
// Bulk actions

#[tokio::test]
async fn tagging_changes_only_contacts_without_the_tag_and_logs_it() {
    let f = setup().await;
    let pool = f.pool();
    let gmail = query("", Some(SegmentFilter::EmailDomain(vec!["gmail.com".into()])));
    let done = apply_bulk(pool, &gmail, &BulkAction::AddTag(" vip ".into()), "alice").await.unwrap();
    assert_eq!(done, outcome(2, 1));
    assert_eq!(tags_of(pool, f.cid).await, ["vip"]);
    assert_eq!(events(pool, f.cid, "tagged").await, [(None, "vip".to_owned())]);
    assert!(events(pool, f.dee, "tagged").await.is_empty());

    let some = Selection::Ids(vec![f.ann, f.bob, f.cid]);
    let done = apply_bulk(pool, &some, &BulkAction::RemoveTag("news".into()), "alice").await.unwrap();
    assert_eq!(done, outcome(3, 2));
    assert_eq!(tags_of(pool, f.ann).await, ["vip"]);
    assert!(tags_of(pool, f.bob).await.is_empty());
    assert_eq!(events(pool, f.bob, "untagged").await, [(None, "news".to_owned())]);

    let refused = apply_bulk(pool, &some, &BulkAction::AddTag("a,b".into()), "alice").await;
    assert!(matches!(refused, Err(ContactError::InvalidTag(_))), "{refused:?}");

    // A hostile tag is stored as typed and nothing else happens.
    let done = apply_bulk(pool, &Selection::Ids(vec![f.eve]), &BulkAction::AddTag(EVIL.into()), EVIL).await.unwrap();
    assert_eq!(done, outcome(1, 1));
    assert_eq!(tags_of(pool, f.eve).await, ["news", "beta", EVIL]);
    assert_eq!(total_contacts(pool).await, 5);
}

#[tokio::test]
async fn adding_to_a_list_never_resubscribes_or_downgrades() {
    let f = setup().await;
    let pool = f.pool();
    let four = Selection::Ids(vec![f.ann, f.bob, f.cid, f.dee]);
    let add = BulkAction::AddToList { list_id: f.newsletter, status: ListStatus::Subscribed };
    // ann is already subscribed, bob unsubscribed (and stays so), cid is confirmed, dee joins.
    assert_eq!(apply_bulk(pool, &four, &add, "alice").await.unwrap(), outcome(4, 2));
    assert_eq!(
        members(pool, f.newsletter).await,
        pairs(&[("ann", "subscribed"), ("bob", "unsubscribed"), ("cid", "subscribed"), ("dee", "subscribed")])
    );
    let source: String =
        sqlx::query_scalar("SELECT consent_source FROM list_membership WHERE list_id = $1 AND contact_id = $2")
            .bind(f.newsletter)
            .bind(f.dee)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(source, "bulk: alice");
    assert_eq!(events(pool, f.dee, "subscribed").await, [(Some(f.newsletter), "bulk: alice".to_owned())]);
    assert!(events(pool, f.bob, "subscribed").await.is_empty());

    // Adding as unconfirmed changes nobody already on the list.
    let unconfirmed = BulkAction::AddToList { list_id: f.beta, status: ListStatus::Unconfirmed };
    let both = Selection::Ids(vec![f.ann, f.eve]);
    assert_eq!(apply_bulk(pool, &both, &unconfirmed, "alice").await.unwrap(), outcome(2, 0));
    assert_eq!(members(pool, f.beta).await, pairs(&[("ann", "unsubscribed"), ("eve", "subscribed")]));

    let nowhere = BulkAction::AddToList { list_id: f.beta + 100, status: ListStatus::Subscribed };
    let refused = apply_bulk(pool, &four, &nowhere, "alice").await;
    assert!(matches!(refused, Err(ContactError::ListNotFound(id)) if id == f.beta + 100), "{refused:?}");
    assert_keys_follow_memberships(pool).await;
}

#[tokio::test]
async fn unsubscribing_changes_only_active_memberships() {
    let f = setup().await;
    let pool = f.pool();
    let done = apply_bulk(pool, &Selection::List(f.newsletter), &BulkAction::Unsubscribe(Some(f.newsletter)), "alice")
        .await
        .unwrap();
    assert_eq!(done, outcome(3, 2));
    assert_eq!(
        members(pool, f.newsletter).await,
        pairs(&[("ann", "unsubscribed"), ("bob", "unsubscribed"), ("cid", "unsubscribed")])
    );
    assert_eq!(events(pool, f.cid, "unsubscribed").await, [(Some(f.newsletter), "bulk: alice".to_owned())]);

    // From every list: eve's Beta membership is the only one left to change.
    let everyone = query("", None);
    assert_eq!(apply_bulk(pool, &everyone, &BulkAction::Unsubscribe(None), "alice").await.unwrap(), outcome(5, 1));
    assert_eq!(members(pool, f.beta).await, pairs(&[("ann", "unsubscribed"), ("eve", "unsubscribed")]));
    assert_keys_follow_memberships(pool).await;
}

#[tokio::test]
async fn moving_keeps_status_and_consent_and_removing_logs_it() {
    let f = setup().await;
    let pool = f.pool();
    sqlx::query("UPDATE list_membership SET consent_source = 'form: Signup' WHERE list_id = $1 AND contact_id = $2")
        .bind(f.newsletter)
        .bind(f.cid)
        .execute(pool)
        .await
        .unwrap();
    let refused =
        apply_bulk(pool, &Selection::List(f.beta), &BulkAction::MoveToList { from: f.beta, to: f.beta }, "a").await;
    assert!(matches!(refused, Err(ContactError::InvalidAction(_))), "{refused:?}");

    // ann was unsubscribed from Beta already: her subscription to Newsletter does not undo it.
    let moved = BulkAction::MoveToList { from: f.newsletter, to: f.beta };
    assert_eq!(apply_bulk(pool, &Selection::List(f.newsletter), &moved, "alice").await.unwrap(), outcome(3, 3));
    assert!(members(pool, f.newsletter).await.is_empty());
    assert_eq!(
        members(pool, f.beta).await,
        pairs(&[("ann", "unsubscribed"), ("bob", "unsubscribed"), ("cid", "unconfirmed"), ("eve", "subscribed")])
    );
    let source: String =
        sqlx::query_scalar("SELECT consent_source FROM list_membership WHERE list_id = $1 AND contact_id = $2")
            .bind(f.beta)
            .bind(f.cid)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(source, "form: Signup");
    assert_eq!(events(pool, f.cid, "removed_from_list").await, [(Some(f.newsletter), "bulk: alice".to_owned())]);

    let done = apply_bulk(pool, &Selection::Ids(vec![f.eve, f.dee]), &BulkAction::RemoveFromList(f.beta), "alice")
        .await
        .unwrap();
    assert_eq!(done, outcome(2, 1));
    assert_eq!(
        members(pool, f.beta).await,
        pairs(&[("ann", "unsubscribed"), ("bob", "unsubscribed"), ("cid", "unconfirmed")])
    );
    assert_eq!(events(pool, f.eve, "removed_from_list").await, [(Some(f.beta), "bulk: alice".to_owned())]);
    assert_keys_follow_memberships(pool).await;
    // Deleting a list drops its keys from its former members.
    sqlx::query("DELETE FROM contact_list WHERE id = $1").bind(f.beta).execute(pool).await.unwrap();
    assert_keys_follow_memberships(pool).await;
    check(&f, on_list(f.beta, None), &[]).await;
}

#[tokio::test]
async fn deleting_a_query_removes_only_its_matches() {
    let f = setup().await;
    let pool = f.pool();
    let broken = query("", Some(SegmentFilter::And(vec![])));
    let refused = apply_bulk(pool, &broken, &BulkAction::Delete, "alice").await;
    assert!(matches!(refused, Err(ContactError::Segment(_))), "{refused:?}");
    let too_many = apply_bulk(pool, &Selection::Ids(vec![f.ann; MAX_IDS + 1]), &BulkAction::Delete, "alice").await;
    assert!(matches!(too_many, Err(ContactError::SelectionTooLarge { .. })), "{too_many:?}");
    assert_eq!(total_contacts(pool).await, 5);

    let done = apply_bulk(pool, &query("GMAIL", None), &BulkAction::Delete, "alice").await.unwrap();
    assert_eq!(done, outcome(2, 2));
    assert_eq!(selected(&f, &query("", None)).await, ["ann", "bob", "eve"]);
    // Suppressions are kept by address and outlive the contacts (dee's and cid's included).
    let suppressions: i64 = sqlx::query_scalar("SELECT count(*) FROM suppression").fetch_one(pool).await.unwrap();
    assert_eq!(suppressions, 3);
}
