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

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, SigningKey};
use relm_domain::canonical::to_canonical_bytes;
use relm_domain::ids::WorkspaceId;
use relm_domain::keys::KeyId;
use relm_domain::keys::{self, PublicKey};
use relm_domain::text::{shown, truncated};
use relm_domain::{Reason, ReasonCode};
use relm_store::ingest::{self, Incoming, IngestReport, Receipt, Rejected, Seen};
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
    /// The remote's content cannot be synced with (several workspaces in one folder).
    #[error("{0}")]
    Remote(Reason),
    /// This computer failed Relm (no randomness, a request that passed its check and then
    /// did not parse).
    #[error("{0}")]
    Internal(String),
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
    /// This replica's small segments packed into one during this sync (their events are in
    /// the new one; the old files are gone from the remote).
    pub packed: Vec<String>,
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
    /// Segments whose header claims events the file does not carry: security findings.
    pub lying: Vec<FileNote>,
    /// Set when this replica's own folder on the remote was unusable (a link, a file) and it
    /// moved to a new one.
    pub moved_to: Option<String>,
    /// The remote's clock as it stamped a probe file during this sync (milliseconds).
    #[serde(skip)]
    pub remote_clock_ms: Option<i64>,
}

/// This replica's id, created on first use. It names the replica's folder on every remote.
pub fn replica_id(store: &mut Store) -> Result<String> {
    if let Some(id) = local::get(store.conn(), REPLICA_ID)? {
        return Ok(id);
    }
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| SyncError::Internal(format!("no randomness: {e}")))?;
    let id = hex::encode(rnd);
    store.write(|tx| local::set(tx, REPLICA_ID, &id))?;
    Ok(id)
}

/// The folder of a remote that holds each replica's own folder: every sync writes in it.
pub const REPLICAS: &str = "replicas";

fn own_dir(replica: &str) -> String {
    format!("{REPLICAS}/{replica}")
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

/// Bytes of remote files read before their events are verified and applied: a remote holding
/// more is taken in several transactions, so memory stays bounded whatever the remote holds.
const PULL_BATCH_BYTES: u64 = 256 << 20;
/// Largest join request read.
const MAX_REQUEST: u64 = 64 << 10;

/// Files read and not yet applied.
#[derive(Default)]
struct Batch {
    incoming: Vec<Incoming>,
    /// Lines that are not events, why, and where.
    garbled: Vec<(segment::Line, String, String)>,
    files: Vec<FileRead>,
    requests: Vec<JoinRequest>,
    bytes: u64,
}

/// One file read: what to record of it, and for a segment its header and where its events
/// are in the batch.
struct FileRead {
    record: FileRecord,
    segment: Option<(Header, std::ops::Range<usize>, bool)>,
}

/// Read what is new on the remote, verify it and apply it. Used by [`sync`] and by joining.
/// `workspace` is the replica's workspace (None when joining: the remote's genesis decides).
pub fn pull(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    workspace: Option<&WorkspaceId>,
    now: DateTime<Utc>,
    report: &mut SyncReport,
) -> Result<()> {
    let listing = transport.list()?;
    let known: HashMap<String, (i64, i64, String, i64)> = {
        let mut stmt = store.conn().prepare(
            "SELECT file, size, modified, state, keys_seen FROM remote_files WHERE remote = ?1",
        )?;
        stmt.query_map([remote], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        })?
        .collect::<relm_store::rusqlite::Result<_>>()?
    };
    let keys_now = ingest::known_key_count(store.conn())?;
    let at = Receipt {
        now,
        max_ahead_ms: workspace
            .is_none()
            .then_some(i64::from(relm_domain::limits::MAX_CLOCK_OFFSET_MINUTES) * 60_000),
    };
    let mut batch = Batch::default();
    for f in &listing {
        let unchanged = known
            .get(&f.name)
            .is_some_and(|(size, modified, state, keys)| {
                *size == f.size as i64
                    && *modified == f.modified
                    && state != "incomplete"
                    && !(state == "capped" && *keys != keys_now)
            });
        if unchanged {
            continue;
        }
        let record = |state: &'static str, note: Option<String>| FileRecord {
            name: f.name.clone(),
            size: f.size as i64,
            modified: f.modified,
            state,
            note,
            ranges: Vec::new(),
        };
        let mut ignore = |reason: String| {
            report.ignored.push(FileNote {
                file: f.name.clone(),
                reason: reason.clone(),
            });
            FileRead {
                record: record("ignored", Some(reason)),
                segment: None,
            }
        };
        if let Some(why) = &f.unusable {
            batch.files.push(ignore(format!("{why}; left alone")));
            continue;
        }
        if is_request(&f.name) {
            let read = match transport.read(&f.name, MAX_REQUEST) {
                Ok(bytes) => read_request(&bytes, workspace),
                Err(TransportError::Refused(m)) => Err(m.message),
                Err(e) => return Err(e.into()),
            };
            batch.files.push(match read {
                Ok(r) => {
                    batch.requests.push(r);
                    FileRead {
                        record: record("read", None),
                        segment: None,
                    }
                }
                Err(reason) => ignore(reason),
            });
            continue;
        }
        if !is_segment(&f.name) {
            batch
                .files
                .push(ignore("not a Relm file; left alone".into()));
            continue;
        }
        report.files_read += 1;
        let parsed = match transport.open(&f.name, segment::MAX_FILE) {
            Ok(reader) => segment::read(reader)
                .unwrap_or_else(|e| Parsed::Foreign(format!("cannot be read: {e}"))),
            Err(TransportError::Refused(m)) => Parsed::Foreign(m.message),
            Err(e) => return Err(e.into()),
        };
        batch.bytes += f.size;
        let file = match parsed {
            Parsed::Incomplete => {
                report.incomplete.push(f.name.clone());
                FileRead {
                    record: record("incomplete", None),
                    segment: None,
                }
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
                if altered {
                    report.altered.push(f.name.clone());
                }
                let source = |n: usize| format!("{remote}:{}:{n}", f.name);
                for (line, why) in bad_lines {
                    let at = source(line.number);
                    batch.garbled.push((line, why, at));
                }
                let first = batch.incoming.len();
                batch.incoming.extend(events.into_iter().map(|l| Incoming {
                    source: source(l.number),
                    body: l.body,
                    sig: l.sig,
                }));
                let events = first..batch.incoming.len();
                FileRead {
                    record: record(
                        "read",
                        altered.then(|| "changed after it was written".into()),
                    ),
                    segment: Some((header, events, altered)),
                }
            }
        };
        batch.files.push(file);
        if batch.bytes >= PULL_BATCH_BYTES {
            apply(
                store,
                remote,
                transport,
                workspace,
                at,
                std::mem::take(&mut batch),
                report,
            )?;
        }
    }
    apply(store, remote, transport, workspace, at, batch, report)?;
    let present: std::collections::HashSet<&str> =
        listing.iter().map(|f| f.name.as_str()).collect();
    let gone: Vec<&String> = known
        .keys()
        .filter(|k| !present.contains(k.as_str()))
        .collect();
    // A sync that finds nothing gone commits nothing here (no write, no fsync).
    if !gone.is_empty() {
        store.write(|tx| -> Result<()> {
            for name in gone {
                tx.execute(
                    "DELETE FROM remote_files WHERE remote = ?1 AND file = ?2",
                    params![remote, name],
                )?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Verify and apply a batch of files in one transaction, and record what each file holds.
fn apply(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    workspace: Option<&WorkspaceId>,
    at: Receipt,
    batch: Batch,
    report: &mut SyncReport,
) -> Result<()> {
    if batch.files.is_empty() {
        return Ok(());
    }
    if workspace.is_none() {
        let workspaces: std::collections::BTreeSet<&str> = batch
            .files
            .iter()
            .filter_map(|f| f.segment.as_ref().map(|s| s.0.workspace.as_str()))
            .collect();
        if workspaces.len() > 1 {
            let remote = transport.describe();
            return Err(SyncError::Remote(
                Reason::new(
                    ReasonCode::SeveralWorkspaces,
                    format!(
                        "the remote {remote} holds events of {} different workspaces; point to a folder that holds one",
                        workspaces.len()
                    ),
                )
                .with("remote", remote)
                .with("count", workspaces.len()),
            ));
        }
    }
    let seen_at = relm_domain::window::fmt_utc(at.now);
    store.write(|tx| -> Result<()> {
        let pulled = ingest::ingest(tx, batch.incoming, at)?;
        for (line, why, source) in batch.garbled {
            let q = ingest::quarantine_raw(tx, &line.body, line.whole, &why, &source, &seen_at)?;
            if let Some(r) = q {
                report.garbled.push(r);
            }
        }
        let keys = ingest::known_key_count(tx)?;
        for mut f in batch.files {
            if let Some((header, events, altered)) = &f.segment {
                let seen = &pulled.seen[events.clone()];
                f.record.ranges = held_runs(seen);
                if !altered && let Some(lie) = header_lie(header, seen) {
                    report.lying.push(FileNote {
                        file: f.record.name.clone(),
                        reason: lie.clone(),
                    });
                    f.record.state = "lying";
                    f.record.note = Some(lie);
                }
                if pulled
                    .capped
                    .contains(&format!("{remote}:{}", f.record.name))
                {
                    f.record.state = "capped";
                }
            }
            record_file(tx, remote, &f.record, keys)?;
        }
        for r in &batch.requests {
            if store_request(tx, remote, r, &seen_at)? {
                report.join_requests.push(r.clone());
            }
        }
        report.pulled.absorb(pulled);
        Ok(())
    })
}

/// Runs of consecutive sequence numbers, per author, of the events of a file that are in the
/// ledger as they are: what the remote provably holds.
fn held_runs(seen: &[Option<Seen>]) -> Vec<(String, u64, u64)> {
    let mut by_author: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for s in seen.iter().flatten().filter(|s| s.in_ledger) {
        by_author.entry(&s.author).or_default().push(s.seq);
    }
    let mut out = Vec::new();
    for (author, mut seqs) in by_author {
        seqs.sort_unstable();
        seqs.dedup();
        let mut run: Option<(u64, u64)> = None;
        for q in seqs {
            run = match run {
                Some((a, b)) if q == b + 1 => Some((a, q)),
                Some((a, b)) => {
                    out.push((author.to_string(), a, b));
                    Some((q, q))
                }
                None => Some((q, q)),
            };
        }
        if let Some((a, b)) = run {
            out.push((author.to_string(), a, b));
        }
    }
    out
}

/// How a segment's header disagrees with the events it carries, if it does. A header is a
/// hint written by whoever wrote the file; it is never believed.
fn header_lie(header: &Header, seen: &[Option<Seen>]) -> Option<String> {
    let mut actual: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for s in seen.iter().flatten() {
        let e = actual.entry(&s.author).or_insert((s.seq, s.seq));
        e.0 = e.0.min(s.seq);
        e.1 = e.1.max(s.seq);
    }
    let mut claimed: Vec<(&str, u64, u64)> = header
        .ranges
        .iter()
        .map(|(a, f, l)| (a.as_str(), *f, *l))
        .collect();
    claimed.sort();
    let actual: Vec<(&str, u64, u64)> = actual.into_iter().map(|(a, (f, l))| (a, f, l)).collect();
    if claimed == actual && header.count == seen.len() {
        return None;
    }
    let show = |r: &[(&str, u64, u64)]| {
        if r.is_empty() {
            return "no events".to_string();
        }
        r.iter()
            .map(|(a, f, l)| format!("{} #{f}-{l}", KeyId(a.to_string()).fingerprint()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "security finding: the header claims {} event(s) ({}) but the file carries {} ({}); only the events in it were taken, and the header is not believed",
        header.count,
        show(&claimed),
        seen.len(),
        show(&actual)
    ))
}

/// What this replica knows of one remote file.
struct FileRecord {
    name: String,
    size: i64,
    modified: i64,
    /// `read`, `own` (written by this replica), `incomplete`, `ignored`, `lying` (its header
    /// disagrees with its events) or `capped` (waiting events over the cap were not kept).
    state: &'static str,
    note: Option<String>,
    ranges: Vec<(String, u64, u64)>,
}

fn record_file(tx: &Connection, remote: &str, f: &FileRecord, keys_seen: i64) -> Result<()> {
    let FileRecord {
        name,
        size,
        modified,
        state,
        note,
        ranges,
    } = f;
    tx.execute(
        "INSERT INTO remote_files (remote, file, size, modified, state, note, keys_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (remote, file) DO UPDATE SET size = excluded.size, modified = excluded.modified,
           state = excluded.state, note = excluded.note, keys_seen = excluded.keys_seen",
        params![remote, name, size, modified, state, note, keys_seen],
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
            shown(&truncated(&r.format, 40))
        ));
    }
    if let Some(ws) = workspace
        && r.workspace != ws.0
    {
        return Err(format!(
            "join request for another workspace ({})",
            shown(&truncated(&r.workspace, 60))
        ));
    }
    // The newcomer signs their own name: it may say anything, including a forged line of the
    // admin's output. Refused here as everywhere else.
    relm_domain::membership::check_person(&r.name, &r.email)
        .map_err(|e| format!("join request: {e}"))?;
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
    let key = PublicKey::parse(&r.public_key).map_err(|e| SyncError::Internal(e.to_string()))?;
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

/// Bytes of event lines per segment file written, at most: well below what readers accept
/// ([`segment::MAX_FILE`]).
pub const SEGMENT_BYTES: usize = 32 << 20;

/// An event as written to a segment: (hlc, author, seq, body, sig, the hash of a fork proof
/// when it is one — not part of this replica's ledger).
type Row = (i64, String, i64, Vec<u8>, Vec<u8>, Option<Vec<u8>>);

/// A fork proof as a segment row.
fn proof_row((hash, author, seq, hlc, body, sig): relm_store::forks::Evidence) -> Row {
    (hlc, author, seq, body, sig, Some(hash))
}

/// The events of runs `(author, from, to)` held in the store.
fn events_in(conn: &Connection, runs: &[(String, u64, u64)]) -> Result<Vec<Row>> {
    let mut events = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT hlc, author, seq, body, sig FROM events WHERE author = ?1 AND seq BETWEEN ?2 AND ?3",
    )?;
    for (author, from, to) in runs {
        let rows = stmt.query_map(params![author, *from as i64, *to as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, None))
        })?;
        for row in rows {
            events.push(row?);
        }
    }
    Ok(events)
}

/// Where this replica writes on a remote, given its listing: its folder (a new one when
/// someone made the usual one unusable) and the next free number in it.
fn own_place(
    store: &mut Store,
    transport: &dyn Transport,
    replica: &str,
    report: &mut SyncReport,
) -> Result<(String, String, u64)> {
    let listing = transport.list()?;
    let mut replica = replica.to_string();
    let mut dir = own_dir(&replica);
    if listing
        .iter()
        .any(|f| f.name == dir && f.unusable.is_some())
    {
        // Someone put a link or a file where this replica's folder goes: write elsewhere.
        replica = new_replica_id(store)?;
        tracing::warn!(old = %dir, new = %replica, "own folder on the remote is unusable; moved");
        dir = own_dir(&replica);
        report.moved_to = Some(dir.clone());
    }
    transport.clean_temporaries(&dir)?;
    // Every name already taken counts, whatever it is (a FIFO planted at the next number does
    // not block the numbering: the number after it is used).
    let next = listing
        .iter()
        .filter_map(|f| f.name.strip_prefix(&format!("{dir}/")))
        .filter_map(|f| f.get(..8).and_then(|n| n.parse::<u64>().ok()))
        .max()
        .unwrap_or(0)
        + 1;
    Ok((replica, dir, next))
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
    // Proofs of forks this replica holds outside its ledger travel too, so that every replica
    // learns of the fork.
    let evidence = relm_store::forks::to_push(store.conn(), remote)?;
    if missing.is_empty() && evidence.is_empty() {
        return Ok(());
    }
    let (replica, dir, next) = own_place(store, transport, replica, report)?;
    let mut events = events_in(store.conn(), &missing)?;
    events.extend(evidence.into_iter().map(proof_row));
    for (name, count) in write_segments(
        store, remote, transport, &replica, &dir, next, workspace, events,
    )? {
        report.pushed += count;
        report.pushed_files.push(name);
    }
    Ok(())
}

/// Write `events` as segments numbered from `next` under `dir`, each recorded with what it
/// holds of the ledger; fork proofs among them marked sent. The files written and their counts.
#[allow(clippy::too_many_arguments)]
fn write_segments(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    replica: &str,
    dir: &str,
    mut next: u64,
    workspace: &WorkspaceId,
    mut events: Vec<Row>,
) -> Result<Vec<(String, usize)>> {
    events.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    let keys = ingest::known_key_count(store.conn())?;
    let mut written = Vec::new();
    let mut rest = events.as_slice();
    while !rest.is_empty() {
        let mut bytes = 0;
        let take = rest
            .iter()
            .take(SEGMENT_EVENTS)
            .take_while(|e| {
                bytes += e.3.len() + 90;
                bytes <= SEGMENT_BYTES
            })
            .count()
            .max(1);
        let (chunk, after) = rest.split_at(take);
        rest = after;
        let mut ranges: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        let mut held: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for (_, author, seq, _, _, proof) in chunk {
            if proof.is_none() {
                let q = *seq as u64;
                held.entry(author.as_str())
                    .and_modify(|r| {
                        r.0 = r.0.min(q);
                        r.1 = r.1.max(q);
                    })
                    .or_insert((q, q));
            }
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
            .map(|(_, _, _, body, sig, _)| (body.as_slice(), sig.as_slice()))
            .collect();
        let bytes = segment::encode(&header, &lines);
        let mut tries = 0;
        let (name, listed) = loop {
            let name = format!("{dir}/{next:08}.relmseg");
            match transport.create(&name, &bytes) {
                Ok(listed) => break (name, listed),
                Err(TransportError::Exists(_)) if tries < 1000 => {
                    tries += 1;
                    next += 1;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let record = FileRecord {
            name: name.clone(),
            size: listed.size as i64,
            modified: listed.modified,
            state: "own",
            note: None,
            // What the remote holds of this replica's ledger (fork proofs are not part of it).
            ranges: held
                .iter()
                .map(|(a, (f, l))| ((*a).to_string(), *f, *l))
                .collect(),
        };
        store.write(|tx| -> Result<()> {
            record_file(tx, remote, &record, keys)?;
            for hash in chunk.iter().filter_map(|e| e.5.as_ref()) {
                relm_store::forks::mark_pushed(tx, remote, hash)?;
            }
            Ok(())
        })?;
        written.push((name, chunk.len()));
        next += 1;
    }
    Ok(written)
}

/// A replica packs its own small segments into one once it has this many on a remote that
/// replaces files in one change (a git repository): every commit writes the listing of the
/// folder it touches, so a folder of thousands of small files makes each commit, and the
/// repository, grow with their number.
pub const PACK_AT: usize = 64;
/// A segment under this size counts as small.
pub const PACK_SMALL: u64 = 1 << 20;

/// Pack this replica's small segments into one (see [`PACK_AT`]), on remotes that replace files
/// in one change only: the new segment and the removal of the old ones reach other replicas
/// together. A replica that already pulled the old files finds in the new one only events it
/// holds (taken as already there) and forgets the old files; one that had not pulled them all
/// reads them from the new file. Written from this replica's own verified store, never copied
/// from the remote's files: what the old files held of the ledger, and the fork proofs this
/// replica sent (sent again, since they may have been in the old files).
pub fn pack(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    replica: &str,
    workspace: &WorkspaceId,
    report: &mut SyncReport,
) -> Result<()> {
    if !transport.replaces_whole() {
        return Ok(());
    }
    let dir = own_dir(replica);
    let mut small: Vec<(String, u64)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT f.file, coalesce(sum(r.last_seq - r.first_seq + 1), 0) FROM remote_files f
               LEFT JOIN remote_ranges r ON r.remote = f.remote AND r.file = f.file
             WHERE f.remote = ?1 AND f.file > ?2 AND f.file < ?3 AND f.state IN ('own', 'read')
               AND f.size < ?4
             GROUP BY f.file ORDER BY f.file",
        )?;
        stmt.query_map(
            params![
                remote,
                format!("{dir}/"),
                format!("{dir}0"),
                PACK_SMALL as i64
            ],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)),
        )?
        .collect::<relm_store::rusqlite::Result<_>>()?
    };
    if small.len() < PACK_AT {
        return Ok(());
    }
    // One new segment's worth, oldest first.
    let mut total = 0;
    let keep = small
        .iter()
        .take_while(|(_, n)| {
            total += n;
            total <= SEGMENT_EVENTS as u64
        })
        .count();
    small.truncate(keep);
    if small.len() < 2 {
        return Ok(());
    }
    let runs: Vec<(String, u64, u64)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT author, first_seq, last_seq FROM remote_ranges WHERE remote = ?1 AND file = ?2",
        )?;
        let mut runs = Vec::new();
        for (file, _) in &small {
            for run in stmt.query_map(params![remote, file], |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                ))
            })? {
                runs.push(run?);
            }
        }
        runs
    };
    // Fork proofs this replica sent may be in the old files: sent again, in the new one.
    store.write(|tx| -> Result<()> {
        tx.execute("DELETE FROM pushed_evidence WHERE remote = ?1", [remote])?;
        Ok(())
    })?;
    let mut events = events_in(store.conn(), &runs)?;
    events.extend(
        relm_store::forks::to_push(store.conn(), remote)?
            .into_iter()
            .map(proof_row),
    );
    let (replica, dir, next) = own_place(store, transport, replica, report)?;
    let written = write_segments(
        store, remote, transport, &replica, &dir, next, workspace, events,
    )?;
    for (file, _) in &small {
        transport.remove(file)?;
        store.write(|tx| -> Result<()> {
            tx.execute(
                "DELETE FROM remote_files WHERE remote = ?1 AND file = ?2",
                params![remote, file],
            )?;
            Ok(())
        })?;
    }
    tracing::info!(
        remote,
        files = small.len(),
        into = ?written.iter().map(|w| &w.0).collect::<Vec<_>>(),
        "packed small segments"
    );
    report.packed = small.into_iter().map(|(f, _)| f).collect();
    Ok(())
}

/// A fresh replica id, replacing this replica's (its folder on a remote was unusable).
fn new_replica_id(store: &mut Store) -> Result<String> {
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).map_err(|e| SyncError::Internal(format!("no randomness: {e}")))?;
    let id = hex::encode(rnd);
    store.write(|tx| local::set(tx, REPLICA_ID, &id))?;
    Ok(id)
}

/// What this replica has that the remote lacks: for each author, runs of sequence numbers
/// `(author, from, to)` not carried by any file read from (or written to) the remote.
pub fn missing_on_remote(conn: &Connection, remote: &str) -> Result<Vec<(String, u64, u64)>> {
    let mut held: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT author, first_seq, last_seq FROM remote_ranges WHERE remote = ?1",
        )?;
        let rows = stmt.query_map([remote], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)? as u64,
                r.get::<_, i64>(2)? as u64,
            ))
        })?;
        for row in rows {
            let (author, f, l) = row?;
            held.entry(author).or_default().push((f, l));
        }
    }
    let mut stmt = conn.prepare_cached("SELECT author, seq FROM author_heads ORDER BY author")?;
    let heads = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    let mut out = Vec::new();
    for head in heads {
        let (author, last) = head?;
        let mut runs = held.remove(&author).unwrap_or_default();
        runs.sort_unstable();
        let mut from = 1;
        for (f, l) in runs {
            if f > from {
                out.push((author.clone(), from, (f - 1).min(last)));
            }
            from = from.max(l + 1);
            if from > last {
                break;
            }
        }
        if from <= last {
            out.push((author, from, last));
        }
    }
    out.retain(|(_, f, t)| f <= t);
    Ok(out)
}

/// Number of events this replica has that the remote lacks.
pub fn pending_push(conn: &Connection, remote: &str) -> Result<u64> {
    Ok(missing_on_remote(conn, remote)?
        .iter()
        .map(|(_, f, t)| t - f + 1)
        .sum())
}

/// Pull then push, with one remote: [`Transport::prepare`], [`exchange`],
/// [`Transport::publish`].
pub fn sync(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    workspace: &WorkspaceId,
    now: DateTime<Utc>,
) -> Result<SyncReport> {
    transport.prepare()?;
    let report = exchange(store, remote, transport, workspace, now)?;
    transport.publish()?;
    Ok(report)
}

/// The part of a sync that reads and writes the store: pull what the remote's files hold that
/// is new, write what the remote lacks, pack small files where the remote allows. A git
/// remote's network steps ([`Transport::prepare`], [`Transport::publish`]) come before and
/// after, and need no store: the app runs them without holding the workspace.
pub fn exchange(
    store: &mut Store,
    remote: &str,
    transport: &dyn Transport,
    workspace: &WorkspaceId,
    now: DateTime<Utc>,
) -> Result<SyncReport> {
    let replica = replica_id(store)?;
    let mut report = SyncReport {
        remote: remote.to_string(),
        location: transport.describe(),
        ..Default::default()
    };
    pull(store, remote, transport, Some(workspace), now, &mut report)?;
    push(store, remote, transport, &replica, workspace, &mut report)?;
    // Under the folder it wrote in (a new one if its usual one was made unusable).
    let replica = replica_id(store)?;
    pack(store, remote, transport, &replica, workspace, &mut report)?;
    let dir = own_dir(&replica);
    report.remote_clock_ms = transport.clock(&dir).unwrap_or(None);
    Ok(report)
}
