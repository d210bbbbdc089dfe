//! Opening a data dir and appending signed events to it.

use relm_domain::clock::Clock;
use relm_domain::event::{Dep, Envelope, FORMAT_VERSION, SignedEvent};
use relm_domain::hlc::Hlc;
use relm_domain::ids::{EventId, WorkspaceId};
use relm_domain::keys::KeyId;
use relm_domain::payload::EventBody;
use relm_identity::SecretKey;
use relm_identity::keyring::{Backend, KeyStore, OsKeyring};
use relm_store::Transaction;
use relm_store::rusqlite::OptionalExtension;
use relm_store::{Store, events, ingest, local, projection};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ApiError, ErrorCode, Result};
use relm_domain::{Reason, ReasonCode};

pub(crate) const DB_FILE: &str = "relm.db";
/// The store's folder inside the data dir. The database is not kept at the data dir's top: a
/// program of this process that opens and closes it (a file dialog listing the folder does)
/// would drop every SQLite lock the process holds on it (POSIX locks belong to the process), and
/// another process could then checkpoint and delete the WAL under the app.
pub(crate) const STORE_DIR: &str = "store";

/// Where a data dir's database is.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(STORE_DIR).join(DB_FILE)
}

/// A data dir of the first layout, its database at the top, gets it moved into [`STORE_DIR`]:
/// only when no other process has it open (an exclusive lock is taken first), after a full
/// checkpoint, so the WAL holds nothing when the file moves.
fn move_store(data_dir: &Path) -> Result<()> {
    let old = data_dir.join(DB_FILE);
    let new = db_path(data_dir);
    if new.exists() || !old.exists() {
        return Ok(());
    }
    let busy = |e: relm_store::rusqlite::Error| {
        use relm_store::rusqlite::ErrorCode as Sqlite;
        let message = match e.sqlite_error_code() {
            Some(Sqlite::DatabaseBusy | Sqlite::DatabaseLocked) => format!(
                "the workspace in {} is open in another Relm (an older version?) that keeps it where this one does not: close it and try again",
                data_dir.display()
            ),
            _ => format!(
                "{} is not a Relm store ({e}); move it away or choose another --data-dir",
                old.display()
            ),
        };
        ApiError::new(ErrorCode::DataDir, message)
    };
    {
        let conn = relm_store::Connection::open(&old).map_err(busy)?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(busy)?;
        conn.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;
             PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;",
        )
        .map_err(busy)?;
    }
    let fail = |e: std::io::Error| {
        ApiError::new(
            ErrorCode::DataDir,
            format!("cannot move the store into {}: {e}", new.display()),
        )
    };
    crate::private::store_dir(&data_dir.join(STORE_DIR)).map_err(fail)?;
    std::fs::rename(&old, &new).map_err(fail)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DB_FILE}{suffix}")));
    }
    tracing::info!(to = %new.display(), "moved the store into its folder");
    Ok(())
}
const NAMESPACE: &str = "keyring_namespace";
pub(crate) const IDENTITY: &str = local::IDENTITY_KEY_ID;

/// Which key store holds this replica's private keys.
#[derive(Debug, Clone)]
pub enum KeyringChoice {
    /// The OS keyring (backend detected, or `RELM_KEYRING`).
    Os,
    /// A given store (unit tests, benchmarks).
    Given(Arc<dyn KeyStore>),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    pub clock: Arc<dyn Clock>,
    pub keyring: KeyringChoice,
}

#[derive(Debug)]
pub struct Relm {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) keys: Arc<dyn KeyStore>,
    pub(crate) data_dir: PathBuf,
    /// The last conflicts of every release still to go out ([`Relm::calendar_conflict_summary`]
    /// without a release), with the store's stamp they were computed at and how many were
    /// worded: the calendar page asks for them at each visit, and they change only with the
    /// store.
    pub(crate) conflicts: crate::kept::Kept<usize, relm_calendar::Counted>,
    /// The last metrics asked for ([`Relm::metrics`]): by the period, the service, the
    /// environment and the day (actions past due are counted as of today).
    pub(crate) metrics: crate::kept::Kept<crate::metrics::Question, crate::metrics::Metrics>,
    /// What holds of every release in flight whenever it is judged (and whether their packages
    /// were read): the dashboard asks what waits for a decision at each visit, and only the
    /// instant changes in between ([`Relm::pending_my_decision`]).
    pub(crate) in_flight: crate::kept::Kept<bool, Arc<Vec<relm_policy::Facts>>>,
    /// What waited for this member's decision, by the wording and the minute it was asked in
    /// ([`Relm::pending_my_decision`]).
    pub(crate) pending_kept:
        crate::kept::Kept<(relm_policy::Style, i64), Vec<crate::gates::PendingDecision>>,
    /// The last audit history asked for ([`Relm::audit`]), by its question.
    pub(crate) audit_kept:
        crate::kept::Kept<crate::audit::AuditQuery, Vec<crate::audit::AuditEntry>>,
    /// What the last digest asked for read of the store alone ([`Relm::digest`]), by its
    /// question: the communication page asks for it at each visit.
    pub(crate) digest_kept:
        crate::kept::Kept<crate::digest::DigestQuery, Arc<crate::digest::DigestRead>>,
    /// The last deployments asked for beside the metrics (`measured`, [`Relm::deployments`]),
    /// by their question: the metrics page asks for them with its figures at each visit.
    pub(crate) measured_kept: crate::kept::Kept<
        crate::deployments::DeploymentQuery,
        Vec<crate::deployments::DeploymentView>,
    >,
}

impl Relm {
    /// Open an existing data dir. Fails with `no_workspace` when there is none.
    pub fn open(opts: &Options) -> Result<Relm> {
        if !db_path(&opts.data_dir).exists() && !opts.data_dir.join(DB_FILE).exists() {
            return Err(ApiError::new(
                ErrorCode::NoWorkspace,
                format!(
                    "no Relm workspace in {}; create one with `relm init` or try `relm demo`",
                    opts.data_dir.display()
                ),
            ));
        }
        Self::open_or_create(opts)
    }

    /// Open a data dir, creating the folder and an empty store when needed.
    pub fn open_or_create(opts: &Options) -> Result<Relm> {
        crate::private::data_dir(&opts.data_dir).map_err(|e| {
            ApiError::new(
                ErrorCode::DataDir,
                format!(
                    "cannot create the data dir {}: {e}; choose a writable --data-dir",
                    opts.data_dir.display()
                ),
            )
        })?;
        move_store(&opts.data_dir)?;
        crate::private::store_dir(&opts.data_dir.join(STORE_DIR)).map_err(|e| {
            ApiError::new(
                ErrorCode::DataDir,
                format!(
                    "cannot create the store's folder in {}: {e}; choose a writable --data-dir",
                    opts.data_dir.display()
                ),
            )
        })?;
        let mut store = Store::open(&db_path(&opts.data_dir))?;
        let namespace = match local::get(store.conn(), NAMESPACE)? {
            Some(ns) => ns,
            None => {
                let ns = hex::encode(random::<8>()?);
                store.write(|tx| local::set(tx, NAMESPACE, &ns))?;
                ns
            }
        };
        let keys: Arc<dyn KeyStore> = match &opts.keyring {
            KeyringChoice::Given(k) => k.clone(),
            KeyringChoice::Os => Arc::new(OsKeyring::new(&namespace, Backend::detect()?)?),
        };
        Ok(Relm {
            store,
            clock: opts.clock.clone(),
            keys,
            data_dir: opts.data_dir.clone(),
            conflicts: Default::default(),
            metrics: Default::default(),
            in_flight: Default::default(),
            audit_kept: Default::default(),
            digest_kept: Default::default(),
            measured_kept: Default::default(),
            pending_kept: Default::default(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn keyring_backend(&self) -> &'static str {
        self.keys.backend()
    }

    /// The workspace id, or `no_workspace`.
    pub(crate) fn workspace_id(&self) -> Result<WorkspaceId> {
        self.workspace().map(|(id, _)| id)
    }

    /// The workspace id and name, or `no_workspace`.
    pub(crate) fn workspace(&self) -> Result<(WorkspaceId, String)> {
        let row: Option<(String, String)> = self
            .store
            .conn()
            .query_row("SELECT id, name FROM workspace", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ok();
        row.map(|(id, name)| (WorkspaceId(id), name))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NoWorkspace,
                    format!(
                        "no workspace in {}; create one with `relm init`",
                        self.data_dir.display()
                    ),
                )
            })
    }

    /// A full id from an id or a unique prefix of at least 4 characters. `names` are the
    /// thing's singular and plural, `list` the command that lists them, `lookup` the store's
    /// prefix search.
    pub(crate) fn resolve_prefix(
        &self,
        id: &str,
        (one, many): (&str, &str),
        (list, missing): (&str, ReasonCode),
        lookup: fn(
            &relm_store::Connection,
            &str,
            u32,
        ) -> Result<Vec<String>, relm_store::StoreError>,
    ) -> Result<String> {
        self.workspace_id()?;
        let id = id.trim().to_lowercase();
        if id.len() < 4 {
            return Err(ApiError::validation(format!(
                "`{id}` is too short to name a {one}; give at least 4 characters of its id"
            )));
        }
        match lookup(self.store.conn(), &id, 5)?.as_slice() {
            [found] => Ok(found.clone()),
            [] => Err(
                ApiError::missing(missing, format!("no {one} with id `{id}`; see `{list}`"))
                    .with("id", &id),
            ),
            found => Err(ApiError::validation(format!(
                "`{id}` matches {} {many} ({}…); give more of the id",
                found.len(),
                found.join(", ")
            ))),
        }
    }

    /// This replica's member key id.
    pub(crate) fn me(&self) -> Result<KeyId> {
        local::get(self.store.conn(), IDENTITY)?
            .map(KeyId)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Keyring,
                    "this data dir has no identity; run `relm init` or `relm identity import FILE`",
                )
            })
    }

    /// This replica's private key, from the key store.
    pub(crate) fn signing_key(&self) -> Result<SecretKey> {
        let me = self.me()?;
        self.keys.get(&me.0)?.ok_or_else(|| {
            let reason = Reason::new(
                ReasonCode::KeyMissing,
                format!(
                    "the private key of this identity ({}) is not in the {}; restore it with `relm identity import FILE`",
                    me.fingerprint(),
                    self.keys.backend()
                ),
            )
            .with("fingerprint", me.fingerprint())
            .with("keyring", self.keys.backend());
            ApiError::refused(ErrorCode::Keyring, reason)
        })
    }

    /// Sign and append the events `build` returns, as this replica's member.
    pub(crate) fn emit(
        &mut self,
        build: impl FnOnce(&Transaction<'_>) -> Result<Vec<EventBody>>,
    ) -> Result<Vec<SignedEvent>> {
        let key = self.signing_key()?;
        self.emit_as(&key, build)
    }

    /// Sign and append as `key` (the demo seeds other members' events this way).
    pub(crate) fn emit_as(
        &mut self,
        key: &SecretKey,
        build: impl FnOnce(&Transaction<'_>) -> Result<Vec<EventBody>>,
    ) -> Result<Vec<SignedEvent>> {
        let workspace = self.workspace_id()?;
        let clock = self.clock.clone();
        self.store.write(|tx| {
            let bodies = build(tx)?;
            append(tx, key, &workspace, clock.as_ref(), bodies)
        })
    }
}

/// Check, sign, insert and project `bodies` inside the caller's transaction.
pub(crate) fn append(
    tx: &Transaction<'_>,
    key: &SecretKey,
    workspace: &WorkspaceId,
    clock: &dyn Clock,
    bodies: Vec<EventBody>,
) -> Result<Vec<SignedEvent>> {
    let author = key.public().key_id();
    if let Some(why) = local::get(tx, CLOCK_SKEW)? {
        // Kept by the last sync whole (an earlier version kept the English only).
        return Err(match crate::error::kept(Some(why)) {
            (_, Some(e)) => e,
            (text, None) => ApiError::new(ErrorCode::Clock, text.unwrap_or_default()),
        });
    }
    let members = projection::members::load(tx)?;
    let head = events::author_head(tx, &author.0)?;
    let bound = max_clock_offset_ms(tx)?;
    // Events stamped beyond this clock plus the bound (kept by an older version) neither drag
    // the clock along nor count as seen; the author's own last event always does.
    let horizon = clock.now().timestamp_millis().saturating_add(bound);
    let own = match &head {
        Some((seq, _)) => ingest::stored_hlc(tx, &author, *seq)?.map(|(_, h)| h),
        None => None,
    };
    let hlc = events::max_hlc_until(tx, horizon)?.max(own.unwrap_or(Hlc::ZERO));
    // What this author had seen that its previous event did not declare: the first event of
    // the batch carries it; the next ones have seen nothing new.
    let deps = new_frontier(tx, &author, horizon)?;
    let mut signer = Signer {
        key,
        workspace,
        clock,
        author: author.clone(),
        members,
        head,
        hlc,
        deps,
    };
    let mut recorder = Recorder {
        judge: None,
        out: Vec::with_capacity(bodies.len()),
    };
    if bodies.len() < PIPELINE_FROM {
        for body in bodies {
            let (ev, body) = signer.seal(body)?;
            recorder.record(tx, ev, body)?;
        }
    } else {
        // Each signature needs the hash of the one before, so signing is one chain; the
        // database work on event n runs beside the signing of event n + 1, on another core.
        std::thread::scope(|scope| -> Result<()> {
            let (send, sealed) = std::sync::mpsc::sync_channel(256);
            scope.spawn(move || {
                for body in bodies {
                    let next = signer.seal(body);
                    let failed = next.is_err();
                    // The receiver is gone when recording failed: nothing more is wanted.
                    if send.send(next).is_err() || failed {
                        break;
                    }
                }
            });
            for next in sealed {
                let (ev, body) = next?;
                recorder.record(tx, ev, body)?;
            }
            Ok(())
        })?;
    }
    let out = recorder.out;
    if let Some(first) = out.first() {
        declare(tx, &author, &first.envelope.deps)?;
    }
    tracing::debug!(count = out.len(), author = %author, "appended events");
    Ok(out)
}

/// Batches of at least this many events are signed on a second thread while the first records
/// them; below, a thread costs more than it saves.
const PIPELINE_FROM: usize = 32;

/// What signing the next event of a batch needs: the author's chain, clock and membership.
struct Signer<'a> {
    key: &'a SecretKey,
    workspace: &'a WorkspaceId,
    clock: &'a dyn Clock,
    author: KeyId,
    members: relm_domain::membership::Members,
    head: Option<(u64, [u8; 32])>,
    hlc: Hlc,
    deps: Vec<Dep>,
}

impl Signer<'_> {
    /// Check `body` against the author's rights, then sign it as the chain's next event.
    fn seal(&mut self, body: EventBody) -> Result<(SignedEvent, EventBody)> {
        if !matches!(body, EventBody::WorkspaceCreated { .. }) {
            self.members.authorize(&self.author, &body)?;
            self.members.check_change(&body)?;
        }
        self.hlc = Hlc::next(self.hlc, self.clock.now());
        let (kind, payload) = body.to_parts();
        relm_domain::limits::check_payload(&payload)?;
        let now = self.clock.now();
        let envelope = Envelope {
            v: FORMAT_VERSION,
            id: EventId::generate(now, random::<10>()?),
            workspace: self.workspace.clone(),
            author: self.author.clone(),
            seq: self.head.map_or(1, |h| h.0 + 1),
            prev: self.head.map(|h| hex::encode(h.1)),
            hlc: self.hlc,
            wall: u64::try_from(now.timestamp_millis()).ok(),
            deps: std::mem::take(&mut self.deps),
            kind,
            payload,
        };
        let ev = SignedEvent::sign(envelope, self.key.signing_key());
        self.members.apply(&body);
        self.head = Some((ev.envelope.seq, ev.hash));
        Ok((ev, body))
    }
}

/// Records signed events: inserted in the ledger and applied to the projections.
struct Recorder {
    judge: Option<relm_store::causal::Judge>,
    out: Vec<SignedEvent>,
}

impl Recorder {
    fn record(&mut self, tx: &Transaction<'_>, ev: SignedEvent, body: EventBody) -> Result<()> {
        events::insert(tx, &ev, body.entity().as_deref())?;
        // The judge knows the membership events; a new one is resolved with the others.
        if relm_store::causal::is_membership(&body) {
            self.judge = None;
        }
        let judge = match &mut self.judge {
            Some(j) => &*j,
            slot => slot.insert(relm_store::causal::Judge::load(tx)?),
        };
        if let projection::Effect::NotApplied(v) = projection::apply(tx, judge, &ev, &body)? {
            // The checks above mirror the projection's; reaching this is a bug, not user error.
            return Err(ApiError::new(
                ErrorCode::Internal,
                format!("the event would have no effect: {v}"),
            ));
        }
        self.out.push(ev);
        Ok(())
    }
}

/// The heads of other authors in the ledger that `author` has not declared yet.
///
/// Every format 2 event was received no further ahead of this replica's clock than the
/// workspace's bound allows, and this replica's own were stamped by it: one now beyond
/// `horizon_ms` means this clock went back, and the replica refuses to sign (its events would
/// claim to follow ones it stamps before). A format 1 head beyond it (kept by an older version,
/// which did not hold future-dated events) is not taken as seen: the author's last event within
/// the horizon is, so that a bogus stamp neither drags the clock nor blocks signing.
fn new_frontier(tx: &Transaction<'_>, author: &KeyId, horizon_ms: i64) -> Result<Vec<Dep>> {
    let bound = Hlc::packed_after(horizon_ms);
    let mut stmt = tx.prepare_cached(
        "SELECT h.author, h.seq, h.hash, h.hlc, coalesce(d.seq, 0),
                coalesce(json_extract(e.body, '$.v'), 1)
         FROM author_heads h JOIN events e ON e.author = h.author AND e.seq = h.seq
         LEFT JOIN declared_frontier d ON d.author = ?1 AND d.other = h.author
         WHERE h.hlc >= ?2 OR (h.author != ?1 AND h.seq > coalesce(d.seq, 0))
         ORDER BY h.author",
    )?;
    let rows = stmt
        .query_map(relm_store::rusqlite::params![author.0, bound], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<relm_store::rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (other, seq, hash, hlc, declared, format) in rows {
        let (seq, hash) = if hlc < bound {
            (seq, hash)
        } else if format >= i64::from(FORMAT_VERSION) {
            let ahead = (hlc >> 16).saturating_sub(horizon_ms).max(1);
            let who = if other == author.0 {
                String::new()
            } else {
                KeyId(other.clone()).fingerprint()
            };
            let reason = Reason::new(
                ReasonCode::ClockBehind,
                format!(
                    "this computer's clock is behind the workspace: {} has an event stamped {} past this clock plus the workspace's bound on clock offsets. Relm refuses to sign until the clock is right: correct it, then run `relm sync`",
                    if who.is_empty() {
                        "this replica".to_string()
                    } else {
                        format!("author {who}")
                    },
                    ingest::human_duration(ahead)
                ),
            )
            .with("who", who)
            .with("offset_ms", ahead);
            return Err(ApiError::refused(ErrorCode::Clock, reason));
        } else if other == author.0 {
            continue;
        } else {
            let within: Option<(i64, Vec<u8>)> = tx
                .prepare_cached(
                    "SELECT seq, hash FROM events WHERE author = ?1 AND hlc < ?2 ORDER BY seq DESC LIMIT 1",
                )?
                .query_row(relm_store::rusqlite::params![other, bound], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            match within {
                Some((s, h)) if s > declared => (s, h),
                _ => continue,
            }
        };
        if other == author.0 || seq <= declared {
            continue;
        }
        out.push(Dep {
            author: KeyId(other),
            seq: seq as u64,
            hash: hex::encode(hash),
        });
    }
    Ok(out)
}

/// Remember what `author`'s newest event declared.
fn declare(tx: &Transaction<'_>, author: &KeyId, deps: &[Dep]) -> Result<()> {
    for d in deps {
        tx.prepare_cached(
            "INSERT INTO declared_frontier (author, other, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (author, other) DO UPDATE SET seq = excluded.seq",
        )?
        .execute(relm_store::rusqlite::params![
            author.0,
            d.author.0,
            d.seq as i64
        ])?;
    }
    Ok(())
}

/// Local state: why this replica refuses to sign (its clock is far from the remote's), set and
/// cleared by each sync.
pub(crate) const CLOCK_SKEW: &str = "clock_skew";

/// The workspace's bound on clock offsets, in milliseconds.
pub(crate) fn max_clock_offset_ms(conn: &relm_store::Connection) -> Result<i64> {
    Ok(conn
        .query_row("SELECT max_clock_offset_ms FROM workspace", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(ingest::DEFAULT_MAX_CLOCK_OFFSET_MS))
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("no randomness: {e}")))?;
    Ok(b)
}
