//! Audit use-cases: verify the whole ledger, show its history as an auditor reads it (filtered,
//! each edit as before → after, overrides and break-glass flagged), export it.

use std::collections::HashMap;
use std::path::Path;

use relm_domain::hlc::Hlc;
use relm_store::events::{self, LogEntry, LogFilter};
use relm_store::verify::{self, Report};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, Result};
use crate::releases::blank_to_none as blank;
use crate::session::Relm;

/// Which part of the history to show; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AuditQuery {
    /// A release id or a unique prefix.
    pub release: Option<String>,
    /// A member: key id, fingerprint, name or e-mail.
    pub member: Option<String>,
    /// An event kind (`release.status_changed`) or a family ending with `.` (`release.`).
    pub kind: Option<String>,
    /// From this date (`2027-03-01`, inclusive) or RFC 3339 instant.
    pub from: Option<String>,
    /// Until this date (inclusive: `2027-03-31` takes in that whole day, UTC), or before this
    /// RFC 3339 instant.
    pub to: Option<String>,
    /// Only overrides, break-glass declarations and emergency approvals.
    pub flagged: bool,
    /// At most this many (newest first); 500 by default, 5000 at most.
    pub limit: Option<u32>,
}

/// What an auditor should not miss about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Flag {
    /// A status change made while the policy blocked it (with its reason).
    Override,
    /// The emergency path declared (break-glass).
    BreakGlass,
    /// A decision on an emergency release.
    EmergencyApproval,
}

/// One field an edit changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldChange {
    pub field: String,
    #[cfg_attr(feature = "ts", ts(type = "JsonValue"))]
    pub before: Value,
    #[cfg_attr(feature = "ts", ts(type = "JsonValue"))]
    pub after: Value,
}

/// A line of the audit history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    #[serde(flatten)]
    pub entry: LogEntry,
    /// For a release edit: each field it changed, before → after.
    pub changes: Vec<FieldChange>,
    pub flags: Vec<Flag>,
}

/// A date (`2027-03-01`: its start, or with `end_of_day` the next day's) or an RFC 3339
/// instant, as packed HLC.
fn hlc_at(v: &str, field: &str, end_of_day: bool) -> Result<i64, relm_domain::DomainError> {
    let ms = if let Ok(d) = chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        d.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis()
    } else {
        chrono::DateTime::parse_from_rfc3339(v.trim())
            .map(|t| t.timestamp_millis())
            .map_err(|_| {
                relm_domain::DomainError::problem(
                    field,
                    relm_domain::ProblemCode::BadTime,
                    format!("`{v}` is not a date (2027-03-01) or an RFC 3339 time"),
                )
                .with("value", relm_domain::text::truncated(v, 80))
            })?
    };
    Ok(Hlc::packed_after(ms - 1))
}

/// What [`Relm::repair`] did: the verification after, and the tables rebuilt.
#[derive(Debug, Clone)]
pub struct Repair {
    pub report: Report,
    /// The tables that differed from the ledger and were rebuilt from it.
    pub rebuilt: Vec<String>,
}

impl Relm {
    /// Check every signature, every author chain, membership and roles at each point, and that
    /// the projections equal a rebuild. A failed check is a `Report` with `ok: false`, not an
    /// error: errors are reserved for not being able to run the check at all.
    pub fn verify(&self) -> Result<Report> {
        self.workspace_id()?;
        Ok(verify::verify(&self.store)?)
    }

    /// Recompute this computer's tables from the ledger when they differ from it (edited or
    /// damaged outside Relm) and the ledger itself is intact: `audit verify` then `rebuild`, with
    /// the check between them. Nothing is signed or sent. Refused when the ledger has problems
    /// of its own, since a rebuild would carry them into the tables. Returns the verification
    /// after the rebuild (the one before when the tables were right).
    pub fn repair_tables(&mut self) -> Result<Report> {
        Ok(self.repair()?.report)
    }

    /// [`Relm::repair_tables`], with the tables it found changed and rebuilt (none when they
    /// all matched the ledger and nothing was written).
    pub fn repair(&mut self) -> Result<Repair> {
        let before = self.verify()?;
        let ledger = before
            .problems
            .iter()
            .filter(|p| p.code != verify::PROJECTION_MISMATCH)
            .count();
        if ledger > 0 {
            let reason = relm_domain::Reason::new(
                relm_domain::ReasonCode::LedgerDamaged,
                format!(
                    "the ledger itself fails verification ({ledger} problem(s) besides the tables; see `relm audit verify`): the tables are not rebuilt from it, and nothing was changed; take the workspace again from a remote or from another member's computer"
                ),
            )
            .with("count", ledger);
            return Err(ApiError::refused(crate::ErrorCode::Conflict, reason));
        }
        if before.ok {
            return Ok(Repair {
                report: before,
                rebuilt: Vec::new(),
            });
        }
        let rebuilt = before.problems.into_iter().map(|p| p.event).collect();
        let events = self.rebuild()?;
        tracing::warn!(
            events,
            "tables rebuilt from the ledger after a verification found them changed"
        );
        Ok(Repair {
            report: self.verify()?,
            rebuilt,
        })
    }

    pub fn audit_log(&self, entity: Option<&str>, limit: u32) -> Result<Vec<LogEntry>> {
        self.workspace_id()?;
        Ok(events::log(self.store.conn(), entity, limit)?)
    }

    /// The history as `q` narrows it, newest first, each edit with what it changed and each
    /// event with its flags.
    pub fn audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        // The history read from the store alone: kept while it stays the same (the audit page
        // asks again at each visit).
        self.audit_kept
            .get(&self.store, q.clone(), || self.audit_read(q))
    }

    fn audit_read(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        self.workspace_id()?;
        let mut problems = relm_domain::Problems::default();
        let from = blank(&q.from).and_then(|v| problems.check(hlc_at(v, "from", false)));
        let to = blank(&q.to).and_then(|v| problems.check(hlc_at(v, "to", true)));
        problems.done()?;
        let filter = LogFilter {
            entity: blank(&q.release)
                .map(|r| self.resolve_release(r).map_err(|e| e.at("release")))
                .transpose()?,
            author: blank(&q.member)
                .map(|m| {
                    self.resolve_member(m)
                        .map(|k| k.0)
                        .map_err(|e| e.at("member"))
                })
                .transpose()?,
            kind: blank(&q.kind).map(String::from),
            from_hlc: from,
            to_hlc: to,
            limit: q.limit.unwrap_or(500).clamp(1, 5000),
        };
        let conn = self.store.conn();
        let mut replays: HashMap<String, HashMap<String, Vec<FieldChange>>> = HashMap::new();
        // Whether a release is an emergency change, read once per release.
        let mut emergency: HashMap<String, bool> = HashMap::new();
        let mut out = Vec::new();
        for entry in events::log_filtered(conn, &filter)? {
            let flags = self.flags(&entry, &mut emergency)?;
            if q.flagged && flags.is_empty() {
                continue;
            }
            let changes = match (&entry.entity, entry.kind.as_str()) {
                (Some(release), "release.updated") => {
                    if !replays.contains_key(release) {
                        let edits = edits_of(&events::log(conn, Some(release), u32::MAX)?);
                        replays.insert(release.clone(), edits);
                    }
                    replays[release].get(&entry.id).cloned().unwrap_or_default()
                }
                _ => Vec::new(),
            };
            out.push(AuditEntry {
                entry,
                changes,
                flags,
            });
        }
        Ok(out)
    }

    fn flags(&self, e: &LogEntry, emergency: &mut HashMap<String, bool>) -> Result<Vec<Flag>> {
        let p = &e.payload;
        Ok(match e.kind.as_str() {
            "release.status_changed" if p["blocked"].as_array().is_some_and(|b| !b.is_empty()) => {
                vec![Flag::Override]
            }
            "emergency.declared" => vec![Flag::BreakGlass],
            "approval.recorded" => {
                let is_emergency = match &e.entity {
                    Some(id) => match emergency.get(id) {
                        Some(known) => *known,
                        None => {
                            let yes = relm_store::projection::releases::get(self.store.conn(), id)?
                                .is_some_and(|r| {
                                    r.fields.change_type
                                        == relm_domain::release::ChangeType::Emergency
                                });
                            emergency.insert(id.clone(), yes);
                            yes
                        }
                    },
                    None => false,
                };
                if is_emergency {
                    vec![Flag::EmergencyApproval]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        })
    }

    /// The history as `q` narrows it, written to `path` as CSV (UTF-8, RFC 4180), one row per
    /// event: time, signed at, author, kind, release, flags, summary of changes, event id and
    /// hash. Cells a spreadsheet would run as a formula are quoted as text.
    pub fn export_audit_csv(&self, q: &AuditQuery, path: &Path) -> Result<usize> {
        let entries = self.audit(q)?;
        let mut csv = String::from(
            "time,signed_at,author,author_key,kind,release,flags,changes,note,event_id,hash\r\n",
        );
        for e in &entries {
            let changes: Vec<String> = e
                .changes
                .iter()
                .map(|c| format!("{}: {} -> {}", c.field, c.before, c.after))
                .collect();
            let flags: Vec<&str> = e
                .flags
                .iter()
                .map(|f| match f {
                    Flag::Override => "override",
                    Flag::BreakGlass => "break_glass",
                    Flag::EmergencyApproval => "emergency_approval",
                })
                .collect();
            let p = &e.entry.payload;
            let note = ["note", "comment", "reason", "justification"]
                .iter()
                .find_map(|k| p[*k].as_str())
                .unwrap_or_default();
            let row = [
                e.entry.at.as_str(),
                e.entry.signed_at.as_deref().unwrap_or_default(),
                e.entry.author_name.as_deref().unwrap_or_default(),
                e.entry.author.as_str(),
                e.entry.kind.as_str(),
                e.entry.entity.as_deref().unwrap_or_default(),
                &flags.join(" "),
                &changes.join("; "),
                note,
                e.entry.id.as_str(),
                e.entry.hash.as_str(),
            ];
            let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
            csv.push_str(&cells.join(","));
            csv.push_str("\r\n");
        }
        std::fs::write(path, csv).map_err(|e| {
            ApiError::invalid("path", format!("cannot write {}: {e}", path.display()))
        })?;
        Ok(entries.len())
    }
}

/// One CSV cell: quoted when it holds a comma, a quote or a line break; text a spreadsheet
/// would evaluate (`=`, `+`, `-`, `@` first) is kept as text with a leading `'`.
fn csv_cell(v: &str) -> String {
    let v = formula_safe(v);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) kept as text with a
/// leading `'`.
fn formula_safe(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// For each `release.updated` event of one release's history (any order), what it changed:
/// the release's fields replayed in ledger order from its creation.
fn edits_of(history: &[LogEntry]) -> HashMap<String, Vec<FieldChange>> {
    let mut ordered: Vec<&LogEntry> = history.iter().collect();
    // `log` is newest first; replay oldest first.
    ordered.reverse();
    let mut fields: serde_json::Map<String, Value> = serde_json::Map::new();
    let mut out = HashMap::new();
    for e in ordered {
        match e.kind.as_str() {
            "release.created" => {
                if let Some(f) = e.payload["fields"].as_object() {
                    fields = f.clone();
                }
            }
            "release.updated" => {
                let mut changes = Vec::new();
                let patch = e.payload["patch"].as_object().cloned().unwrap_or_default();
                for (key, after) in patch {
                    let (key, after) = match key.as_str() {
                        "clear_window" if after == Value::Bool(true) => {
                            ("window".into(), Value::Null)
                        }
                        "clear_window" => continue,
                        _ => (key, after),
                    };
                    let before = fields.get(&key).cloned().unwrap_or(Value::Null);
                    if before != after {
                        changes.push(FieldChange {
                            field: key.clone(),
                            before,
                            after: after.clone(),
                        });
                    }
                    fields.insert(key, after);
                }
                out.insert(e.id.clone(), changes);
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_kept_as_text() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }
}
