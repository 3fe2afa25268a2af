//! After the import, the database is brought to the audience the segment and export
//! figures are quoted for: exactly `rows` contacts and 5 × `rows` list memberships over 10
//! lists of skewed sizes, tags and attributes, 20 sent campaigns with opens and clicks
//! (~1 event per contact), some hard bounces and global suppressions — all set-based and
//! deterministic.

use std::time::Instant;

use sqlx::PgPool;

/// List sizes in percent of the contacts (sum 500: five memberships per contact).
const LIST_PERCENT: [u64; 10] = [100, 90, 70, 60, 50, 40, 35, 25, 20, 10];
const CAMPAIGNS: i64 = 20;

/// What the top-up left in the database.
pub struct Topped {
    pub lists: Vec<i64>,
    pub contacts: i64,
    pub memberships: i64,
    pub events: i64,
    pub seconds: f64,
}

/// Creates lists `List <from+1>` … `List <from+count>`; returns their ids.
pub async fn create_lists(pool: &PgPool, from: usize, count: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    for n in from + 1..=from + count {
        let id: i64 = sqlx::query_scalar("INSERT INTO contact_list (name) VALUES ($1) RETURNING id")
            .bind(format!("List {n}"))
            .fetch_one(pool)
            .await
            .expect("create list");
        ids.push(id);
    }
    ids
}

/// Tops the database up (see the module comment); `lists` are the lists made so far (the
/// import filled the first).
pub async fn fill(pool: &PgPool, rows: u64, lists: &[i64]) -> Topped {
    let start = Instant::now();
    let mut all_lists = lists.to_vec();
    all_lists.extend(create_lists(pool, lists.len(), LIST_PERCENT.len() - lists.len()).await);
    add_contacts(pool, rows).await;
    rank_contacts(pool).await;
    // The memberships go in as an import's do: with the contacts' list keys written once,
    // set-based, instead of each list's insert rewriting a million contacts. VACUUM FULL
    // then leaves the table as compact as contacts written by imports.
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("SET LOCAL billionmail.list_keys_by_caller = 'on'").execute(&mut *tx).await.expect("skip key triggers");
    for (k, (&list_id, &percent)) in all_lists.iter().zip(LIST_PERCENT.iter()).enumerate() {
        add_members(&mut tx, list_id, k as i64, rows * percent / 100, rows).await;
    }
    sqlx::query(
        "UPDATE contact c SET list_keys = k.keys FROM (SELECT contact_id, \
             array_agg(list_key(list_id, status) ORDER BY list_key(list_id, status)) AS keys \
             FROM list_membership GROUP BY contact_id) k \
         WHERE c.id = k.contact_id AND c.list_keys IS DISTINCT FROM k.keys",
    )
    .execute(&mut *tx)
    .await
    .expect("write list keys");
    tx.commit().await.expect("commit memberships");
    exec(pool, "VACUUM FULL contact").await;
    add_campaigns_and_events(pool).await;
    exec(
        pool,
        "INSERT INTO suppression (email, reason) SELECT c.email, 'hard_bounce' FROM contact c \
                JOIN bench_rank r ON r.id = c.id WHERE r.rn % 100 = 7 ON CONFLICT DO NOTHING",
    )
    .await;
    // The state autovacuum reaches on its own after a bulk load (PostgreSQL 13+ vacuums
    // insert-only tables too): statistics plus the visibility map that index-only scans use.
    exec(pool, "VACUUM ANALYZE").await;
    Topped {
        lists: all_lists,
        contacts: count(pool, "SELECT count(*) FROM contact").await,
        memberships: count(pool, "SELECT count(*) FROM list_membership").await,
        events: count(pool, "SELECT count(*) FROM contact_event").await,
        seconds: start.elapsed().as_secs_f64(),
    }
}

async fn exec(pool: &PgPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{e}: {sql}"))
}

/// Contacts up to exactly `rows`, created over the last three years, same attribute keys as
/// the file, 10 % tagged vip.
async fn add_contacts(pool: &PgPool, rows: u64) {
    let have = count(pool, "SELECT count(*) FROM contact").await;
    let missing = (rows as i64 - have).max(0);
    sqlx::query(
        "INSERT INTO contact (email, name, attributes, tags, created_at) \
         SELECT 'topup' || g || '@' || (ARRAY['gmail.com','yahoo.com','outlook.com','example.net'])[1 + g % 4], \
             'Top Up ' || g, \
             jsonb_build_object('plan', (ARRAY['free','free','pro','team'])[1 + (g * 7) % 4], \
                 'country', (ARRAY['US','DE','FR','JP','BR'])[1 + g % 5], 'age', 18 + g % 70, \
                 'vip', g % 10 = 0, 'score', round((g % 1000) / 10.0, 1)), \
             CASE WHEN g % 10 = 0 THEN ARRAY['vip','newsletter'] WHEN g % 2 = 0 THEN ARRAY['newsletter'] \
                 ELSE '{}'::text[] END, \
             now() - make_interval(days => (g % 1095)::int) \
         FROM generate_series(1, $1::bigint) AS g",
    )
    .bind(missing)
    .execute(pool)
    .await
    .expect("add contacts");
}

/// `bench_rank(id, rn)`: every contact numbered 0..n in id order, to pick list members and
/// event targets deterministically.
async fn rank_contacts(pool: &PgPool) {
    exec(pool, "DROP TABLE IF EXISTS bench_rank").await;
    exec(pool, "CREATE UNLOGGED TABLE bench_rank AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM contact")
        .await;
    exec(pool, "CREATE UNIQUE INDEX ON bench_rank (id)").await;
}

/// Puts exactly `size` contacts on the list: those whose rank maps below `size` under a
/// permutation of 0..rows that differs per list. Contacts already on it (the imported ones
/// on the first list) are kept.
async fn add_members(conn: &mut sqlx::PgConnection, list_id: i64, k: i64, size: u64, rows: u64) {
    let multiplier = coprime_multiplier(rows) as i64;
    sqlx::query(
        "INSERT INTO list_membership (list_id, contact_id, status, consent_source) \
         SELECT $1, r.id, CASE WHEN (r.rn + $2) % 100 < 5 THEN 'unsubscribed' \
             WHEN (r.rn + $2) % 100 < 8 THEN 'unconfirmed' ELSE 'subscribed' END, 'bench' \
         FROM bench_rank r WHERE (r.rn * $3 + $2 * 7919) % $4 < $5 \
         ON CONFLICT (list_id, contact_id) DO NOTHING",
    )
    .bind(list_id)
    .bind(k)
    .bind(multiplier)
    .bind(rows as i64)
    .bind(size as i64)
    .execute(conn)
    .await
    .expect("add members");
}

/// A multiplier coprime with `rows`, so `rn * m mod rows` permutes 0..rows.
fn coprime_multiplier(rows: u64) -> u64 {
    let gcd = |mut a: u64, mut b: u64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    (7919..).step_by(2).find(|&m| gcd(m, rows) == 1).unwrap_or(1)
}

/// 20 campaigns sent every three days; each opened by ~4 % and clicked by ~1 % of the
/// contacts; 1 % hard-bounced once.
async fn add_campaigns_and_events(pool: &PgPool) {
    sqlx::query(
        "INSERT INTO campaign (name, sent_at) \
         SELECT 'Campaign ' || n, now() - make_interval(days => (3 * ($1 - n))::int) FROM generate_series(1, $1) AS n",
    )
    .bind(CAMPAIGNS)
    .execute(pool)
    .await
    .expect("add campaigns");
    exec(
        pool,
        "INSERT INTO contact_event (contact_id, kind, campaign_id, at) \
         SELECT r.id, CASE WHEN (r.rn * 31 + c.id * 17) % 100 = 0 THEN 'clicked' ELSE 'opened' END, c.id, \
             c.sent_at + interval '2 hours' \
         FROM bench_rank r CROSS JOIN campaign c WHERE (r.rn * 31 + c.id * 17) % 100 < 5",
    )
    .await;
    exec(
        pool,
        "INSERT INTO contact_event (contact_id, kind, at) \
         SELECT r.id, 'hard_bounced', now() - interval '10 days' FROM bench_rank r WHERE r.rn % 100 = 42",
    )
    .await;
}
