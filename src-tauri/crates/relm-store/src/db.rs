//! Opening the SQLite file: pragmas, forward-only migrations, the write-transaction helper and
//! the projection rebuild.

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::projection;

/// Schema migrations, embedded in the binary. Forward-only: never edit a released one; add.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_ledger.sql")),
        M::up(include_str!("../migrations/0002_replicas.sql")),
        M::up(include_str!("../migrations/0003_release_sorting.sql")),
        M::up(include_str!("../migrations/0004_policy.sql")),
        M::up(include_str!("../migrations/0005_calendar.sql")),
        M::up(include_str!("../migrations/0006_freeze_justifications.sql")),
        M::up(include_str!("../migrations/0007_hostile_remotes.sql")),
        M::up(include_str!("../migrations/0008_declared_frontier.sql")),
        M::up(include_str!("../migrations/0009_forks.sql")),
        M::up(include_str!("../migrations/0010_overrides.sql")),
        M::up(include_str!("../migrations/0011_risks.sql")),
        M::up(include_str!("../migrations/0012_risk_levels.sql")),
        M::up(include_str!("../migrations/0013_deployments.sql")),
        M::up(include_str!("../migrations/0014_reviews.sql")),
        M::up(include_str!("../migrations/0015_metrics.sql")),
        M::up(include_str!("../migrations/0016_connectors.sql")),
        M::up(include_str!("../migrations/0017_outbox.sql")),
        M::up(include_str!("../migrations/0018_connector_windows.sql")),
        M::up(include_str!("../migrations/0019_remote_counts.sql")),
        M::up(include_str!("../migrations/0020_sbom.sql")),
        M::up(include_str!("../migrations/0021_webhooks.sql")),
        M::up(include_str!("../migrations/0022_calendar_feeds.sql")),
        M::up(include_str!("../migrations/0023_release_notes.sql")),
        M::up(include_str!("../migrations/0024_lookups_at_scale.sql")),
        M::up(include_str!("../migrations/0025_calendar_version.sql")),
        M::up(include_str!("../migrations/0026_reviews_by_signing.sql")),
        M::up(include_str!("../migrations/0027_emergencies_in_flight.sql")),
        M::up(include_str!(
            "../migrations/0028_author_heads_moved_by_the_insert.sql"
        )),
        M::up(include_str!(
            "../migrations/0029_judging_deployments_at_scale.sql"
        )),
        M::up(include_str!("../migrations/0030_releases_in_a_period.sql")),
        M::up(include_str!("../migrations/0031_deployments_by_end.sql")),
    ])
}

/// The schema version this binary writes (SQLite `user_version`).
pub const SCHEMA_VERSION: i64 = 31;

/// A store migrated from a schema below this one gets its projections replayed from the
/// ledger: schema 4 reads fields (a release's risk level) that a replica on an older version
/// may have received in events without projecting them; schema 5 projects calendar events an
/// older replica kept without effect; schema 6 the freeze justifications; schema 11 the risk
/// register; schema 12 members' teams and lowered risk levels; schema 13 deployments' times,
/// references and deviations, rollback plans and rollbacks; schema 14 reviews and actions;
/// schema 15 releases' first deployments and the reviews they made mandatory.
const REPLAY_BELOW: i64 = 15;

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) the store at `path`. Refuses a store written by a newer schema
    /// before changing anything in it.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            reason: explain_open_error(&e),
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        Self::prepare(conn, path.to_path_buf()).map_err(|e| match e {
            StoreError::Sqlite(e) => open_err(e),
            other => other,
        })
    }

    /// A throw-away store in memory (tests, the verifier's shadow rebuild).
    pub fn open_in_memory() -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Store> {
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                path,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Applying an event runs a few dozen distinct statements (a deployment alone about
        // twenty): rusqlite's default cache of 16 evicted them, and each was compiled again.
        conn.set_prepared_statement_cache_capacity(256);
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        // 32 MiB of page cache (default 2 MiB): large syncs and rebuilds touch many pages in one
        // transaction; a small cache spills them to the WAL before commit.
        // Statement journals in memory: a statement that may fail after writing (a trigger, a
        // foreign key) keeps a journal of its pages to undo it alone. Kept in a file (the
        // default), the one an event's insert kept (schema 27) was half the cost of recording it.
        // A checkpoint every 32 MiB of WAL (default 4 MiB): a batch of a thousand releases
        // wrote more than 4 MiB, so each commit also copied its pages into the database and
        // synced it twice; now a page rewritten by several batches is copied once.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -32768;
             PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 8192;",
        )?;
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::Sqlite(err),
            other => StoreError::Corrupt(format!("schema migration failed: {other}")),
        })?;
        let mut store = Store { conn, path };
        if found > 0 && found < REPLAY_BELOW {
            let events = store.rebuild()?;
            tracing::info!(
                from = found,
                events,
                "projections replayed after a schema upgrade"
            );
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read access. Reads see a consistent snapshot per statement (WAL); hold a
    /// [`Store::snapshot`] to see one across statements.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Until the guard drops, every read sees the same state of the store: one read transaction
    /// instead of one per statement. Work that reads many rows one query at a time (a verdict
    /// for each release of a page) takes one, both to judge every row against the same state
    /// and because a read transaction per statement costs file locks. Inside another snapshot
    /// it is that one. Writes need `&mut Store`, so none can start while the guard lives.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        Ok(Snapshot(if self.conn.is_autocommit() {
            Some(self.conn.unchecked_transaction()?)
        } else {
            None
        }))
    }

    /// A value that changes whenever the store may have changed since it was last read: a
    /// commit through another connection (SQLite's `data_version`) or a row written through
    /// this one (its total changes, triggers' and rolled-back ones included). A result computed
    /// from the store stays valid while the stamp read before computing it is unchanged. Read it
    /// inside the [`Store::snapshot`] the work runs in, so that both see the same state.
    pub fn stamp(&self) -> Result<Stamp> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?;
        Ok(Stamp(version, self.conn.total_changes()))
    }

    /// Run `f` inside `BEGIN IMMEDIATE … COMMIT`; any error rolls everything back.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Recompute every projection from the events, in ledger order, in one transaction.
    pub fn rebuild(&mut self) -> Result<u64> {
        self.write(|tx| projection::replay(tx))
    }
}

/// What [`Store::stamp`] reads: equal stamps, nothing written in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(i64, u64);

/// A read transaction held open (see [`Store::snapshot`]); it ends, changing nothing, on drop.
#[derive(Debug)]
#[must_use = "the snapshot ends when the guard drops"]
pub struct Snapshot<'a>(#[allow(dead_code)] Option<Transaction<'a>>);

fn explain_open_error(e: &rusqlite::Error) -> String {
    let text = e.to_string();
    if text.contains("readonly") || text.contains("unable to open") {
        format!(
            "{text}; check that the folder exists and is writable, or choose another --data-dir"
        )
    } else if text.contains("not a database") {
        format!("{text}; this file is not a Relm store")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_match_the_declared_version() {
        migrations()
            .validate()
            .expect("embedded migrations must apply cleanly");
        let store = Store::open_in_memory().unwrap();
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            v, SCHEMA_VERSION,
            "SCHEMA_VERSION must follow the last migration"
        );
    }

    /// A snapshot reads one state of the file while another connection writes; a snapshot
    /// inside it is the same one; once it drops, the write is seen and this store writes again.
    #[test]
    fn a_snapshot_reads_one_state_until_it_drops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relm.db");
        let mut store = Store::open(&path).unwrap();
        let count = |s: &Store| -> i64 {
            s.conn()
                .query_row("SELECT count(*) FROM review_requirements", [], |r| r.get(0))
                .unwrap()
        };
        let other = Connection::open(&path).unwrap();
        let insert = |id: &str| {
            other
                .execute_batch(&format!(
                    "PRAGMA foreign_keys = OFF;
                     INSERT INTO review_requirements (release_id, since_ms, reasons)
                     VALUES ('{id}', 0, 'failed')"
                ))
                .unwrap();
        };
        {
            let _outer = store.snapshot().unwrap();
            assert_eq!(count(&store), 0);
            insert("a");
            assert_eq!(count(&store), 0, "the snapshot does not see a later write");
            let _inner = store.snapshot().unwrap();
            assert_eq!(count(&store), 0);
        }
        assert_eq!(count(&store), 1, "after it, the write is seen");
        insert("b");
        assert_eq!(
            count(&store),
            2,
            "without one, each statement reads the latest"
        );
        store
            .write(|tx| {
                tx.execute("DELETE FROM review_requirements", [])
                    .map_err(StoreError::from)
            })
            .unwrap();
        assert_eq!(count(&store), 0);
    }

    /// The stamp stays while only reads happen, and moves on a write through this connection
    /// and on a commit through another one; inside a snapshot it is that of the snapshot's
    /// state.
    #[test]
    fn the_stamp_moves_with_every_write_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relm.db");
        let mut store = Store::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        let insert = |c: &Connection, id: &str| {
            c.execute_batch(&format!(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO review_requirements (release_id, since_ms, reasons)
                 VALUES ('{id}', 0, 'failed')"
            ))
            .unwrap();
        };
        let first = store.stamp().unwrap();
        store
            .conn()
            .query_row("SELECT count(*) FROM review_requirements", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap();
        assert_eq!(store.stamp().unwrap(), first, "a read changes nothing");
        insert(&other, "a");
        let second = store.stamp().unwrap();
        assert_ne!(second, first, "another connection's commit");
        store
            .write(|tx| {
                tx.execute("DELETE FROM review_requirements", [])
                    .map_err(StoreError::from)
            })
            .unwrap();
        let third = store.stamp().unwrap();
        assert_ne!(third, second, "a write through this connection");
        {
            let _snapshot = store.snapshot().unwrap();
            let inside = store.stamp().unwrap();
            insert(&other, "b");
            assert_eq!(
                store.stamp().unwrap(),
                inside,
                "the snapshot's state, not the later commit"
            );
        }
        assert_ne!(
            store.stamp().unwrap(),
            third,
            "after it, the commit is seen"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relm.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(
            err.contains("newer Relm") && err.contains("upgrade"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the refused file must be untouched"
        );
    }

    #[test]
    fn connections_use_wal_foreign_keys_and_a_memory_statement_journal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("relm.db")).unwrap();
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), fk), ("wal", 1));
        let pragma = |name: &str| -> i64 {
            store
                .conn()
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .unwrap()
        };
        // 2 = FULL, 2 = MEMORY.
        assert_eq!(pragma("synchronous"), 2);
        assert_eq!(pragma("temp_store"), 2);
        assert_eq!(pragma("wal_autocheckpoint"), 8192);
    }
}
