//! Rows taken out of this replica's own settings (remotes, connections, webhooks, calendar
//! subscriptions: tables no event writes, that nothing signs or shares), kept so that their
//! removal can be undone exactly as it was: cursors, outbox entries and sync records included.
//!
//! Only the code names tables and columns here; the values are bound parameters.

use crate::error::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The rows of one table taken for one key.
#[derive(Debug, Clone, PartialEq)]
struct Rows {
    table: &'static str,
    columns: Vec<String>,
    values: Vec<Vec<Value>>,
}

/// Rows taken from several tables, in the order they were taken: a table's parent rows first,
/// so that putting them back in the same order meets every foreign key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taken {
    tables: Vec<Rows>,
}

/// Why rows could not be put back.
#[derive(Debug)]
pub enum PutBack {
    /// A row with the same key is there again (`table`): something of the same name was added
    /// since the removal.
    Clash(&'static str),
    /// Any other failure of the database.
    Store(crate::StoreError),
}

impl From<rusqlite::Error> for PutBack {
    fn from(e: rusqlite::Error) -> Self {
        PutBack::Store(e.into())
    }
}

impl Taken {
    /// Keep the rows of `table` whose `column` equals `key`, before they are deleted.
    pub fn keep(
        &mut self,
        conn: &Connection,
        table: &'static str,
        column: &'static str,
        key: &str,
    ) -> Result<()> {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} WHERE {column} = ?1"))?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let values = stmt
            .query_map([key], |row| {
                (0..columns.len())
                    .map(|i| row.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.tables.push(Rows {
            table,
            columns,
            values,
        });
        Ok(())
    }

    /// How many rows are kept, over all tables.
    pub fn len(&self) -> usize {
        self.tables.iter().map(|t| t.values.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Insert every kept row again, in the order taken. Run it in a transaction: on a clash the
    /// caller's rollback leaves the tables as they were.
    pub fn put_back(&self, conn: &Connection) -> Result<(), PutBack> {
        for t in &self.tables {
            if t.values.is_empty() {
                continue;
            }
            let marks = vec!["?"; t.columns.len()].join(", ");
            let names = t
                .columns
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(", ");
            let mut stmt = conn.prepare(&format!(
                "INSERT INTO {} ({names}) VALUES ({marks})",
                t.table
            ))?;
            for row in &t.values {
                match stmt.execute(rusqlite::params_from_iter(row.iter())) {
                    Ok(_) => {}
                    Err(rusqlite::Error::SqliteFailure(e, _))
                        if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        return Err(PutBack::Clash(t.table));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE parent (name TEXT PRIMARY KEY, n INTEGER, b BLOB, r REAL, z TEXT) STRICT;
             CREATE TABLE child (parent TEXT NOT NULL REFERENCES parent (name) ON DELETE CASCADE,
                                 k TEXT NOT NULL, PRIMARY KEY (parent, k)) STRICT, WITHOUT ROWID;
             INSERT INTO parent VALUES ('a', 1, x'00ff', 1.5, NULL), ('b', 2, NULL, NULL, 'x');
             INSERT INTO child VALUES ('a', 'one'), ('a', 'two'), ('b', 'three');",
        )
        .unwrap();
        conn
    }

    fn dump(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        for q in [
            "SELECT name, n, quote(b), r, z FROM parent ORDER BY name",
            "SELECT parent, k, '', '', '' FROM child ORDER BY parent, k",
        ] {
            let mut stmt = conn.prepare(q).unwrap();
            let rows = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "{:?} {:?} {:?} {:?} {:?}",
                        r.get::<_, Value>(0)?,
                        r.get::<_, Value>(1)?,
                        r.get::<_, Value>(2)?,
                        r.get::<_, Value>(3)?,
                        r.get::<_, Value>(4)?
                    ))
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out
    }

    #[test]
    fn rows_taken_and_deleted_come_back_as_they_were() {
        let conn = db();
        let before = dump(&conn);
        let mut taken = Taken::default();
        taken.keep(&conn, "parent", "name", "a").unwrap();
        taken.keep(&conn, "child", "parent", "a").unwrap();
        assert_eq!(taken.len(), 3);
        conn.execute("DELETE FROM parent WHERE name = 'a'", [])
            .unwrap();
        assert_ne!(dump(&conn), before);
        taken.put_back(&conn).unwrap();
        assert_eq!(dump(&conn), before);
    }

    #[test]
    fn a_name_used_again_is_a_clash_and_nothing_is_half_put_back() {
        let mut conn = db();
        let mut taken = Taken::default();
        taken.keep(&conn, "parent", "name", "a").unwrap();
        taken.keep(&conn, "child", "parent", "b").unwrap();
        conn.execute("DELETE FROM parent WHERE name = 'a'", [])
            .unwrap();
        // `b`'s child is still there: putting it back clashes after `a` went in.
        let before = dump(&conn);
        let tx = conn.transaction().unwrap();
        match taken.put_back(&tx) {
            Err(PutBack::Clash(table)) => assert_eq!(table, "child"),
            other => panic!("expected a clash, got {other:?}"),
        }
        drop(tx);
        assert_eq!(dump(&conn), before);
    }

    #[test]
    fn nothing_kept_for_an_unknown_key() {
        let conn = db();
        let mut taken = Taken::default();
        taken.keep(&conn, "parent", "name", "nobody").unwrap();
        assert!(taken.is_empty());
        taken.put_back(&conn).unwrap();
    }
}
