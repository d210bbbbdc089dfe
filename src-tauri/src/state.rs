//! The open replica, shared by the commands, the change watcher and background sync.

use relm_api::undo::{Removal, Removed};
use relm_api::{ApiError, ErrorCode, KeyringChoice, Options, Relm};
use relm_domain::clock::SystemClock;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

/// The UI's own preferences, kept in `ui.json` in the data dir (never governance data).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct Preferences {
    /// `en` or `fr`; empty means "from the OS".
    pub locale: String,
    /// `system`, `light` or `dark`; empty means `system`.
    pub theme: String,
}

#[derive(Debug)]
pub struct AppState {
    pub data_dir: PathBuf,
    relm: Mutex<Option<Relm>>,
    /// Replicas opened for reading only, on their own connections: a page's reads do not wait
    /// for another page's long ones, nor for a write (SQLite's WAL lets readers run beside the
    /// writer, each seeing the last commit).
    readers: Mutex<Pool>,
    /// Told whenever a replica is put back (see [`Pool::wait_for`]).
    returned: std::sync::Condvar,
    /// Bumped whenever the open replica is replaced: readers opened before are dropped.
    generation: std::sync::atomic::AtomicU64,
    /// The UI's language, for the native menu.
    pub locale: Mutex<String>,
    /// Background sync timing; `--sync-every SECONDS` (or `RELM_SYNC_EVERY`) sets the interval.
    pub sync_schedule: relm_sync::Schedule,
    /// Files this run wrote or took out of a pack: the only ones the UI may ask to open.
    pub openable: Mutex<std::collections::BTreeSet<PathBuf>>,
    /// Where replicas find their private keys: the OS key store (tests give one in memory).
    keyring: KeyringChoice,
    /// Calls at work, and when the last one ended: what [`AppState::release_if_idle`] waits on.
    activity: Activity,
    /// The last removal of a setting and its id, kept for an undo (see [`AppState::undoable`]).
    /// In memory only: the secret it may hold is wiped when it is replaced or dropped.
    undo: Mutex<Option<(u64, Removal)>>,
    undo_ids: std::sync::atomic::AtomicU64,
    /// How the dashboard last asked what waits for this member's decision (its language and
    /// zone): the OS notifications ask the same way, so both find the same kept answer.
    decisions_style: Mutex<Option<relm_policy::Style>>,
    /// The decisions (release, environment) waiting at the notifications' last look; `None`
    /// until the first answer, whoever asked, which is the baseline: what waited then is the
    /// dashboard's to show, not news.
    decisions_seen: Mutex<Option<std::collections::HashSet<(String, String)>>>,
}

/// A removal the app can undo: what and which, and the id `undo_removal` takes.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct Undoable {
    pub id: u64,
    pub what: Removed,
    pub name: String,
}

/// A read replica kept open, and the kinds of call it answered: it may hold their answers
/// (the use-cases keep some while the store stays the same), so the same kind goes back to it.
#[derive(Debug)]
struct Reader {
    relm: Relm,
    served: Vec<Served>,
}

/// A kind of call a replica answered, and the longest it took there: about what answering it
/// on another replica, which holds none of its answers, would cost.
#[derive(Debug, Clone, Copy)]
struct Served {
    kind: &'static str,
    longest: std::time::Duration,
}

impl Reader {
    fn served(&self, kind: &str) -> bool {
        self.served.iter().any(|s| s.kind == kind)
    }
}

/// The replicas kept open, and what those at work answered before.
#[derive(Debug, Default)]
struct Pool {
    free: Vec<Reader>,
    /// Each replica at work, by a number of its own, with the kinds it answered before.
    busy: Vec<(u64, Vec<Served>)>,
    taken: u64,
    /// Calls waiting for a replica at work.
    waiting: usize,
}

/// A call waits for the replica at work that answered its kind only when answering it took at
/// least this long there: a quick call is as quick on another replica.
const WORTH_WAITING: std::time::Duration = std::time::Duration::from_millis(20);

impl Pool {
    /// Which free replica a call of `kind` that has waited `waited` takes (`None`: a new one),
    /// or how long it should still wait. The last one that answered that kind; else, while one
    /// at work answered it and [`Pool::wait_for`] says so, none yet; else the one that answered
    /// the fewest kinds (the last of those put back): a page's calls of kinds new to the
    /// replicas leave alone those that hold the answers other pages will ask for (the app
    /// prepares some ahead, all on one replica).
    fn choose(
        &self,
        kind: &str,
        waited: std::time::Duration,
    ) -> Result<Option<usize>, std::time::Duration> {
        if let Some(i) = self.free.iter().rposition(|r| r.served(kind)) {
            return Ok(Some(i));
        }
        match self.wait_for(kind, waited) {
            Some(wait) => Err(wait),
            None => Ok(fewest(&self.free)),
        }
    }

    /// How long a call of `kind` that has waited `waited` should still wait for a replica at
    /// work that answered its kind: until that replica is put back, but never longer than
    /// answering elsewhere would take. `None`: take another now.
    fn wait_for(&self, kind: &str, waited: std::time::Duration) -> Option<std::time::Duration> {
        let longest = self
            .busy
            .iter()
            .flat_map(|(_, served)| served)
            .filter(|s| s.kind == kind)
            .map(|s| s.longest)
            .max()?;
        (longest >= WORTH_WAITING && waited < longest).then(|| longest - waited)
    }
}

/// The reader that answered the fewest kinds, the last put back of those: the one whose kept
/// answers are least missed.
fn fewest(readers: &[Reader]) -> Option<usize> {
    (0..readers.len())
        .rev()
        .min_by_key(|&i| readers[i].served.len())
}

/// Calls at work and the end of the last one.
#[derive(Debug, Default)]
struct Activity {
    busy: std::sync::atomic::AtomicUsize,
    /// The last call's end; `None` once the memory it left was given back.
    last: Mutex<Option<std::time::Instant>>,
}

/// Marks one call at work for as long as it lives.
struct Working<'a>(&'a Activity);

impl<'a> Working<'a> {
    fn new(activity: &'a Activity) -> Self {
        activity
            .busy
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Working(activity)
    }
}

impl Drop for Working<'_> {
    fn drop(&mut self) {
        *self.0.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(std::time::Instant::now());
        self.0
            .busy
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Read-only replicas kept open between calls: as many as the busiest pages ask at once (the
/// dashboard seven, a release's page nine or ten, in its first moments), so that a page's
/// calls do not close the replica holding another page's answers.
const READERS: usize = 8;

/// Each read replica's SQLite page cache, in KiB (the writer keeps the store's 32 MiB).
const READER_CACHE_KIB: u32 = 8 * 1024;

/// How long nothing must have run before the memory the last calls left is given back.
pub const QUIET: std::time::Duration = std::time::Duration::from_secs(3);

/// The value after `flag` on the command line.
fn arg(args: &[String], flag: &str) -> Option<String> {
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1).cloned()
}

/// The D-Bus name that makes the app single-instance per workspace: the app's identifier and
/// the first 16 hex digits of the SHA-256 of the data dir's absolute path (a bus name allows
/// only `[A-Za-z0-9_-]` in each element, which a path does not respect).
pub fn instance_id(data_dir: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let path = std::fs::canonicalize(data_dir)
        .or_else(|_| std::path::absolute(data_dir))
        .unwrap_or_else(|_| data_dir.to_path_buf());
    let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
    format!("app.relm.desktop.w{}", &hex::encode(digest)[..16])
}

impl AppState {
    /// The data dir comes from `--data-dir DIR`, else `RELM_DATA_DIR`, else the OS data folder
    /// (as for the CLI). Background sync runs every `--sync-every SECONDS`, else
    /// `RELM_SYNC_EVERY`, else every 5 minutes.
    pub fn from_env() -> AppState {
        let args: Vec<String> = std::env::args().collect();
        let data_dir = arg(&args, "--data-dir")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("RELM_DATA_DIR").map(PathBuf::from))
            .or_else(relm_api::logging::default_data_dir)
            .unwrap_or_else(|| PathBuf::from("relm-data"));
        let mut sync_schedule = relm_sync::Schedule::default();
        let every = arg(&args, "--sync-every").or_else(|| std::env::var("RELM_SYNC_EVERY").ok());
        match every.map(|s| s.parse::<u64>()) {
            Some(Ok(secs)) if secs > 0 => {
                sync_schedule.every = std::time::Duration::from_secs(secs);
                sync_schedule.retry = sync_schedule.retry.min(sync_schedule.every);
            }
            Some(_) => tracing::warn!("--sync-every wants a whole number of seconds above 0"),
            None => {}
        }
        let state = AppState::new(data_dir, sync_schedule, KeyringChoice::Os);
        let saved = state.preferences().locale;
        if saved == "fr" {
            *state.locale.lock().unwrap_or_else(|p| p.into_inner()) = saved;
        }
        state
    }

    /// Nothing open yet on `data_dir`.
    fn new(data_dir: PathBuf, sync_schedule: relm_sync::Schedule, keyring: KeyringChoice) -> Self {
        AppState {
            data_dir,
            relm: Mutex::new(None),
            readers: Mutex::new(Pool::default()),
            returned: std::sync::Condvar::new(),
            generation: Default::default(),
            locale: Mutex::new("en".into()),
            sync_schedule,
            openable: Mutex::new(Default::default()),
            keyring,
            activity: Activity::default(),
            undo: Mutex::new(None),
            undo_ids: Default::default(),
            decisions_style: Mutex::new(None),
            decisions_seen: Mutex::new(None),
        }
    }

    /// Whether what waited for this member's decision has been asked once (the baseline the
    /// notifications compare with).
    pub fn decisions_known(&self) -> bool {
        self.decisions_seen
            .lock()
            .map(|s| s.is_some())
            .unwrap_or(false)
    }

    /// Whether the dashboard asked what waits for this member's decision yet.
    pub fn decisions_asked(&self) -> bool {
        self.decisions_style
            .lock()
            .map(|s| s.is_some())
            .unwrap_or(false)
    }

    /// What waits for this member's decision, worded in `style`, or, without one, as the
    /// dashboard last asked (the OS notifications' way). One place asks, so the dashboard and
    /// the notifications go to the same replica and find its kept answer.
    pub fn pending_decisions(
        &self,
        style: Option<relm_policy::Style>,
    ) -> Result<(relm_policy::Style, Vec<relm_api::gates::PendingDecision>), ApiError> {
        let mut asked = self
            .decisions_style
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let style = match style {
            Some(s) => *asked.insert(s),
            None => asked.unwrap_or_else(|| {
                let fr = self.locale.lock().is_ok_and(|l| l.as_str() == "fr");
                relm_policy::Style::from(if fr {
                    relm_policy::Lang::Fr
                } else {
                    relm_policy::Lang::En
                })
            }),
        };
        drop(asked);
        let list = self.read(|r| r.pending_my_decision(style))?;
        self.decisions_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| waiting_keys(&list));
        Ok((style, list))
    }

    /// The decisions of `list` that did not wait at the last look (or at the first answer);
    /// `list` is the last look from now on.
    pub fn newly_waiting<'a>(
        &self,
        list: &'a [relm_api::gates::PendingDecision],
    ) -> Vec<&'a relm_api::gates::PendingDecision> {
        let now = waiting_keys(list);
        let mut seen = self
            .decisions_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let before = seen.replace(now).unwrap_or_default();
        list.iter()
            .filter(|p| !before.contains(&(p.release_id.clone(), p.environment.clone())))
            .collect()
    }

    /// Run the removal `f` on the open replica and keep what it took, in place of the removal
    /// kept before: one removal can be undone, the last.
    pub fn undoable(
        &self,
        f: impl FnOnce(&mut Relm) -> Result<Removal, ApiError>,
    ) -> Result<Undoable, ApiError> {
        let removal = self.with(f)?;
        let id = 1 + self
            .undo_ids
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let shown = Undoable {
            id,
            what: removal.what,
            name: removal.name.clone(),
        };
        *self.undo.lock().unwrap_or_else(|p| p.into_inner()) = Some((id, removal));
        Ok(shown)
    }

    /// Put back the removal `id` if it is still the one kept; it is let go once put back.
    pub fn undo(&self, id: u64) -> Result<(), ApiError> {
        let mut kept = self.undo.lock().unwrap_or_else(|p| p.into_inner());
        match kept.as_ref() {
            Some((k, removal)) if *k == id => {
                self.with(|r| r.undo_removal(removal))?;
                *kept = None;
                Ok(())
            }
            _ => Err(relm_api::undo::nothing_to_undo()),
        }
    }

    /// Let the removal `id` go (its undo is no longer offered).
    pub fn forget_undo(&self, id: u64) {
        let mut kept = self.undo.lock().unwrap_or_else(|p| p.into_inner());
        if kept.as_ref().is_some_and(|(k, _)| *k == id) {
            *kept = None;
        }
    }

    /// Run `f`, which writes the file `path`, on the open replica; then let the UI open it.
    pub fn export<T>(
        &self,
        path: &std::path::Path,
        f: impl FnOnce(&mut Relm) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let out = self.with(f)?;
        self.may_open(path);
        Ok(out)
    }

    /// Let the UI open `path` later (a file this run wrote).
    pub fn may_open(&self, path: &std::path::Path) {
        self.openable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_path_buf());
    }

    fn preferences_file(&self) -> PathBuf {
        self.data_dir.join("ui.json")
    }

    pub fn preferences(&self) -> Preferences {
        std::fs::read(self.preferences_file())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save_preferences(&self, p: &Preferences) -> Result<(), ApiError> {
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.data_dir)?;
            let tmp = self.data_dir.join("ui.json.tmp");
            std::fs::write(&tmp, serde_json::to_vec_pretty(p).unwrap_or_default())?;
            std::fs::rename(tmp, self.preferences_file())
        };
        write().map_err(|e| {
            ApiError::new(
                ErrorCode::DataDir,
                format!(
                    "cannot save preferences in {}: {e}",
                    self.data_dir.display()
                ),
            )
        })
    }

    pub fn options(&self) -> Options {
        Options {
            data_dir: self.data_dir.clone(),
            clock: Arc::new(SystemClock),
            keyring: self.keyring.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Relm>> {
        // A panic while holding the lock leaves the replica itself consistent (SQLite
        // transactions), so the state can be used again.
        self.relm.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` on the open replica, opening it first if needed.
    pub fn with<T>(&self, f: impl FnOnce(&mut Relm) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let _working = Working::new(&self.activity);
        let mut guard = self.lock();
        if guard.is_none() {
            *guard = Some(Relm::open(&self.options())?);
        }
        match guard.as_mut() {
            Some(relm) => f(relm),
            None => Err(ApiError::new(ErrorCode::Internal, "no replica open")),
        }
    }

    /// Run `f`, which only reads, on a replica of its own: it neither waits for the writer nor
    /// for other reads. At most [`READERS`] are kept open between calls. A call goes back to
    /// the replica that last answered a call from the same place (`F`'s type names its
    /// function), where the answers kept for it are: a page's revisit then finds them, rather
    /// than the replica another page's call left on top. When that replica is at work (another
    /// page's call took it, or the same question asked ahead) and answering there took long,
    /// the call waits for it, never longer than answering elsewhere would take.
    pub fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Relm) -> Result<T, ApiError>,
    {
        use std::sync::atomic::Ordering;
        let _working = Working::new(&self.activity);
        let generation = self.generation.load(Ordering::SeqCst);
        let kind = std::any::type_name::<F>();
        let began = std::time::Instant::now();
        let (taken, ticket) = {
            let mut pool = self.readers();
            let taken = loop {
                match pool.choose(kind, began.elapsed()) {
                    Ok(i) => break i.map(|i| pool.free.remove(i)),
                    Err(wait) => {
                        pool.waiting += 1;
                        pool = self
                            .returned
                            .wait_timeout(pool, wait)
                            .unwrap_or_else(|p| p.into_inner())
                            .0;
                        pool.waiting -= 1;
                    }
                }
            };
            pool.taken += 1;
            let ticket = pool.taken;
            let served = taken.as_ref().map(|r| r.served.clone()).unwrap_or_default();
            pool.busy.push((ticket, served));
            (taken, ticket)
        };
        let waited = began.elapsed();
        let kinds = taken.as_ref().map(|r| r.served.len());
        let (relm, mut served) = match taken {
            Some(Reader { relm, served }) => (relm, served),
            None => {
                let relm = Relm::open(&self.options())?;
                // A smaller page cache than the writer's: the file's pages stay in the OS's
                // cache, and a reader's own is memory the app keeps (see BENCHMARKS.md).
                let cache = format!("PRAGMA cache_size = -{}", READER_CACHE_KIB);
                if let Err(e) = relm.store().conn().execute_batch(&cache) {
                    tracing::debug!("reader cache size: {e}");
                }
                (relm, Vec::new())
            }
        };
        // One read transaction for the whole call: every query sees the same state, and the
        // file locks are taken once rather than for each statement.
        let answering = std::time::Instant::now();
        let out = relm
            .store()
            .snapshot()
            .map_err(ApiError::from)
            .and_then(|_snapshot| f(&relm));
        // Which replica answered and how long it took (`RELM_LOG=relm_app=debug`), under the
        // command's own span.
        let took = answering.elapsed();
        tracing::debug!(
            opened = kinds.is_none(),
            kinds_answered = kinds.unwrap_or(0),
            waited_ms = waited.as_secs_f64() * 1000.0,
            ms = took.as_secs_f64() * 1000.0,
            "read on a replica"
        );
        let mut pool = self.readers();
        pool.busy.retain(|(t, _)| *t != ticket);
        let mut gone = None;
        if self.generation.load(Ordering::SeqCst) == generation {
            match served.iter_mut().find(|s| s.kind == kind) {
                Some(s) => s.longest = s.longest.max(took),
                None => served.push(Served {
                    kind,
                    longest: took,
                }),
            }
            pool.free.push(Reader { relm, served });
            // More were open at once than are kept: the one whose answers are least missed
            // goes (this one, of those alike), closed once the others are free to take.
            gone = (pool.free.len() > READERS)
                .then(|| fewest(&pool.free).map(|i| pool.free.remove(i)))
                .flatten();
        }
        drop(pool);
        self.returned.notify_all();
        drop(gone);
        out
    }

    fn readers(&self) -> MutexGuard<'_, Pool> {
        self.readers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replace the open replica (after creating or joining a workspace).
    pub fn set(&self, relm: Relm) {
        let mut guard = self.lock();
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.readers().free.clear();
        *guard = Some(relm);
    }

    /// Give back the memory the last calls left (SQLite's page caches, then the allocator's
    /// free pages) once nothing has run for `quiet`: a window left open all day holds what it
    /// needs to show, not what the last big page read. Whether it did (once per quiet spell).
    pub fn release_if_idle(&self, quiet: std::time::Duration) -> bool {
        let busy = || self.activity.busy.load(std::sync::atomic::Ordering::SeqCst) > 0;
        let mut last = self.activity.last.lock().unwrap_or_else(|p| p.into_inner());
        if busy() || !last.is_some_and(|t| t.elapsed() >= quiet) {
            return false;
        }
        // Never wait for a call: one that starts now finds its caches empty, nothing more.
        if let Ok(guard) = self.relm.try_lock() {
            guard.iter().for_each(shrink);
        }
        if let Ok(readers) = self.readers.try_lock() {
            readers.free.iter().for_each(|r| shrink(&r.relm));
        }
        trim_heap();
        *last = None;
        true
    }

    /// Whether no call has been at work for `quiet` (background work waits for it, so as not
    /// to take the cores from what the person is doing).
    pub fn quiet_for(&self, quiet: std::time::Duration) -> bool {
        self.activity.busy.load(std::sync::atomic::Ordering::SeqCst) == 0
            && self
                .activity
                .last
                .lock()
                .map(|last| last.is_none_or(|t| t.elapsed() >= quiet))
                .unwrap_or(false)
    }

    /// Give the allocator's free pages back now: after background work done while the person
    /// is idle, which would otherwise hold them until the next quiet spell's release.
    pub fn trim_after_background(&self) {
        trim_heap();
    }

    /// Whether a workspace exists in the data dir.
    pub fn has_workspace(&self) -> bool {
        self.with(|r| r.summary().map(|_| ())).is_ok()
    }
}

/// Which decisions wait: each release and environment.
fn waiting_keys(
    list: &[relm_api::gates::PendingDecision],
) -> std::collections::HashSet<(String, String)> {
    list.iter()
        .map(|p| (p.release_id.clone(), p.environment.clone()))
        .collect()
}

/// Empty a replica's page cache (SQLite reads again from the OS's file cache when asked).
fn shrink(relm: &Relm) {
    if let Err(e) = relm.store().conn().execute_batch("PRAGMA shrink_memory") {
        tracing::debug!("shrink_memory: {e}");
    }
}

/// Have every thread of the app allocate from one heap. glibc gives each thread that meets
/// another in the allocator a heap of its own (up to 8 per core): after a page's calls on the
/// command threads, each kept its part of what they freed, pages of it still in use by what
/// the app keeps, and `malloc_trim` can give back only whole free pages. With one heap the app
/// held 5 MiB less after launch on the organization's workspace (docs/BENCHMARKS.md). Each
/// thread keeps its own small cache of freed blocks (glibc's tcache), so threads rarely wait
/// for one another. Call before any thread exists.
pub fn one_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt takes no pointer and only changes a glibc setting, under glibc's lock;
    // called from `main` before any other thread exists.
    unsafe {
        // Refused (0), glibc keeps its default: the app works the same, with more memory.
        // Logging has not started yet, so there is no one to tell.
        let _ = libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Give the allocator's free pages back to the OS. glibc returns freed memory only from the
/// top of its heap: after the page caches and a page's answers are freed, the app kept about
/// 70 MiB it no longer used (171 → 99 MiB PSS on the organization's workspace).
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim takes no pointer and only rearranges glibc's own free lists, under
    // glibc's locks; it is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The connectors' syncs hold the workspace one step at a time, through the app's lock.
impl relm_api::connectors::Hold for AppState {
    fn hold<T>(&self, f: impl FnOnce(&mut Relm) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.with(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// The workspace the tests create.
    fn request() -> relm_api::workspace::InitRequest {
        relm_api::workspace::InitRequest {
            workspace: "Readers".into(),
            name: "Ada Lovelace".into(),
            email: "ada@acme.example".into(),
        }
    }

    /// The app's state on a new workspace, its key in memory.
    fn opened() -> (tempfile::TempDir, Arc<AppState>) {
        let dir = tempfile::tempdir().unwrap();
        let keys =
            KeyringChoice::Given(Arc::new(relm_identity::keyring::MemoryKeyStore::default()));
        let state = Arc::new(AppState::new(
            dir.path().to_path_buf(),
            Default::default(),
            keys,
        ));
        let (relm, _) = relm_api::workspace::init(&state.options(), &request()).unwrap();
        state.set(relm);
        (dir, state)
    }

    /// Holds the writer on another thread until the returned sender is used.
    fn hold_writer(state: &Arc<AppState>) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
        let (held, hold) = (mpsc::channel(), mpsc::channel::<()>());
        let writer = {
            let state = state.clone();
            let (held, hold) = (held.0, hold.1);
            std::thread::spawn(move || {
                state
                    .with(|_| {
                        held.send(()).unwrap();
                        hold.recv().unwrap();
                        Ok(())
                    })
                    .unwrap();
            })
        };
        held.1.recv().unwrap();
        (hold.0, writer)
    }

    /// A read runs while a write holds the replica, sees every commit made before it starts,
    /// and a replaced replica's readers are not used again.
    #[test]
    fn reads_do_not_wait_for_the_writer_and_see_its_commits() {
        let (_dir, state) = opened();
        let request = request();
        let release = |version: &str| relm_api::releases::ReleaseInput {
            service: Some("payments".into()),
            version: Some(version.into()),
            title: Some("Readers".into()),
            environments: Some(vec!["prod".into()]),
            ..Default::default()
        };
        let releases = |state: &AppState| state.read(|r| Ok(r.summary()?.releases)).unwrap();
        state.with(|r| r.create_release(&release("1.0.0"))).unwrap();
        assert_eq!(releases(&state), 1);

        // The writer held (a long write, a sync) while a page reads.
        state.with(|r| r.create_release(&release("1.1.0"))).unwrap();
        let (hold, writer) = hold_writer(&state);
        let (read, done) = mpsc::channel();
        {
            let state = state.clone();
            std::thread::spawn(move || read.send(releases(&state)).unwrap());
        }
        let seen = done.recv_timeout(Duration::from_secs(30));
        hold.send(()).unwrap();
        writer.join().unwrap();
        assert_eq!(seen, Ok(2), "the read answered while the writer was held");
        assert_eq!(releases(&state), 2);
        assert!(
            !state.readers().free.is_empty(),
            "a reader is kept for the next read"
        );

        // Another workspace in its place: the readers of the old one go.
        let other = tempfile::tempdir().unwrap();
        let opts = Options {
            data_dir: other.path().to_path_buf(),
            ..state.options()
        };
        let (relm, _) = relm_api::workspace::init(&opts, &request).unwrap();
        state.set(relm);
        assert!(state.readers().free.is_empty());
    }

    /// Marks the replica it runs on (a connection's page cache size is its own, outside any
    /// transaction) and says whether it was marked already.
    fn mark(relm: &Relm) -> Result<bool, ApiError> {
        let conn = relm.store().conn();
        let size: i64 = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        conn.execute_batch("PRAGMA cache_size = -4321").unwrap();
        Ok(size == -4321)
    }

    /// A call goes back to the replica that answered a call of its kind (where the answers
    /// kept for it are), not to the one another call put back last.
    #[test]
    fn a_call_goes_back_to_the_replica_that_answered_its_kind() {
        let (_dir, state) = opened();
        // Two replicas: `mark` runs on a second one while another call holds the first.
        let inner = state.read(|_| state.read(mark)).unwrap();
        assert!(!inner, "a new replica");
        // Another kind of call takes the replica put back last (the first)...
        state.read(|r| r.summary()).unwrap();
        // ... and `mark` goes back to its own.
        assert!(state.read(mark).unwrap(), "back on the replica it marked");
        assert_eq!(state.readers().free.len(), 2);
    }

    // A call's kind is its function's type name: closures of one function share it, so the
    // calls below are functions of their own.
    fn summary(relm: &Relm) -> Result<u64, ApiError> {
        Ok(relm.summary()?.releases)
    }
    fn members(relm: &Relm) -> Result<usize, ApiError> {
        Ok(relm.members()?.len())
    }

    /// `mark`, after as long as computing an answer kept on the replica may take.
    fn slow_mark(relm: &Relm) -> Result<bool, ApiError> {
        std::thread::sleep(Duration::from_secs(1));
        mark(relm)
    }

    /// Holds its replica while [`HOLD`] is set. The tests that hold a replica run one at a
    /// time ([`ONE_HOLDER`]): they share the flag.
    static HOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    static ONE_HOLDER: Mutex<()> = Mutex::new(());
    fn hold_replica(_: &Relm) -> Result<(), ApiError> {
        while HOLD.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    /// `state`'s one replica, which answered `hold_replica` last, held by another thread until
    /// the returned function lets it go (and waits for that call's end).
    fn held(state: &Arc<AppState>) -> impl FnOnce() + Send + use<> {
        use std::sync::atomic::Ordering::SeqCst;
        state.read(hold_replica).unwrap();
        HOLD.store(true, SeqCst);
        let holder = {
            let state = state.clone();
            std::thread::spawn(move || state.read(hold_replica).unwrap())
        };
        while state.readers().busy.is_empty() {
            std::thread::yield_now();
        }
        move || {
            HOLD.store(false, SeqCst);
            holder.join().unwrap();
        }
    }

    /// The replica holding a slow call's answers is at work for another call: the slow call
    /// waits for it rather than answering again elsewhere, without them.
    #[test]
    fn a_slow_call_waits_for_the_replica_holding_its_answers() {
        let _one = ONE_HOLDER.lock().unwrap_or_else(|p| p.into_inner());
        let (_dir, state) = opened();
        assert!(!state.read(slow_mark).unwrap());
        let release = held(&state);
        // Let the replica go once the slow call waits for it.
        let releaser = {
            let state = state.clone();
            std::thread::spawn(move || {
                while state.readers().waiting == 0 {
                    std::thread::yield_now();
                }
                release();
            })
        };
        assert!(
            state.read(slow_mark).unwrap(),
            "answered on the replica that marked, once put back"
        );
        releaser.join().unwrap();
        assert_eq!(state.readers().free.len(), 1, "no other replica opened");
    }

    /// A quick call whose replica is at work takes another at once.
    #[test]
    fn a_quick_call_does_not_wait_for_its_replica() {
        let _one = ONE_HOLDER.lock().unwrap_or_else(|p| p.into_inner());
        let (_dir, state) = opened();
        assert!(!state.read(mark).unwrap());
        let release = held(&state);
        assert!(!state.read(mark).unwrap(), "answered on another replica");
        assert_eq!(
            state.readers().busy.len(),
            1,
            "while the first is still held"
        );
        release();
        assert_eq!(state.readers().free.len(), 2);
    }

    /// A call of a kind no replica answered yet takes the replica that answered the fewest
    /// kinds, not the one holding the answers kept for other pages' calls.
    #[test]
    fn a_new_kind_of_call_leaves_the_replica_holding_answers_alone() {
        let (_dir, state) = opened();
        // The marked replica answers `mark` and `summary`; beside it a second answers
        // `members`, and the marked one is put back last.
        assert!(!state.read(mark).unwrap());
        state.read(summary).unwrap();
        state.read(|_| state.read(members)).unwrap();
        // A call of another new kind while `mark`'s is asked: each on its own replica.
        fn beside(state: &AppState) -> bool {
            state.read(|_| state.read(mark)).unwrap()
        }
        assert!(beside(&state));
    }

    /// When more replicas were open at once than are kept, the one that answered the fewest
    /// kinds goes, not the last put back.
    #[test]
    fn the_replica_holding_most_answers_is_kept() {
        let (_dir, state) = opened();
        assert!(!state.read(mark).unwrap());
        state.read(summary).unwrap();
        state.read(members).unwrap();
        // One more call at once than replicas are kept, of a kind none answered (nested): the
        // marked replica is among them and put back last.
        fn nested(
            state: &AppState,
            depth: usize,
        ) -> Result<relm_api::workspace::Summary, ApiError> {
            if depth == 1 {
                return state.read(|r| r.summary());
            }
            state.read(|_| nested(state, depth - 1))
        }
        assert_eq!(nested(&state, READERS + 1).unwrap().members, 1);
        assert_eq!(state.readers().free.len(), READERS, "one of them went");
        assert!(
            state.read(mark).unwrap(),
            "the marked replica stayed, with its answers"
        );
    }

    /// The caches go once nothing has run for a while, not during a call, once per quiet
    /// spell; the replicas answer as before afterwards.
    #[test]
    fn memory_goes_back_once_the_window_is_quiet() {
        let (_dir, state) = opened();
        let quiet = Duration::from_secs(3600);
        state.read(|r| r.summary()).unwrap();
        assert!(!state.release_if_idle(quiet), "not quiet for an hour yet");
        assert!(state.release_if_idle(Duration::ZERO));
        assert!(
            !state.release_if_idle(Duration::ZERO),
            "once per quiet spell"
        );
        let (release, writer) = hold_writer(&state);
        assert!(!state.release_if_idle(Duration::ZERO), "a call is at work");
        release.send(()).unwrap();
        writer.join().unwrap();
        assert!(state.release_if_idle(Duration::ZERO));
        assert_eq!(state.read(|r| r.summary()).unwrap().members, 1);
        assert!(state.with(|r| r.summary()).is_ok());
    }

    #[test]
    fn each_workspace_has_its_own_instance_name() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let id = instance_id(a.path());
        assert_eq!(id, instance_id(&a.path().join(".")));
        assert_ne!(id, instance_id(b.path()));
        assert!(
            id.len() <= 255
                && id.split('.').all(|part| !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    && !part.starts_with(|c: char| c.is_ascii_digit()))
        );
    }
}
