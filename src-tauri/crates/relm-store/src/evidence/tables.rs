//! The facts of a set of releases as CSV tables, each row naming the event it rests on.
//!
//! An evidence pack carries them for tools (a spreadsheet, a script); its verifier rebuilds
//! them from the pack's events alone and compares the bytes, so a table can say nothing its
//! events do not. The columns and their meanings are one list, [`TABLES`]: the header rows and
//! the pack's column dictionary both come from it.

use std::collections::{BTreeMap, BTreeSet};

use relm_domain::hlc::Hlc;
use relm_domain::keys::KeyId;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::projection::governance::people;

/// A table: its file name (without `.csv`) and its columns with what each means.
#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub about: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
}

/// Every table, in the order they are written.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "releases",
        about: "The releases the report covers, as they stand at the ledger's head.",
        columns: &[
            ("id", "Release id"),
            ("service", "Service released"),
            ("version", "Version released"),
            ("title", "Title"),
            ("change_type", "standard, normal or emergency"),
            ("status", "Lifecycle status"),
            ("risk", "Risk level (low, medium, high, critical)"),
            ("owner", "Key id of the release's owner"),
            ("owner_name", "The owner's name"),
            (
                "environments",
                "Environments it goes to, space-separated, in order",
            ),
            (
                "window_start",
                "Start of its deployment window (UTC, RFC 3339), empty when none",
            ),
            (
                "window_end",
                "End of its deployment window (UTC, RFC 3339), empty when none",
            ),
            ("window_zone", "The window's IANA time zone"),
            ("created_at", "When it was created (UTC, RFC 3339)"),
            ("created_event", "Id of the event that created it"),
            ("last_event", "Id of the latest event about it"),
        ],
    },
    TableSpec {
        name: "approvals",
        about: "Every decision signed on these releases that the ledger applied (a decision by someone without the role is not here; events.ndjson still holds it).",
        columns: &[
            ("event", "Id of the decision's event"),
            ("release", "Release id"),
            ("environment", "Environment decided for"),
            ("decision", "approve or reject"),
            ("by", "Key id of the signer"),
            ("by_name", "The signer's name"),
            ("at", "When it was signed (UTC, RFC 3339)"),
            (
                "policy_version",
                "Version of the policy in force when signed",
            ),
            (
                "expires_at",
                "When it lapses (UTC, RFC 3339), empty when it does not",
            ),
            (
                "release_digest",
                "Digest of the release's governed fields the signer saw",
            ),
            (
                "still_matches",
                "yes when the release's governed fields are still those the signer saw",
            ),
            ("comment", "The signer's comment"),
        ],
    },
    TableSpec {
        name: "deployments",
        about: "Every deployment recorded for these releases.",
        columns: &[
            (
                "event",
                "Id of the deployment's event; EVENT/N for the Nth (from 0) of an import",
            ),
            ("release", "Release id"),
            ("environment", "Environment deployed to"),
            ("service", "Service deployed"),
            ("started_at", "When it started (UTC, RFC 3339)"),
            ("ended_at", "When it ended (UTC, RFC 3339)"),
            ("recorded_outcome", "Outcome as recorded"),
            (
                "outcome",
                "Outcome as it stands (a rollback makes it rolled_back)",
            ),
            ("tool", "Tool that ran it"),
            ("reference", "Its reference in that tool"),
            ("link", "Link to it in that tool"),
            (
                "deviations",
                "What departed from the plan, as a JSON array ([] when nothing did)",
            ),
            ("by", "Key id of the member who recorded it"),
            (
                "rolled_back_by",
                "Id of the rollback event that undid it, empty when none",
            ),
        ],
    },
    TableSpec {
        name: "risks",
        about: "The risks of the register linked to these releases or to their services.",
        columns: &[
            ("id", "Risk id"),
            ("title", "Title"),
            ("category", "Category"),
            ("status", "open, mitigating, accepted or closed"),
            ("likelihood", "Inherent likelihood (1-5)"),
            ("impact", "Inherent impact (1-5)"),
            ("score", "Inherent score (likelihood × impact)"),
            ("residual_score", "Residual score"),
            ("owner", "Key id of the risk's owner"),
            (
                "accepted_until",
                "End of its acceptance (UTC, RFC 3339), empty when not accepted",
            ),
            (
                "linked_to",
                "What links it here: release:<id> or service:<name>, space-separated",
            ),
            ("last_event", "Id of the latest event about it"),
        ],
    },
    TableSpec {
        name: "reviews",
        about: "The post-release reviews of these releases.",
        columns: &[
            ("release", "Release id"),
            ("revision", "Number of edits"),
            ("digest", "Digest of its content as it stands"),
            ("opened_at", "When it was opened (UTC, RFC 3339)"),
            ("opened_by", "Key id of who opened it"),
            ("updated_at", "When it was last edited (UTC, RFC 3339)"),
            (
                "signed_at",
                "When its owner and an approver had both signed it off (UTC, RFC 3339), empty until then",
            ),
            (
                "signed_by",
                "Key ids of those who signed its current content, space-separated",
            ),
            ("last_event", "Id of the latest review event"),
        ],
    },
    TableSpec {
        name: "actions",
        about: "The follow-up actions of these releases' reviews.",
        columns: &[
            ("id", "Action id"),
            ("release", "Release id"),
            ("title", "What is to be done"),
            ("owner", "Key id of who does it"),
            ("due", "Due date (YYYY-MM-DD)"),
            ("created_at", "When it was added (UTC, RFC 3339)"),
            ("created_event", "Id of the event that added it"),
            (
                "done_at",
                "When it was done (UTC, RFC 3339), empty while open",
            ),
            ("done_by", "Key id of who marked it done"),
        ],
    },
];

fn time(hlc: i64) -> String {
    relm_domain::window::fmt_utc(Hlc::from_packed(hlc).to_datetime())
}

fn time_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(relm_domain::window::fmt_utc)
        .unwrap_or_default()
}

fn opt_time(hlc: Option<i64>) -> String {
    hlc.map(time).unwrap_or_default()
}

fn csv_bytes(spec: &TableSpec, rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let bad = |e: csv::Error| StoreError::Corrupt(format!("writing {}.csv: {e}", spec.name));
    w.write_record(spec.columns.iter().map(|c| c.0))
        .map_err(bad)?;
    for row in rows {
        debug_assert_eq!(row.len(), spec.columns.len(), "{}", spec.name);
        w.write_record(&row).map_err(bad)?;
    }
    w.into_inner()
        .map_err(|e| StoreError::Corrupt(format!("writing {}.csv: {e}", spec.name)))
}

/// The column dictionary: `table,column,meaning`, then each table's own line (column empty).
pub fn dictionary() -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let bad = |e: csv::Error| StoreError::Corrupt(format!("writing the dictionary: {e}"));
    w.write_record(["table", "column", "meaning"])
        .map_err(bad)?;
    for t in TABLES {
        w.write_record([t.name, "", t.about]).map_err(bad)?;
        for (c, m) in t.columns {
            w.write_record([t.name, c, m]).map_err(bad)?;
        }
    }
    w.into_inner()
        .map_err(|e| StoreError::Corrupt(format!("writing the dictionary: {e}")))
}

/// The tables of `releases` (ids; order does not matter), as `(name, CSV bytes)` in
/// [`TABLES`]' order: the facts from the projections of `conn`, the events they rest on from
/// the ledger of `ledger` (the same connection for a workspace; an evidence pack's verifier
/// keeps the two apart). Rows are sorted so the same ledger gives the same bytes.
pub fn tables(
    conn: &Connection,
    ledger: &Connection,
    releases: &[String],
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let ids: BTreeSet<&str> = releases.iter().map(String::as_str).collect();
    let names = people(conn)?;
    let name = |k: &str| {
        names
            .get(&KeyId(k.to_string()))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::with_capacity(TABLES.len());
    let mut last_event = ledger.prepare_cached(
        "SELECT id FROM events WHERE entity = ?1 ORDER BY hlc DESC, author DESC, seq DESC LIMIT 1",
    )?;
    let mut last_of = |entity: &str| -> Result<String> {
        Ok(last_event
            .query_row([entity], |r| r.get::<_, String>(0))
            .optional()?
            .unwrap_or_default())
    };
    let mut kind_events = ledger.prepare_cached(
        "SELECT id, body FROM events WHERE entity = ?1 AND kind = ?2 ORDER BY hlc, author, seq",
    )?;

    // Releases, and the services they are of (for the risks linked by service).
    let mut releases_rows = Vec::new();
    let mut services = BTreeSet::new();
    let mut digests: BTreeMap<String, String> = BTreeMap::new();
    for id in &ids {
        let Some(row) = crate::projection::releases::get(conn, id)? else {
            continue;
        };
        let f = &row.fields;
        services.insert(f.service.clone());
        digests.insert(
            id.to_string(),
            f.governed_digest(&relm_domain::ids::ReleaseId(id.to_string())),
        );
        let created: Option<String> = kind_events
            .query_map(params![id, "release.created"], |r| r.get::<_, String>(0))?
            .next()
            .transpose()?;
        releases_rows.push(vec![
            id.to_string(),
            f.service.clone(),
            f.version.clone(),
            f.title.clone(),
            f.change_type.as_str().to_string(),
            row.status.as_str().to_string(),
            f.risk.as_str().to_string(),
            f.owner.0.clone(),
            name(&f.owner.0),
            f.environments.join(" "),
            f.window
                .as_ref()
                .map(|w| relm_domain::window::fmt_utc(w.start))
                .unwrap_or_default(),
            f.window
                .as_ref()
                .map(|w| relm_domain::window::fmt_utc(w.end))
                .unwrap_or_default(),
            f.window.as_ref().map(|w| w.tz.clone()).unwrap_or_default(),
            row.created_at.clone(),
            created.unwrap_or_default(),
            last_of(id)?,
        ]);
    }
    out.push(("releases", csv_bytes(&TABLES[0], releases_rows)?));

    let known: Vec<&str> = digests.keys().map(String::as_str).collect();
    let mut approvals = Vec::new();
    let mut deployments = Vec::new();
    let mut reviews = Vec::new();
    let mut actions = Vec::new();
    let mut a_stmt = conn.prepare_cached(
        "SELECT event_id, environment, decision, by_key, at_hlc, policy_version, expires_at,
                release_digest, comment
         FROM approvals WHERE release_id = ?1 ORDER BY at_hlc, event_id",
    )?;
    let mut d_stmt = conn.prepare_cached(
        "SELECT event_id, environment, service, started_ms, ended_ms, recorded_outcome, outcome,
                tool, external_ref, link, deviations, by_key, rolled_back_by
         FROM deployments WHERE release_id = ?1 ORDER BY started_ms, event_id",
    )?;
    let mut r_stmt = conn.prepare_cached(
        "SELECT revision, digest, opened_hlc, opened_by, updated_hlc, signed_hlc
         FROM reviews WHERE release_id = ?1",
    )?;
    let mut s_stmt = conn.prepare_cached(
        "SELECT DISTINCT by_key FROM review_signatures WHERE release_id = ?1 AND digest = ?2
         ORDER BY by_key",
    )?;
    let mut last_review = ledger.prepare_cached(
        "SELECT id FROM events WHERE entity = ?1 AND kind IN ('review.updated', 'review.signed')
         ORDER BY hlc DESC, author DESC, seq DESC LIMIT 1",
    )?;
    let mut act_stmt = conn.prepare_cached(
        "SELECT id, title, owner, due, created_hlc, done_hlc, done_by
         FROM actions WHERE release_id = ?1 ORDER BY created_hlc, id",
    )?;
    for id in &known {
        let digest = &digests[*id];
        let rows = a_stmt.query_map([id], |r| {
            let matches = r.get::<_, String>(7)? == *digest;
            let by: String = r.get(3)?;
            Ok(vec![
                r.get(0)?,
                id.to_string(),
                r.get(1)?,
                r.get(2)?,
                by.clone(),
                name(&by),
                time(r.get(4)?),
                r.get::<_, i64>(5)?.to_string(),
                r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                r.get(7)?,
                if matches { "yes" } else { "no" }.to_string(),
                r.get(8)?,
            ])
        })?;
        for row in rows {
            approvals.push(row?);
        }
        let rows = d_stmt.query_map([id], |r| {
            Ok(vec![
                r.get(0)?,
                id.to_string(),
                r.get(1)?,
                r.get(2)?,
                time_ms(r.get(3)?),
                time_ms(r.get(4)?),
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                r.get(10)?,
                r.get(11)?,
                r.get::<_, Option<String>>(12)?.unwrap_or_default(),
            ])
        })?;
        for row in rows {
            deployments.push(row?);
        }
        let review = r_stmt
            .query_row([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })
            .optional()?;
        if let Some((revision, digest, opened, by, updated, signed)) = review {
            let signers: Vec<String> = s_stmt
                .query_map(params![id, digest], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let last: String = last_review
                .query_row([id], |r| r.get(0))
                .optional()?
                .unwrap_or_default();
            reviews.push(vec![
                id.to_string(),
                revision.to_string(),
                digest,
                time(opened),
                by,
                time(updated),
                opt_time(signed),
                signers.join(" "),
                last,
            ]);
        }
        // The event that added each action: its payload names the action.
        let mut added: BTreeMap<String, String> = BTreeMap::new();
        let rows = kind_events.query_map(params![id, "action.added"], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (event, body) = row?;
            let v: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| StoreError::Corrupt(format!("event {event}: {e}")))?;
            if let Some(a) = v.pointer("/payload/action_id").and_then(|a| a.as_str()) {
                added.entry(a.to_string()).or_insert(event);
            }
        }
        let rows = act_stmt.query_map([id], |r| {
            let action: String = r.get(0)?;
            Ok(vec![
                action.clone(),
                id.to_string(),
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                time(r.get(4)?),
                added.get(&action).cloned().unwrap_or_default(),
                opt_time(r.get(5)?),
                r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            ])
        })?;
        for row in rows {
            actions.push(row?);
        }
    }

    // Risks linked to one of the releases or to one of their services.
    let mut links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut l_stmt =
        conn.prepare_cached("SELECT risk_id FROM risk_links WHERE kind = ?1 AND target = ?2")?;
    for (kind, targets) in [
        (
            "release",
            known.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ),
        ("service", services.iter().cloned().collect()),
    ] {
        for target in targets {
            let found: Vec<String> = l_stmt
                .query_map(params![kind, target], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for risk in found {
                links
                    .entry(risk)
                    .or_default()
                    .insert(format!("{kind}:{target}"));
            }
        }
    }
    let mut risks = Vec::new();
    let mut k_stmt = conn.prepare_cached(
        "SELECT title, category, status, likelihood, impact, score, residual_score, owner,
                accepted_until
         FROM risks WHERE id = ?1",
    )?;
    for (risk, linked) in &links {
        let Some(mut row) = k_stmt
            .query_row([risk], |r| {
                Ok(vec![
                    risk.clone(),
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)?.to_string(),
                    r.get::<_, i64>(4)?.to_string(),
                    r.get::<_, i64>(5)?.to_string(),
                    r.get::<_, i64>(6)?.to_string(),
                    r.get(7)?,
                    r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                ])
            })
            .optional()?
        else {
            continue;
        };
        row.push(linked.iter().cloned().collect::<Vec<_>>().join(" "));
        row.push(last_of(risk)?);
        risks.push(row);
    }
    out.push(("approvals", csv_bytes(&TABLES[1], approvals)?));
    out.push(("deployments", csv_bytes(&TABLES[2], deployments)?));
    out.push(("risks", csv_bytes(&TABLES[3], risks)?));
    out.push(("reviews", csv_bytes(&TABLES[4], reviews)?));
    out.push(("actions", csv_bytes(&TABLES[5], actions)?));
    Ok(out)
}
