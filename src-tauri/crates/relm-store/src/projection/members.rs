//! The `members` projection, and loading it back as the domain's membership state.

use relm_domain::keys::{KeyId, PublicKey};
use relm_domain::membership::{Member, Members};
use relm_domain::payload::{EventBody, MemberInfo};
use relm_domain::role::Role;
use rusqlite::{Connection, params};

use crate::error::{Result, StoreError};

pub(crate) fn apply(conn: &Connection, body: &EventBody, at: i64) -> Result<()> {
    match body {
        EventBody::WorkspaceCreated { founder, .. } => upsert(conn, founder, &Role::ALL, at),
        EventBody::MemberAdded { member, roles } => upsert(conn, member, roles, at),
        EventBody::MemberRolesSet { key_id, roles } => {
            conn.execute(
                "UPDATE members SET roles = ?2, updated_hlc = ?3 WHERE key_id = ?1",
                params![key_id.0, roles_text(roles), at],
            )?;
            Ok(())
        }
        EventBody::MemberTeamSet { key_id, team } => {
            conn.execute(
                "UPDATE members SET team = ?2, updated_hlc = ?3 WHERE key_id = ?1",
                params![key_id.0, team, at],
            )?;
            Ok(())
        }
        EventBody::MemberRemoved { key_id } => {
            conn.execute(
                "UPDATE members SET active = 0, updated_hlc = ?2 WHERE key_id = ?1",
                params![key_id.0, at],
            )?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Record a key introduced to the workspace (whether or not its `member.added` takes effect).
pub(crate) fn introduce(conn: &Connection, m: &MemberInfo) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO known_keys (key_id, public_key) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?
    .execute(params![m.key.key_id().0, m.key.to_string()])?;
    Ok(())
}

/// Every key introduced so far, by key id.
pub fn known_keys(conn: &Connection) -> Result<Vec<(KeyId, PublicKey)>> {
    let mut stmt = conn.prepare("SELECT key_id, public_key FROM known_keys")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, key) = row?;
        out.push((KeyId(id), parse_key(&key)?));
    }
    Ok(out)
}

/// Parse a stored public key. Parsing decompresses a curve point (tens of microseconds), and
/// the governance check reads the author's member row for every event applied, so parsed keys
/// are remembered per thread (a workspace has few members).
fn parse_key(text: &str) -> Result<PublicKey> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static KEYS: RefCell<HashMap<String, PublicKey>> = RefCell::new(HashMap::new());
    }
    if let Some(k) = KEYS.with(|m| m.borrow().get(text).copied()) {
        return Ok(k);
    }
    let key = PublicKey::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    KEYS.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() > 10_000 {
            m.clear();
        }
        m.insert(text.to_string(), key);
    });
    Ok(key)
}

fn upsert(conn: &Connection, m: &MemberInfo, roles: &[Role], at: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO members (key_id, public_key, name, email, roles, active, added_hlc, updated_hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)
         ON CONFLICT (key_id) DO UPDATE SET name = excluded.name, email = excluded.email,
           roles = excluded.roles, active = 1, updated_hlc = excluded.updated_hlc",
        params![m.key.key_id().0, m.key.to_string(), m.name, m.email, roles_text(roles), at],
    )?;
    Ok(())
}

fn roles_text(roles: &[Role]) -> String {
    let mut r: Vec<Role> = roles.to_vec();
    r.sort();
    r.dedup();
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

/// Every member ever added, active or not, ordered by when they joined.
pub fn list(conn: &Connection) -> Result<Vec<Member>> {
    query(conn, None)
}

fn query(conn: &Connection, only: Option<&str>) -> Result<Vec<Member>> {
    // One member by its key, not `?1 IS NULL OR key_id = ?1`, which reads every member:
    // replaying a ledger asks for its author at each event. (Keeping every member in memory by
    // the members' version token instead was no faster.)
    let mut stmt = conn.prepare_cached(match only {
        Some(_) => {
            "SELECT key_id, public_key, name, email, roles, active, team FROM members
             WHERE key_id = ?1"
        }
        // `?1` is NULL here: both forms take the one parameter.
        None => {
            "SELECT key_id, public_key, name, email, roles, active, team FROM members
             WHERE ?1 IS NULL ORDER BY added_hlc, key_id"
        }
    })?;
    let rows = stmt.query_map([only], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (key_id, key, name, email, roles, active, team) = row?;
        let key = parse_key(&key)?;
        let roles = roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<Role>()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<_>>()?;
        out.push(Member {
            key_id: KeyId(key_id),
            key,
            name,
            email,
            roles,
            team,
            active: active != 0,
        });
    }
    Ok(out)
}

/// The membership state as the domain rules see it.
pub fn load(conn: &Connection) -> Result<Members> {
    let mut members = Members::default();
    for m in list(conn)? {
        members.restore(m);
    }
    Ok(members)
}

/// The membership state restricted to one member: enough to judge what that member may emit.
pub fn load_one(conn: &Connection, key_id: &KeyId) -> Result<Members> {
    let mut members = Members::default();
    for m in query(conn, Some(&key_id.0))? {
        members.restore(m);
    }
    Ok(members)
}
