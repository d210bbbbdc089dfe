//! Pull and push between a replica's store and one remote.
//!
//! Remote layout:
//!
//! ```text
//! replicas/<replica id>/<n, 8 digits>.relmseg   segments written by that replica only
//! requests/<key id>.json                          a newcomer's signed join request
//! ```
//!
//! A sync lists the remote, reads only the files it has not read before (or that changed),
//! verifies and applies their events in one transaction ([`relm_store::ingest`]), then writes
//! one or more new segments with the events the remote lacks. What the remote has is derived
//! from the segments present (their headers name each author's sequence range), so a remote
//! that lost files is simply refilled.

use ed25519_dalek::{Signature, SigningKey};
use relm_domain::canonical::to_canonical_bytes;
use relm_domain::ids::WorkspaceId;
use relm_domain::keys::{self, PublicKey};
use relm_store::ingest::{self, Incoming, IngestReport, Rejected};
use relm_store::rusqlite::{OptionalExtension, params};
use relm_store::{Connection, Store, StoreError, local};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

use crate::segment::{self, Header, Parsed};
use crate::transport::{Transport, TransportError};

/// Events per segment file: large enough to keep file counts low for file-sync tools, small
/// enough that a file copies in seconds.
pub const SEGMENT_EVENTS: usize = 10_000;
const REPLICA_ID: &str = "replica_id";

#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Remote(String),
}

impl From<relm_store::rusqlite::Error> for SyncError {
    fn from(e: relm_store::rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// A remote file that was not taken in, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileNote {
    pub file: String,
    pub reason: String,
}

/// A newcomer's request to be added, as found on a remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinRequest {
    pub format: String,
    pub workspace: String,
    pub public_key: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignedRequest {
    #[serde(flatten)]
    request: JoinRequest,
    signature: String,
}

pub const REQUEST_FORMAT: &str = "relm-join-request/1";

/// What one sync with one remote did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub remote: String,
    pub location: String,
    pub files_read: usize,
    pub pulled: IngestReport,
    /// Events written to the remote.
    pub pushed: usize,
    pub pushed_files: Vec<String>,
    /// Files still being copied; read again next time.
    pub incomplete: Vec<String>,
    /// Files not taken in (not Relm's, another workspace, unreadable).
    pub ignored: Vec<FileNote>,
    /// Segment files changed after they were written (their events were checked one by one).
    pub altered: Vec<String>,
    /// Lines of remote files that are not events, quarantined.
    pub garbled: Vec<Rejected>,
    /// Join requests seen for the first time.
    pub join_requests: Vec<JoinRequest>,
}

/// This replica's id, created on first use. It names the replica's folder on every remote.
pub fn replica_id(store: &mut Store) -> Result<String> {
    if let Some(id) = local::get(store.conn(), REPLICA_ID)? {
        return Ok(id);
    }
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| SyncError::Remote(format!("no randomness: {e}")))?;
    let id = hex::encode(rnd);
    store.write(|tx| local::set(tx, REPLICA_ID, &id))?;
    Ok(id)
}

fn own_dir(replica: &str) -> String {
    format!("replicas/{replica}")
}

fn is_segment(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    matches!(parts.as_slice(), ["replicas", r, f]
        if !r.is_empty() && f.len() == 16 && f.ends_with(".relmseg") && f[..8].bytes().all(|b| b.is_ascii_digit()))
}

fn is_request(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    matches!(parts.as_slice(), ["requests", f] if f.ends_with(".json"))
}

/// Read what is new on the remote, verify it and apply it. Used by [`sync`] and by joining.
/// `workspace` is the replica's workspace (None when joining: the remote's genesis decides).
pub fn pull(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    workspace: Option<&WorkspaceId>,
    now: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let listing = transport.list()?;
    let known: HashMap<String, (i64, i64, String)> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT file, size, modified, state FROM remote_files WHERE remote = ?1")?;
        stmt.query_map([remote], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?
        .collect::<relm_store::rusqlite::Result<_>>()?
    };
    let mut incoming = Vec::new();
    let mut files: Vec<FileRecord> = Vec::new();
    let mut garbled = Vec::new();
    let mut requests = Vec::new();
    let mut workspaces = std::collections::BTreeSet::new();
    for f in &listing {
        let unchanged = known.get(&f.name).is_some_and(|(size, modified, state)| {
            *size == f.size as i64 && *modified == f.modified && state != "incomplete"
        });
        if unchanged {
            continue;
        }
        let record = |state: &'static str, note: Option<String>, ranges| FileRecord {
            name: f.name.clone(),
            size: f.size as i64,
            modified: f.modified,
            state,
            note,
            ranges,
        };
        let mut ignore = |reason: String| {
            report.ignored.push(FileNote {
                file: f.name.clone(),
                reason: reason.clone(),
            });
            record("ignored", Some(reason), Vec::new())
        };
        if !is_request(&f.name) && !is_segment(&f.name) {
            files.push(ignore("not a Relm file; left alone".into()));
            continue;
        }
        let bytes = transport.read(&f.name)?;
        report.files_read += 1;
        if is_request(&f.name) {
            files.push(match read_request(&bytes, workspace) {
                Ok(r) => {
                    requests.push(r);
                    record("read", None, Vec::new())
                }
                Err(reason) => ignore(reason),
            });
            continue;
        }
        files.push(match segment::parse(&bytes) {
            Parsed::Incomplete => {
                report.incomplete.push(f.name.clone());
                record("incomplete", None, Vec::new())
            }
            Parsed::Foreign(reason) => ignore(reason),
            Parsed::Complete { header, .. }
                if workspace.is_some_and(|ws| header.workspace != ws.0) =>
            {
                ignore(format!(
                    "belongs to workspace {}, not this one; nothing taken from it",
                    header.workspace
                ))
            }
            Parsed::Complete {
                header,
                events,
                bad_lines,
                altered,
            } => {
                workspaces.insert(header.workspace.clone());
                if altered {
                    report.altered.push(f.name.clone());
                }
                let source = |n: usize| format!("{remote}:{}:{n}", f.name);
                for (line, why) in bad_lines {
                    garbled.push((line.body, why, source(line.number)));
                }
                incoming.extend(events.into_iter().map(|l| Incoming {
                    source: source(l.number),
                    body: l.body,
                    sig: l.sig,
                }));
                // An altered file does not vouch for what the remote has: replicas holding
                // the genuine events push them again.
                let ranges = if altered { Vec::new() } else { header.ranges };
                record(
                    "read",
                    altered.then(|| "changed after it was written".into()),
                    ranges,
                )
            }
        });
    }
    if workspace.is_none() && workspaces.len() > 1 {
        return Err(SyncError::Remote(format!(
            "the remote {} holds events of {} different workspaces; point to a folder that holds one",
            transport.describe(),
            workspaces.len()
        )));
    }
    let present: std::collections::HashSet<&str> =
        listing.iter().map(|f| f.name.as_str()).collect();
    store.write(|tx| -> Result<()> {
        report.pulled = ingest::ingest(tx, incoming, now)?;
        for (raw, why, source) in garbled {
            if let Some(r) = ingest::quarantine_raw(tx, &raw, &why, &source, now)? {
                report.garbled.push(r);
            }
        }
        for name in known.keys().filter(|k| !present.contains(k.as_str())) {
            tx.execute(
                "DELETE FROM remote_files WHERE remote = ?1 AND file = ?2",
                params![remote, name],
            )?;
        }
        for f in &files {
            record_file(tx, remote, f)?;
        }
        for r in &requests {
            if store_request(tx, remote, r, now)? {
                report.join_requests.push(r.clone());
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// What this replica knows of one remote file.
struct FileRecord {
    name: String,
    size: i64,
    modified: i64,
    /// `read`, `own` (written by this replica), `incomplete` or `ignored`.
    state: &'static str,
    note: Option<String>,
    ranges: Vec<(String, u64, u64)>,
}

fn record_file(tx: &Connection, remote: &str, f: &FileRecord) -> Result<()> {
    let FileRecord {
        name,
        size,
        modified,
        state,
        note,
        ranges,
    } = f;
    tx.execute(
        "INSERT INTO remote_files (remote, file, size, modified, state, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (remote, file) DO UPDATE SET size = excluded.size, modified = excluded.modified,
           state = excluded.state, note = excluded.note",
        params![remote, name, size, modified, state, note],
    )?;
    tx.execute(
        "DELETE FROM remote_ranges WHERE remote = ?1 AND file = ?2",
        params![remote, name],
    )?;
    for (author, first, last) in ranges {
        tx.execute(
            "INSERT OR REPLACE INTO remote_ranges (remote, file, author, first_seq, last_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![remote, name, author, *first as i64, *last as i64],
        )?;
    }
    Ok(())
}

fn read_request(bytes: &[u8], workspace: Option<&WorkspaceId>) -> Result<JoinRequest, String> {
    let signed: SignedRequest =
        serde_json::from_slice(bytes).map_err(|e| format!("join request does not parse: {e}"))?;
    let r = signed.request;
    if r.format != REQUEST_FORMAT {
        return Err(format!(
            "join request format `{}` is not understood",
            r.format
        ));
    }
    if let Some(ws) = workspace
        && r.workspace != ws.0
    {
        return Err(format!(
            "join request for another workspace ({})",
            r.workspace
        ));
    }
    let key = PublicKey::parse(&r.public_key).map_err(|e| e.to_string())?;
    let sig = base64_sig(&signed.signature)?;
    if !keys::verify_request(&key, &to_canonical_bytes(&r), &sig) {
        return Err("join request signature does not match its key".into());
    }
    Ok(r)
}

fn base64_sig(text: &str) -> Result<Signature, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| format!("signature is not base64url: {e}"))?;
    let arr: [u8; 64] = bytes
        .try_into()
        .map_err(|_| "signature is not 64 bytes".to_string())?;
    Ok(Signature::from_bytes(&arr))
}

/// Sign a join request with the newcomer's key: the file a newcomer leaves on the remote.
pub fn signed_request(r: &JoinRequest, key: &SigningKey) -> Vec<u8> {
    use base64::Engine;
    let sig = keys::sign_request(key, &to_canonical_bytes(r));
    let signed = SignedRequest {
        request: r.clone(),
        signature: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig.to_bytes()),
    };
    serde_json::to_vec_pretty(&signed).unwrap_or_default()
}

pub fn request_file(key_id: &str) -> String {
    format!("requests/{key_id}.json")
}

/// Returns whether the request is new.
fn store_request(tx: &Connection, remote: &str, r: &JoinRequest, now: &str) -> Result<bool> {
    let key = PublicKey::parse(&r.public_key).map_err(|e| SyncError::Remote(e.to_string()))?;
    let id = key.key_id();
    // A newcomer's own request, read back from the remote, is not news to them.
    if local::get(tx, local::IDENTITY_KEY_ID)?.as_deref() == Some(id.0.as_str()) {
        return Ok(false);
    }
    let member: Option<i64> = tx
        .query_row("SELECT 1 FROM members WHERE key_id = ?1", [&id.0], |r| {
            r.get(0)
        })
        .optional()?;
    if member.is_some() {
        return Ok(false);
    }
    let n = tx.execute(
        "INSERT INTO join_requests (key_id, public_key, name, email, remote, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (key_id) DO NOTHING",
        params![id.0, r.public_key, r.name, r.email, remote, now],
    )?;
    Ok(n == 1)
}

/// Write the events the remote lacks as new segments under this replica's folder.
pub fn push(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    replica: &str,
    workspace: &WorkspaceId,
    report: &mut SyncReport,
) -> Result<()> {
    let missing = missing_on_remote(store.conn(), remote)?;
    if missing.is_empty() {
        return Ok(());
    }
    let dir = own_dir(replica);
    transport.clean_temporaries(&dir)?;
    let mut next = transport
        .list()?
        .iter()
        .filter(|f| f.name.starts_with(&format!("{dir}/")) && is_segment(&f.name))
        .filter_map(|f| f.name[dir.len() + 1..dir.len() + 9].parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let mut events = Vec::new();
    {
        let conn = store.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT hlc, author, seq, body, sig FROM events WHERE author = ?1 AND seq > ?2",
        )?;
        for (author, after) in &missing {
            let rows = stmt.query_map(params![author, *after as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                ))
            })?;
            for row in rows {
                events.push(row?);
            }
        }
    }
    events.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    for chunk in events.chunks(SEGMENT_EVENTS) {
        let mut ranges: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for (_, author, seq, _, _) in chunk {
            let seq = *seq as u64;
            ranges
                .entry(author.as_str())
                .and_modify(|r| {
                    r.0 = r.0.min(seq);
                    r.1 = r.1.max(seq);
                })
                .or_insert((seq, seq));
        }
        let header = Header {
            count: chunk.len(),
            ranges: ranges
                .iter()
                .map(|(a, (f, l))| ((*a).to_string(), *f, *l))
                .collect(),
            replica: replica.to_string(),
            workspace: workspace.0.clone(),
        };
        let lines: Vec<(&[u8], &[u8])> = chunk
            .iter()
            .map(|(_, _, _, body, sig)| (body.as_slice(), sig.as_slice()))
            .collect();
        let bytes = segment::encode(&header, &lines);
        let name = format!("{dir}/{next:08}.relmseg");
        let listed = transport.create(&name, &bytes)?;
        let record = FileRecord {
            name: name.clone(),
            size: listed.size as i64,
            modified: listed.modified,
            state: "own",
            note: None,
            ranges: header.ranges.clone(),
        };
        store.write(|tx| record_file(tx, remote, &record))?;
        report.pushed += chunk.len();
        report.pushed_files.push(name);
        next += 1;
    }
    Ok(())
}

/// For each author, the last sequence number the remote has, where this replica has more.
pub fn missing_on_remote(conn: &Connection, remote: &str) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.author, coalesce(r.last, 0) FROM author_heads h
         LEFT JOIN (SELECT author, max(last_seq) AS last FROM remote_ranges WHERE remote = ?1 GROUP BY author) r
           ON r.author = h.author
         WHERE h.seq > coalesce(r.last, 0) ORDER BY h.author",
    )?;
    let rows = stmt.query_map([remote], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<relm_store::rusqlite::Result<_>>()?)
}

/// Number of events this replica has that the remote lacks.
pub fn pending_push(conn: &Connection, remote: &str) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(sum(h.seq - coalesce(r.last, 0)), 0) FROM author_heads h
         LEFT JOIN (SELECT author, max(last_seq) AS last FROM remote_ranges WHERE remote = ?1 GROUP BY author) r
           ON r.author = h.author
         WHERE h.seq > coalesce(r.last, 0)",
        [remote],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Pull then push, with one remote.
pub fn sync(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    workspace: &WorkspaceId,
    now: &str,
) -> Result<SyncReport> {
    let replica = replica_id(store)?;
    let mut report = SyncReport {
        remote: remote.to_string(),
        location: transport.describe(),
        ..Default::default()
    };
    pull(store, remote, transport, Some(workspace), now, &mut report)?;
    push(store, remote, transport, &replica, workspace, &mut report)?;
    Ok(report)
}
