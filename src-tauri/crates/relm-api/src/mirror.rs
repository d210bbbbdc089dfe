//! Relm's freezes and windows mirrored to the platforms that enforce them: hard freezes as
//! GitLab deploy freeze periods; freezes (deny) and windows (allow) as Argo CD sync windows of
//! the application's project.
//!
//! Planned at each sync from the calendar and what the platform said in the same pull, each
//! write an outbox entry, delivered as the others are: re-checked against the platform just
//! before it is sent (a freeze period with the same times already there is not written again),
//! recorded as a `platform.written` event with the platform's id, never sent twice. Only what
//! Relm wrote is changed or deleted (remembered locally, as GitLab keeps no note on a freeze
//! period); the team's own stay. No new write is planned while one of the connection's is
//! still on its way, so two plans never cross.
//!
//! Where the platform's form cannot say exactly what Relm means, what is written always covers
//! the freeze, and the sync report says where it is wider ([`relm_connect::freeze`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use relm_calendar::{Entry, Kind, Level};
use relm_connect::argocd::SyncWindow;
use relm_connect::connector::{Platform, Pulled};
use relm_connect::fetch::Api;
use relm_connect::freeze::translate;
use relm_connect::gitlab::FreezePeriod;
use relm_domain::ids::CalendarEntryId;
use relm_domain::{Reason, ReasonCode};
use relm_store::connectors::{self as store, ConnectorRow};
use relm_store::outbox;
use serde_json::{Value, json};

use crate::connectors::Delivered;
use crate::error::{ApiError, Result};
use crate::session::Relm;

/// The outbox kinds of mirrored freezes and windows.
pub const GITLAB_CREATE: &str = "gitlab.freeze.create";
pub const GITLAB_UPDATE: &str = "gitlab.freeze.update";
pub const GITLAB_DELETE: &str = "gitlab.freeze.delete";
pub const ARGO_WINDOWS: &str = "argocd.windows";

/// What a sync plans for the platform's freezes: outbox entries (kind, key, payload), windows
/// Relm wrote that are gone from the platform (to forget), and where the platform's windows
/// cover more than Relm's.
#[derive(Debug, Default)]
pub struct Mirror {
    pub queued: Vec<(String, String, String)>,
    pub gone: Vec<String>,
    pub wider: Vec<String>,
}

/// One window wanted on the platform, and the calendar entries it stands for.
struct Want<W> {
    window: W,
    entries: Vec<String>,
}

/// Add `window` for `entry`, once however many entries ask for it.
fn want<W>(list: &mut Vec<Want<W>>, window: W, entry: &str, same: impl Fn(&W, &W) -> bool) {
    match list.iter_mut().find(|w| same(&w.window, &window)) {
        Some(w) => {
            if !w.entries.iter().any(|e| e == entry) {
                w.entries.push(entry.to_string());
            }
        }
        None => list.push(Want {
            window,
            entries: vec![entry.to_string()],
        }),
    }
}

/// An Argo CD window's identity among those Relm wrote (what it says, description aside).
fn argo_id(w: &SyncWindow) -> String {
    let mut apps = w.applications.clone();
    apps.sort();
    format!(
        "{} {} for {} in {} on {}{}",
        w.kind,
        w.schedule,
        w.duration,
        w.time_zone,
        apps.join(","),
        if w.manual_sync { " (manual sync)" } else { "" }
    )
}

fn is_hard(e: &Entry) -> bool {
    e.kind == Kind::Freeze && e.level != Some(Level::Soft)
}

impl Relm {
    /// The writes that make the platform's freezes what the calendar says, for `row`'s
    /// connection, from what `pulled` read of them (nothing when it could not read them).
    pub(crate) fn plan_mirror(
        &self,
        row: &ConnectorRow,
        platform: Platform,
        pulled: &Pulled,
        now: DateTime<Utc>,
    ) -> Result<Mirror> {
        let conn = self.store.conn();
        let mut out = Mirror::default();
        let prefix = match platform {
            Platform::GitLab => "gitlab.freeze",
            Platform::ArgoCd => ARGO_WINDOWS,
            Platform::GitHub => return Ok(out),
        };
        if outbox::unfinished(conn, &row.name, prefix)? {
            return Ok(out);
        }
        let entries = relm_store::projection::calendar::entries(conn)?;
        let mine: BTreeMap<String, String> = store::windows(conn, &row.name)?.into_iter().collect();
        let at = now.timestamp_millis();
        match (platform, &pulled.freezes, &pulled.windows) {
            (Platform::GitLab, Some(periods), _) => {
                let mut wanted: Vec<Want<FreezePeriod>> = Vec::new();
                for (id, e) in entries.iter() {
                    if !is_hard(e)
                        || !(e.scope.services.is_empty() || e.scope.services.contains(&row.service))
                    {
                        continue;
                    }
                    let t = match translate(e, now) {
                        Ok(t) => t,
                        Err(why) => {
                            out.wider
                                .push(format!("`{}` is not written to GitLab: {why}", e.name));
                            continue;
                        }
                    };
                    if t.windows.is_empty() {
                        continue;
                    }
                    for w in &t.windows {
                        let p = FreezePeriod {
                            id: String::new(),
                            start: w.start.clone(),
                            end: w.end.clone(),
                            zone: w.zone.clone(),
                        };
                        want(&mut wanted, p, id, FreezePeriod::same);
                    }
                    if !e.scope.environments.is_empty() {
                        out.wider.push(format!(
                            "`{}` on GitLab: a freeze period freezes the whole project, not only {}",
                            e.name,
                            e.scope.environments.join(", ")
                        ));
                    }
                    out.wider.extend(
                        t.wider
                            .iter()
                            .filter(|w| !w.starts_with("Argo CD"))
                            .map(|w| format!("`{}` on GitLab: {w}", e.name)),
                    );
                }
                let owned: Vec<&FreezePeriod> = periods
                    .iter()
                    .filter(|p| mine.contains_key(&p.id))
                    .collect();
                out.gone = mine
                    .keys()
                    .filter(|id| !periods.iter().any(|p| &p.id == *id))
                    .cloned()
                    .collect();
                let missing: Vec<&Want<FreezePeriod>> = wanted
                    .iter()
                    .filter(|w| !periods.iter().any(|p| p.same(&w.window)))
                    .collect();
                let obsolete: Vec<&&FreezePeriod> = owned
                    .iter()
                    .filter(|p| !wanted.iter().any(|w| w.window.same(p)))
                    .collect();
                let project = &row.target;
                for (n, w) in missing.iter().enumerate() {
                    let p = &w.window;
                    let times = format!("{} until {} in {}", p.start, p.end, p.zone);
                    let (kind, mut payload) = match obsolete.get(n) {
                        Some(old) => (
                            GITLAB_UPDATE,
                            json!({"project": project, "id": old.id, "was": old}),
                        ),
                        None => (GITLAB_CREATE, json!({"project": project})),
                    };
                    payload["period"] = json!(p);
                    payload["entries"] = json!(w.entries);
                    let key = format!("{kind}:{project}:{times}@{at}");
                    out.queued.push((kind.into(), key, payload.to_string()));
                }
                for old in obsolete.iter().skip(missing.len()) {
                    let key = format!("{GITLAB_DELETE}:{project}#{}@{at}", old.id);
                    let payload = json!({"project": project, "id": old.id, "was": old});
                    out.queued
                        .push((GITLAB_DELETE.into(), key, payload.to_string()));
                }
            }
            (Platform::ArgoCd, _, Some((project, windows))) => {
                let env = crate::connectors::relm_env(row, &row.target);
                let mut wanted: Vec<Want<SyncWindow>> = Vec::new();
                for (id, e) in entries.iter() {
                    if !e.scope.covers(&row.service, &env) {
                        continue;
                    }
                    let (kind, manual) = match (e.kind, is_hard(e)) {
                        (Kind::Freeze, hard) => ("deny", !hard),
                        (Kind::Window, _) => ("allow", false),
                    };
                    let t = match translate(e, now) {
                        Ok(t) => t,
                        Err(why) => {
                            out.wider
                                .push(format!("`{}` is not written to Argo CD: {why}", e.name));
                            continue;
                        }
                    };
                    for w in &t.windows {
                        let s = SyncWindow {
                            kind: kind.into(),
                            schedule: w.start.clone(),
                            duration: w.argo_duration(),
                            applications: vec![row.target.clone()],
                            manual_sync: manual,
                            time_zone: w.zone.clone(),
                            description: format!("Relm: {}", e.name),
                        };
                        want(&mut wanted, s, id, |a, b| argo_id(a) == argo_id(b));
                    }
                    if !t.windows.is_empty() {
                        let what = if kind == "allow" { "window" } else { "freeze" };
                        out.wider.extend(
                            t.wider
                                .iter()
                                .map(|w| w.strip_prefix("Argo CD: ").unwrap_or(w))
                                .map(|w| format!("`{}` ({what}) on Argo CD: {w}", e.name)),
                        );
                    }
                }
                let is_there = |s: &SyncWindow| windows.iter().any(|w| s.is(w));
                let owned: Vec<SyncWindow> = mine
                    .values()
                    .filter_map(|c| serde_json::from_str::<SyncWindow>(c).ok())
                    .filter(|s| is_there(s))
                    .collect();
                out.gone = mine
                    .iter()
                    .filter(|(_, c)| {
                        serde_json::from_str::<SyncWindow>(c).map_or(true, |s| !is_there(&s))
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                let add: Vec<&Want<SyncWindow>> =
                    wanted.iter().filter(|w| !is_there(&w.window)).collect();
                let remove: Vec<&SyncWindow> = owned
                    .iter()
                    .filter(|o| !wanted.iter().any(|w| argo_id(&w.window) == argo_id(o)))
                    .collect();
                if !add.is_empty() || !remove.is_empty() {
                    let entries: Vec<&String> = add.iter().flat_map(|w| &w.entries).collect();
                    let payload = json!({
                        "project": project,
                        "add": add.iter().map(|w| &w.window).collect::<Vec<_>>(),
                        "remove": remove,
                        "entries": entries,
                    });
                    let key = format!(
                        "{ARGO_WINDOWS}:{project}:+{}-{}@{at}",
                        add.len(),
                        remove.len()
                    );
                    out.queued
                        .push((ARGO_WINDOWS.into(), key, payload.to_string()));
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// Remember what a delivered mirror entry wrote (or deleted), in the transaction that marks
    /// it done: the calendar entries it stands for.
    pub(crate) fn mirror_written(
        tx: &relm_store::Transaction<'_>,
        entry: &outbox::OutboxRow,
        payload: &Value,
        remote_id: &str,
        at: i64,
    ) -> Result<Vec<CalendarEntryId>> {
        let name = &entry.connector;
        let period = |k: &str| serde_json::from_value::<FreezePeriod>(payload[k].clone()).ok();
        let field = |k: &str| payload[k].as_str().unwrap_or_default().to_string();
        match entry.kind.as_str() {
            GITLAB_CREATE | GITLAB_UPDATE => {
                if entry.kind == GITLAB_UPDATE && field("id") != remote_id {
                    store::window_gone(tx, name, &field("id"))?;
                }
                if let Some(mut p) = period("period") {
                    p.id = remote_id.to_string();
                    let content = serde_json::to_string(&p).unwrap_or_default();
                    store::window_written(tx, name, remote_id, &content, at)?;
                }
            }
            GITLAB_DELETE => store::window_gone(tx, name, &field("id"))?,
            ARGO_WINDOWS => {
                let list = |k: &str| {
                    serde_json::from_value::<Vec<SyncWindow>>(payload[k].clone())
                        .unwrap_or_default()
                };
                for w in list("remove") {
                    store::window_gone(tx, name, &argo_id(&w))?;
                }
                for w in list("add") {
                    let content = serde_json::to_string(&w).unwrap_or_default();
                    store::window_written(tx, name, &argo_id(&w), &content, at)?;
                }
            }
            _ => return Ok(Vec::new()),
        }
        Ok(payload["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str().map(|s| CalendarEntryId(s.to_string())))
            .collect())
    }
}

/// Deliver a mirror entry (network only): re-read the platform, then write what is still
/// needed; `None` when `entry` is not one.
pub(crate) fn deliver(
    api: &Api,
    entry: &outbox::OutboxRow,
    p: &Value,
) -> Option<Result<Delivered>> {
    let field = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let period = |k: &str| serde_json::from_value::<FreezePeriod>(p[k].clone());
    let remote = ApiError::from;
    let bad =
        |e: serde_json::Error| ApiError::validation(format!("outbox entry {}: {e}", entry.id));
    let project = field("project");
    let run = |f: std::pin::Pin<Box<dyn Future<Output = Result<Delivered>> + '_>>| {
        Relm::runtime().and_then(|rt| rt.block_on(f))
    };
    use relm_connect::gitlab as gl;
    Some(match entry.kind.as_str() {
        GITLAB_CREATE => run(Box::pin(async {
            let want = period("period").map_err(bad)?;
            let (now, _) = gl::freeze_periods(api, &project).await.map_err(remote)?;
            if let Some(there) = now.iter().find(|x| x.same(&want)) {
                // Written before (a delivery cut short after GitLab took it), or by the team.
                return Ok(Delivered::Done(there.id.clone()));
            }
            let id = gl::create_freeze(api, &project, &want)
                .await
                .map_err(remote)?;
            Ok(Delivered::Done(id))
        })),
        GITLAB_UPDATE => run(Box::pin(async {
            let want = period("period").map_err(bad)?;
            let id = field("id");
            let (now, _) = gl::freeze_periods(api, &project).await.map_err(remote)?;
            match now.iter().find(|x| x.id == id) {
                Some(old) if old.same(&want) => Ok(Delivered::Done(id)),
                Some(_) => {
                    let id = gl::update_freeze(api, &project, &id, &want)
                        .await
                        .map_err(remote)?;
                    Ok(Delivered::Done(id))
                }
                None => Ok(Delivered::Dropped(
                    Reason::new(
                        ReasonCode::FreezeDeleted,
                        format!(
                            "freeze period {id} was deleted on GitLab; the next sync writes the freeze again"
                        ),
                    )
                    .with("id", id),
                )),
            }
        })),
        GITLAB_DELETE => run(Box::pin(async {
            let id = field("id");
            let (now, _) = gl::freeze_periods(api, &project).await.map_err(remote)?;
            if now.iter().any(|x| x.id == id) {
                gl::delete_freeze(api, &project, &id)
                    .await
                    .map_err(remote)?;
            }
            Ok(Delivered::Done(id))
        })),
        ARGO_WINDOWS => run(Box::pin(async {
            let list = |k: &str| serde_json::from_value::<Vec<SyncWindow>>(p[k].clone());
            let (add, remove) = (list("add").map_err(bad)?, list("remove").map_err(bad)?);
            let now = relm_connect::argocd::project(api, &project)
                .await
                .map_err(remote)?;
            let version = |v: &Value| {
                v.pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            match relm_connect::argocd::rewritten(&now, &add, &remove) {
                None => Ok(Delivered::Done(format!(
                    "project {project} at {}",
                    version(&now)
                ))),
                Some(next) => {
                    let v = relm_connect::argocd::update_project(api, &project, &next)
                        .await
                        .map_err(remote)?;
                    Ok(Delivered::Done(format!("project {project} at {v}")))
                }
            }
        })),
        _ => return None,
    })
}
