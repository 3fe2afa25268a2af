//! Which sender processes are alive, without heartbeats or timeouts: each process registers a
//! `send_worker` row and holds a PostgreSQL advisory lock on its id over a connection of its
//! own. The server releases that lock the moment the process dies (even on SIGKILL, when the
//! socket closes), so another process — or the same one restarted — re-queues the dead
//! worker's claimed rows at once, and never those of a worker that is merely slow.

use sqlx::postgres::PgConnection;
use sqlx::{Connection, PgPool};

use super::Result;

/// First key of the workers' advisory locks ("BM").
const LOCK_CLASS: i32 = 0x424d;

/// This process's registration; the lock lives as long as `conn`.
pub struct SendWorker {
    pub id: i32,
    conn: PgConnection,
}

impl std::fmt::Debug for SendWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendWorker").field("id", &self.id).finish()
    }
}

impl SendWorker {
    /// Registers this process over a dedicated connection to `url`-like `pool` options. The
    /// row becomes visible to others only when the lock is already held (same transaction),
    /// so no one can mistake a starting worker for a dead one.
    pub async fn register(pool: &PgPool) -> Result<Self> {
        let options = pool.connect_options();
        let mut conn = PgConnection::connect_with(&options).await?;
        let mut tx = conn.begin().await?;
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        let id: i32 = sqlx::query_scalar("INSERT INTO send_worker (host, pid) VALUES ($1, $2) RETURNING id")
            .bind(host)
            .bind(i32::try_from(std::process::id()).unwrap_or(0))
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("SELECT pg_advisory_lock($1, $2)").bind(LOCK_CLASS).bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Self { id, conn })
    }

    /// Whether the lock connection is still up; a worker that lost it must stop claiming
    /// (others may already have re-queued its rows) and register again.
    pub async fn is_alive(&mut self) -> bool {
        sqlx::query("SELECT 1").execute(&mut self.conn).await.is_ok()
    }

    /// Unregisters cleanly (a crash does the same through the closed connection).
    pub async fn retire(mut self, pool: &PgPool) -> Result<()> {
        reclaim_from(pool, Some(self.id)).await?;
        sqlx::query("DELETE FROM send_worker WHERE id = $1").bind(self.id).execute(pool).await?;
        sqlx::query("SELECT pg_advisory_unlock_all()").execute(&mut self.conn).await?;
        self.conn.close().await?;
        Ok(())
    }
}

/// Re-queues the rows held by workers whose lock is gone (dead processes) and forgets those
/// workers; returns how many rows went back to the queue. Only this database's locks count:
/// advisory locks are per database, and worker ids of other databases on the same server
/// (another install, or parallel tests) would otherwise look alive.
pub async fn reclaim_dead(pool: &PgPool) -> Result<u64> {
    reclaim_from(pool, None).await
}

/// `only`: re-queue that (retiring, live) worker's rows instead of the dead ones'.
async fn reclaim_from(pool: &PgPool, only: Option<i32>) -> Result<u64> {
    let done = sqlx::query(
        "WITH dead AS ( \
             DELETE FROM send_worker w \
             WHERE ($2::int IS NULL AND NOT EXISTS ( \
                       SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = $1::oid \
                       AND l.objid = w.id::oid AND l.objsubid = 2 AND l.granted \
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))) \
                OR w.id = $2 \
             RETURNING id) \
         UPDATE delivery SET state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END, \
             attempts = greatest(attempts - 1, 0), worker_id = NULL, updated_at = now() \
         WHERE state = 'sending' AND (worker_id IN (SELECT id FROM dead) \
             OR ($2::int IS NULL AND NOT EXISTS (SELECT 1 FROM send_worker w WHERE w.id = delivery.worker_id)))",
    )
    .bind(LOCK_CLASS)
    .bind(only)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
