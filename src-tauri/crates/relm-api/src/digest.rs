//! The stakeholder digest of a period: what is planned, the freezes ahead, what is blocked and
//! why, what shipped, and what failed with its review. Gathered once as data ([`Digest`]), laid
//! out once as an outline of headed lists, then written as Markdown, HTML, an e-mail (`.eml`)
//! any mail client opens, or a Slack or Microsoft Teams message. Text from releases and
//! calendars is escaped for each form, so that it reads as written and makes no link or markup.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use relm_domain::payload::Outcome;
use relm_policy::LineStatus;
use relm_store::projection::governance;
use serde::Serialize;

use crate::deployments::DeploymentQuery;
use crate::error::{ApiError, Result};
use crate::reports::{Words, write_whole};
use crate::reviews::ReviewStatus;
use crate::session::Relm;
use relm_report::Lang as ReportLang;

/// The most items listed per section; the rest are counted ("and 12 more").
pub const MAX_ITEMS: usize = 200;

/// Which digest to make.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct DigestQuery {
    /// A date (`2027-03-01`) or an RFC 3339 time: the period's start.
    pub from: String,
    /// A date (included) or an RFC 3339 time: the period's end.
    pub to: String,
    /// Only this environment.
    pub environment: Option<String>,
    /// `en` (default) or `fr`.
    pub lang: Option<String>,
    /// The IANA zone times are shown in (UTC by default).
    pub zone: Option<String>,
}

/// One section's items and how many more were left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub more: u32,
}

impl<T> Listed<T> {
    fn of(mut all: Vec<T>) -> Self {
        let more = all.len().saturating_sub(MAX_ITEMS) as u32;
        all.truncate(MAX_ITEMS);
        Listed { items: all, more }
    }

    /// Whether the list is full: one more item is then counted, not listed (nor read).
    fn counted_if_full(&mut self) -> bool {
        let full = self.items.len() >= MAX_ITEMS;
        self.more += u32::from(full);
        full
    }
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed {
            items: Vec::new(),
            more: 0,
        }
    }
}

/// A release planned, or one that shipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestRelease {
    pub release_id: String,
    /// `SERVICE VERSION`.
    pub label: String,
    pub title: String,
    /// The environments it goes to (planned), or the one it went to (shipped).
    pub environments: Vec<String>,
    /// Its window's start (planned) or its deployment's (shipped), in the digest's zone.
    pub when: String,
    /// Its status, worded.
    pub status: String,
}

/// A freeze in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestFreeze {
    pub name: String,
    /// `hard` or `soft`.
    pub level: String,
    pub start: String,
    pub end: String,
    /// What it covers, worded ("all environments", "prod; services api").
    pub scope: String,
    pub reason: String,
}

/// A planned release the policy would block in its window, as things stand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestBlocked {
    pub release_id: String,
    pub label: String,
    pub environment: String,
    pub when: String,
    /// The failing rules' reasons, in the digest's language.
    pub reasons: Vec<String>,
}

/// A deployment that failed or was rolled back, and its review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestFailure {
    pub release_id: String,
    pub label: String,
    pub environment: String,
    pub when: String,
    /// `failed`, `rolled_back` or `partial`, worded.
    pub outcome: String,
    /// `missing`, `draft` or `signed`.
    pub review: ReviewStatus,
    /// What went badly, as the review says it (its first 300 characters).
    pub summary: String,
}

/// A stakeholder digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub workspace: String,
    pub title: String,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// `en` or `fr`.
    pub lang: String,
    pub zone: String,
    /// When it was made, RFC 3339 UTC.
    pub made_at: String,
    pub planned: Listed<DigestRelease>,
    pub freezes: Listed<DigestFreeze>,
    pub blocked: Listed<DigestBlocked>,
    pub shipped: Listed<DigestRelease>,
    pub failed: Listed<DigestFailure>,
}

/// A digest as it will be written or posted: its outline in its own language (the same headed
/// lists every form is made from). Only what is shown: the data the lines are made from would
/// double what crosses to the page (220 kB for three weeks of a large organization).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DigestPreview {
    pub title: String,
    /// `en` or `fr`: the language of every line.
    pub lang: String,
    /// The line under the title: the workspace and the zone of the times.
    pub subtitle: String,
    pub sections: Vec<DigestPart>,
}

/// A digest written to a file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DigestWritten {
    pub path: String,
    /// `markdown`, `html` or `eml`.
    pub format: String,
    pub bytes: u64,
}

/// What a digest reads of the store alone, for one question ([`Relm::digest`]): kept while the
/// store stays the same, since a page asks for the same digest at each visit.
#[derive(Debug)]
pub(crate) struct DigestRead {
    workspace: String,
    title: String,
    /// Every release planned in the period, in window order.
    planned: Vec<Planned>,
    freezes: Listed<DigestFreeze>,
    shipped: Listed<DigestRelease>,
    failed: Listed<DigestFailure>,
}

/// A release planned in a digest's period, as read.
#[derive(Debug)]
struct Planned {
    item: DigestRelease,
    window: DateTime<Utc>,
    /// The store's part of what its verdict reads ([`governance::own_facts_of`]).
    own: relm_policy::Facts,
    /// Its blocked lines judged at its window, when the window was ahead at the read: they hold
    /// at every instant before the window. `None` for a window that had begun: such a release
    /// is judged at each call's instant.
    ahead: Option<Vec<DigestBlocked>>,
}

/// The blocked lines of each release of `planned`, judged at `at` of it.
fn blocked_at(
    conn: &relm_store::rusqlite::Connection,
    policy: &relm_policy::Policy,
    version: u32,
    style: relm_policy::Style,
    shared: &mut governance::Shared,
    planned: &[&Planned],
    at: impl Fn(&Planned) -> DateTime<Utc>,
) -> Result<Vec<Vec<DigestBlocked>>> {
    shared.expecting(conn, planned.len())?;
    let mut judged = Vec::with_capacity(planned.len());
    for p in planned {
        let at = at(p);
        shared.now = at;
        let facts = (governance::facts_at(conn, vec![p.own.clone()], shared)?.pop())
            .ok_or_else(|| crate::error::no_release(&p.item.release_id))?;
        judged.push((*p, facts, at));
    }
    // On every core; unworded: only the blocking lines are worded.
    Ok(judged
        .into_par_iter()
        .map(|(p, facts, at)| {
            let envs = p.item.environments.iter().map(String::as_str);
            let verdicts = relm_policy::judge_each(policy, version, &facts, envs, at);
            (p.item.environments.iter().zip(verdicts))
                .filter(|(_, v)| v.outcome() == relm_policy::Outcome::Blocked)
                .map(|(env, verdict)| DigestBlocked {
                    release_id: p.item.release_id.clone(),
                    label: p.item.label.clone(),
                    environment: env.clone(),
                    when: p.item.when.clone(),
                    reasons: verdict
                        .findings()
                        .filter(|l| l.status == LineStatus::Fail)
                        .map(|l| l.reason(style))
                        .collect(),
                })
                .collect()
        })
        .collect())
}

/// The zone a digest's times are shown in (UTC unless the question names one).
fn zone_of(q: &DigestQuery) -> String {
    let zone = q.zone.as_deref().map(str::trim).filter(|z| !z.is_empty());
    zone.unwrap_or("UTC").to_string()
}

/// The one environment a digest is about, if the question names one.
fn environment_of(q: &DigestQuery) -> Option<&str> {
    q.environment
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// The policy's wording in a report's language.
fn policy_lang(lang: ReportLang) -> relm_policy::Lang {
    match lang {
        ReportLang::En => relm_policy::Lang::En,
        ReportLang::Fr => relm_policy::Lang::Fr,
    }
}

impl Relm {
    /// The digest of the period `from`–`to` (of one environment, or of all).
    ///
    /// What it reads of the store alone is kept for the question while the store stays the
    /// same ([`DigestRead`]); at each call only the releases whose window has begun are judged
    /// again, at the instant of the call.
    pub fn digest(&self, q: &DigestQuery) -> Result<Digest> {
        let (_, opts) = self.report_form("a4", q.lang.as_deref().unwrap_or("en"), None)?;
        let zone = zone_of(q);
        let w = Words {
            lang: opts.lang,
            tz: relm_domain::window::parse_zone(&zone)?,
        };
        let environment = environment_of(q);
        let (start, end) = crate::deployments::period_bounds(Some(&q.from), Some(&q.to))?;
        let (Some(start), Some(end)) = (start, end) else {
            return Err(ApiError::validation(
                "give the period: --from D --to D (dates such as 2027-03-01, or RFC 3339 times)",
            ));
        };
        let now = self.clock.now();
        // One read transaction for the thousands of queries below, the kept part's and the
        // instant's alike.
        let _snapshot = self.store.snapshot()?;
        let read = self.digest_kept.get(&self.store, q.clone(), || {
            self.digest_read(q, &w, (start, end), now).map(Arc::new)
        })?;
        let conn = self.store.conn();
        let (policy, version) = crate::gates::in_force(conn)?;
        let style = crate::gates::style(policy_lang(opts.lang), Some(&zone))?;
        // A release whose window is ahead is judged at its window, as when it was read; one
        // whose window has begun, at this instant (so is one read after its window had begun
        // and now ahead again: the clock went back).
        let again = |p: &Planned| p.window <= now || p.ahead.is_none();
        let mut shared = governance::shared(conn, now, &policy)?;
        let to_judge: Vec<&Planned> = read.planned.iter().filter(|p| again(p)).collect();
        let judged = blocked_at(conn, &policy, version, style, &mut shared, &to_judge, |p| {
            p.window.max(now)
        })?;
        let mut judged = judged.into_iter();
        let blocked = (read.planned.iter())
            .flat_map(|p| {
                if again(p) {
                    judged.next().unwrap_or_default()
                } else {
                    p.ahead.clone().unwrap_or_default()
                }
            })
            .collect();
        let (from, to) = (q.from.trim().to_string(), q.to.trim().to_string());
        Ok(Digest {
            workspace: read.workspace.clone(),
            title: read.title.clone(),
            from,
            to,
            environment: environment.map(String::from),
            lang: match opts.lang {
                ReportLang::En => "en",
                ReportLang::Fr => "fr",
            }
            .into(),
            zone,
            made_at: relm_domain::window::fmt_utc(self.report_time()?),
            planned: Listed {
                items: (read.planned.iter().take(MAX_ITEMS))
                    .map(|p| p.item.clone())
                    .collect(),
                more: read.planned.len().saturating_sub(MAX_ITEMS) as u32,
            },
            freezes: read.freezes.clone(),
            blocked: Listed::of(blocked),
            shipped: read.shipped.clone(),
            failed: read.failed.clone(),
        })
    }

    /// What the digest `q` reads of the store alone: its planned releases with the store's part
    /// of their facts (and, for those whose window is ahead of `now`, their blocked lines at
    /// their window), the freezes, what shipped and what failed.
    fn digest_read(
        &self,
        q: &DigestQuery,
        w: &Words,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
    ) -> Result<DigestRead> {
        let conn = self.store.conn();
        let environment = environment_of(q);
        let zone = zone_of(q);
        // Planned: a window starting in the period, not gone out, cancelled or abandoned, going
        // to the environment asked for (read through `releases_by_window`, whose form is
        // `(window_start IS NULL) = 0`): only those are read further.
        let ids: Vec<(String, i64)> = conn
            .prepare_cached(
                "SELECT id, window_start FROM releases WHERE (window_start IS NULL) = 0
                   AND window_start >= ?1 AND window_start < ?2
                   AND status IN ('planned', 'approved', 'deploying')
                   AND (?3 IS NULL
                        OR EXISTS (SELECT 1 FROM json_each(environments) WHERE value = ?3))
                 ORDER BY window_start, id",
            )
            .and_then(|mut s| {
                s.query_map(
                    relm_store::rusqlite::params![start.timestamp(), end.timestamp(), environment],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .collect()
            })
            .map_err(relm_store::StoreError::from)?;
        let (policy, version) = crate::gates::in_force(conn)?;
        let style = crate::gates::style(policy_lang(w.lang), Some(&zone))?;
        let mut shared = governance::shared(conn, now, &policy)?;
        // Read every release at once (one connection, each table once).
        let own =
            governance::own_facts_of(conn, ids.iter().map(|(id, _)| id.clone()), shared.sbom)?;
        if own.len() != ids.len() {
            let found: std::collections::BTreeSet<&str> =
                own.iter().map(|f| f.release_id.0.as_str()).collect();
            let gone = ids.iter().find(|(id, _)| !found.contains(id.as_str()));
            return Err(crate::error::no_release(gone.map_or("", |(id, _)| id)));
        }
        let mut planned: Vec<Planned> = ids
            .into_iter()
            .zip(own)
            .map(|((id, window), own)| {
                let window = DateTime::from_timestamp(window, 0).unwrap_or(start);
                let f = &own.fields;
                Planned {
                    item: DigestRelease {
                        release_id: id,
                        label: format!("{} {}", f.service, f.version),
                        title: f.title.clone(),
                        environments: f
                            .environments
                            .iter()
                            .filter(|e| environment.is_none_or(|x| x == e.as_str()))
                            .cloned()
                            .collect(),
                        when: w.when(&relm_domain::window::fmt_utc(window)),
                        status: w.word(own.status.as_str()),
                    },
                    window,
                    own,
                    ahead: None,
                }
            })
            .collect();
        // Those whose window is ahead are judged at their window, as things stand: that holds
        // at every instant before it.
        let ahead: Vec<&Planned> = planned.iter().filter(|p| p.window > now).collect();
        let lines = blocked_at(conn, &policy, version, style, &mut shared, &ahead, |p| {
            p.window
        })?;
        let mut lines = lines.into_iter();
        for p in planned.iter_mut().filter(|p| p.window > now) {
            p.ahead = lines.next();
        }

        // Freezes overlapping the period.
        let freezes: Vec<DigestFreeze> = self
            .calendar_occurrences(
                &relm_domain::window::fmt_utc(start),
                &relm_domain::window::fmt_utc(end),
                Some(&zone),
            )?
            .into_iter()
            .filter(|o| o.kind == relm_calendar::Kind::Freeze)
            .filter(|o| {
                environment.is_none_or(|e| {
                    o.scope.environments.is_empty() || o.scope.environments.iter().any(|x| x == e)
                })
            })
            .map(|o| DigestFreeze {
                level: o
                    .level
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_else(|| "hard".into()),
                start: w.when(&o.start_utc),
                end: w.when(&o.end_utc),
                scope: scope_words(w, &o.scope),
                reason: o.reason,
                name: o.name,
            })
            .collect();

        // What went out in the period: shipped, or failed with its review.
        let deployments = self.deployments(&DeploymentQuery {
            environment: environment.map(String::from),
            from: Some(q.from.clone()),
            to: Some(q.to.clone()),
            ..Default::default()
        })?;
        // Only those listed are read further (a title, a review); the rest are counted.
        let (mut shipped, mut failed) = (Listed::default(), Listed::default());
        for d in deployments.iter().rev() {
            let d = &d.record;
            let full = if d.outcome == Outcome::Succeeded {
                shipped.counted_if_full()
            } else {
                failed.counted_if_full()
            };
            if full {
                continue;
            }
            let label = format!("{} {}", d.service, d.version);
            if d.outcome == Outcome::Succeeded {
                let title = relm_store::projection::releases::title(conn, &d.release_id)?
                    .unwrap_or_default();
                shipped.items.push(DigestRelease {
                    release_id: d.release_id.clone(),
                    label,
                    title,
                    environments: vec![d.environment.clone()],
                    when: w.when(&d.started_at),
                    status: w.word(d.outcome.as_str()),
                });
                continue;
            }
            let stored = relm_store::projection::reviews::get(conn, &d.release_id)?;
            let review = ReviewStatus::of(stored.as_ref());
            let summary = stored.map_or_else(String::new, |s| {
                relm_domain::text::truncated(s.content.went_badly.trim(), 300).to_string()
            });
            failed.items.push(DigestFailure {
                release_id: d.release_id.clone(),
                label,
                environment: d.environment.clone(),
                when: w.when(&d.started_at),
                outcome: w.word(d.outcome.as_str()),
                review,
                summary,
            });
        }

        let (_, workspace) = self.workspace()?;
        let (from, to) = (q.from.trim(), q.to.trim());
        let mut title = w.t(
            &format!("Release digest, {from} to {to}"),
            &format!("Synthèse des mises en production du {from} au {to}"),
        );
        if let Some(e) = environment {
            title.push_str(&format!(" ({e})"));
        }
        Ok(DigestRead {
            workspace,
            title,
            planned,
            freezes: Listed::of(freezes),
            shipped,
            failed,
        })
    }

    /// The digest `q` with its outline, as the app previews it.
    pub fn digest_preview(&self, q: &DigestQuery) -> Result<DigestPreview> {
        let digest = self.digest(q)?;
        let (subtitle, sections) = outline(&digest);
        Ok(DigestPreview {
            title: digest.title,
            lang: digest.lang,
            subtitle,
            sections,
        })
    }

    /// Write the digest to `out`: Markdown for `.md`, HTML for `.html`, an e-mail for `.eml`.
    /// Written whole or not at all.
    pub fn write_digest(&self, q: &DigestQuery, out: &std::path::Path) -> Result<DigestWritten> {
        let ext = out
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let format = match ext.as_str() {
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "eml" => Format::Eml,
            _ => {
                return Err(ApiError::invalid(
                    "out",
                    format!(
                        "{}: write a digest to a `.md` (Markdown), `.html` or `.eml` (e-mail) file",
                        out.display()
                    ),
                ));
            }
        };
        let d = self.digest(q)?;
        let bytes = render(&d, format)?;
        write_whole(out, &bytes)?;
        Ok(DigestWritten {
            path: out.display().to_string(),
            format: format.name().into(),
            bytes: bytes.len() as u64,
        })
    }
}

/// The forms a digest is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Eml,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Eml => "eml",
        }
    }
}

/// The digest in `format`.
pub fn render(d: &Digest, format: Format) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Markdown => markdown(d).into_bytes(),
        Format::Html => html(d).into_bytes(),
        Format::Eml => eml(d)?,
    })
}

fn scope_words(w: &Words, s: &relm_calendar::Scope) -> String {
    let mut parts = Vec::new();
    if s.environments.is_empty() {
        parts.push(w.t("all environments", "tous les environnements"));
    } else {
        parts.push(s.environments.join(", "));
    }
    if !s.services.is_empty() {
        parts.push(format!(
            "{} {}",
            w.t("services", "services"),
            s.services.join(", ")
        ));
    }
    parts.join("; ")
}

/// One section of the outline: its heading and its lines (plain text, not escaped yet).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DigestPart {
    pub heading: String,
    pub lines: Vec<String>,
}

/// The digest as headed lists of plain text, the same for every form.
pub fn outline(d: &Digest) -> (String, Vec<DigestPart>) {
    let fr = d.lang == "fr";
    let t = |en: &str, fr_: &str| if fr { fr_ } else { en }.to_string();
    let colon = if fr { "\u{a0}:" } else { ":" };
    fn finish<T>(l: &Listed<T>, mut lines: Vec<String>, fr: bool) -> Vec<String> {
        if l.more > 0 {
            lines.push(if fr {
                format!("… et {} de plus", l.more)
            } else {
                format!("… and {} more", l.more)
            });
        }
        if lines.is_empty() {
            lines.push(if fr { "Rien." } else { "Nothing." }.into());
        }
        lines
    }
    let head = |en: &str, fr_: &str, n: usize, more: u32| {
        format!("{} ({})", t(en, fr_), n + more as usize)
    };
    let envs = |e: &[String]| e.join(", ");
    let parts = vec![
        DigestPart {
            heading: head("Planned", "Prévu", d.planned.items.len(), d.planned.more),
            lines: finish(
                &d.planned,
                d.planned
                    .items
                    .iter()
                    .map(|r| {
                        format!(
                            "{} — {} · {} · {} ({})",
                            r.label,
                            r.title,
                            envs(&r.environments),
                            r.when,
                            r.status
                        )
                    })
                    .collect(),
                fr,
            ),
        },
        DigestPart {
            heading: head("Freezes", "Gels", d.freezes.items.len(), d.freezes.more),
            lines: finish(
                &d.freezes,
                d.freezes
                    .items
                    .iter()
                    .map(|f| {
                        let level = match (f.level.as_str(), fr) {
                            ("soft", false) => "soft freeze",
                            ("soft", true) => "gel souple",
                            (_, false) => "hard freeze",
                            (_, true) => "gel strict",
                        };
                        let mut s = format!(
                            "{} ({level}) · {} → {} · {}",
                            f.name, f.start, f.end, f.scope
                        );
                        if !f.reason.is_empty() {
                            s.push_str(&format!(" · {}", f.reason));
                        }
                        s
                    })
                    .collect(),
                fr,
            ),
        },
        DigestPart {
            heading: head(
                "Blocked, and why",
                "Bloqué, et pourquoi",
                d.blocked.items.len(),
                d.blocked.more,
            ),
            lines: finish(
                &d.blocked,
                d.blocked
                    .items
                    .iter()
                    .map(|b| {
                        format!(
                            "{} → {} ({}){colon} {}",
                            b.label,
                            b.environment,
                            b.when,
                            b.reasons.join(if fr { "\u{202f}; " } else { "; " })
                        )
                    })
                    .collect(),
                fr,
            ),
        },
        DigestPart {
            heading: head("Shipped", "Livré", d.shipped.items.len(), d.shipped.more),
            lines: finish(
                &d.shipped,
                d.shipped
                    .items
                    .iter()
                    .map(|r| {
                        format!(
                            "{} — {} → {} · {}",
                            r.label,
                            r.title,
                            envs(&r.environments),
                            r.when
                        )
                    })
                    .collect(),
                fr,
            ),
        },
        DigestPart {
            heading: head(
                "Failed, and its review",
                "En échec, et sa revue",
                d.failed.items.len(),
                d.failed.more,
            ),
            lines: finish(
                &d.failed,
                d.failed
                    .items
                    .iter()
                    .map(|f| {
                        let review = match (f.review, fr) {
                            (ReviewStatus::Missing, false) => "no review yet",
                            (ReviewStatus::Missing, true) => "pas encore de revue",
                            (ReviewStatus::Draft, false) => "review in progress",
                            (ReviewStatus::Draft, true) => "revue en cours",
                            (ReviewStatus::Signed, false) => "review signed off",
                            (ReviewStatus::Signed, true) => "revue signée",
                        };
                        let mut s = format!(
                            "{} → {} · {} · {} · {review}",
                            f.label, f.environment, f.when, f.outcome
                        );
                        if !f.summary.is_empty() {
                            s.push_str(&format!("{colon} {}", f.summary));
                        }
                        s
                    })
                    .collect(),
                fr,
            ),
        },
    ];
    let sub = format!(
        "{} · {} {}",
        d.workspace,
        t("times in", "heures en"),
        d.zone
    );
    (sub, parts)
}

/// Markdown's special characters escaped, so that text from outside reads as written and
/// makes no link, image, HTML or emphasis (with `[` and `]` escaped, parentheses are plain).
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The digest in Markdown.
pub fn markdown(d: &Digest) -> String {
    let (sub, parts) = outline(d);
    let mut m = format!("# {}\n\n{}\n", md(&d.title), md(&sub));
    for p in parts {
        m.push_str(&format!("\n## {}\n\n", md(&p.heading)));
        for l in p.lines {
            m.push_str(&format!("- {}\n", md(&l)));
        }
    }
    m
}

/// HTML's special characters escaped.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The digest as a whole HTML document (styles inline, so that mail clients keep them).
pub fn html(d: &Digest) -> String {
    let (sub, parts) = outline(d);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n\
         <body style=\"font-family: system-ui, sans-serif; color: #1f2328; max-width: 48em;\">\n\
         <h1 style=\"font-size: 1.4em;\">{}</h1>\n<p style=\"color: #59636e;\">{}</p>\n",
        if d.lang == "fr" { "fr" } else { "en" },
        esc(&d.title),
        esc(&d.title),
        esc(&sub)
    );
    for p in parts {
        h.push_str(&format!(
            "<h2 style=\"font-size: 1.1em; margin-top: 1.2em;\">{}</h2>\n<ul>\n",
            esc(&p.heading)
        ));
        for l in p.lines {
            h.push_str(&format!("<li>{}</li>\n", esc(&l)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// The digest as an e-mail (RFC 5322, MIME): plain text and HTML alternatives, UTF-8,
/// marked unsent so that a mail client opens it as a draft to address and send.
pub fn eml(d: &Digest) -> Result<Vec<u8>> {
    use mail_builder::MessageBuilder;
    use mail_builder::headers::raw::Raw;
    let made: DateTime<Utc> = DateTime::parse_from_rfc3339(&d.made_at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let id = {
        use sha2::{Digest as _, Sha256};
        hex::encode(Sha256::digest(markdown(d).as_bytes()))[..24].to_string()
    };
    MessageBuilder::new()
        .from((d.workspace.as_str(), "relm@localhost"))
        .subject(d.title.as_str())
        .date(made.timestamp())
        .message_id(format!("digest-{id}@relm.localhost"))
        .header("X-Unsent", Raw::new("1"))
        .text_body(markdown(d))
        .html_body(html(d))
        .write_to_vec()
        .map_err(|e| ApiError::validation(format!("cannot write the e-mail: {e}")))
}

/// The most characters of one chat section (Slack allows 3,000 in a block's text).
const CHAT_SECTION: usize = 2_900;

/// A section's lines for a chat message: each escaped and bulleted, as many as fit in
/// [`CHAT_SECTION`] characters, the rest counted.
fn chat_lines(lines: &[String], esc: fn(&str) -> String, fr: bool) -> String {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        let line = format!("• {}\n", esc(l));
        if out.chars().count() + line.chars().count() > CHAT_SECTION {
            let left = lines.len() - i;
            out.push_str(&if fr {
                format!("… et {left} de plus (voir le fichier de la synthèse)")
            } else {
                format!("… and {left} more (see the digest file)")
            });
            return out;
        }
        out.push_str(&line);
    }
    out.trim_end().to_string()
}

/// Slack's mrkdwn: `&`, `<` and `>` escaped, so that text makes no link or mention.
fn slack_esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams' Markdown subset: its special characters escaped.
fn teams_esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '[' | ']' | '*' | '_' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The digest as a Slack incoming-webhook message (Block Kit, with a plain-text fallback).
pub fn slack(d: &Digest) -> serde_json::Value {
    let (sub, parts) = outline(d);
    let fr = d.lang == "fr";
    let mut blocks = vec![
        serde_json::json!({"type": "header", "text": {"type": "plain_text",
            "text": relm_domain::text::truncated(&d.title, 150)}}),
        serde_json::json!({"type": "context", "elements": [{"type": "mrkdwn",
            "text": slack_esc(&sub)}]}),
    ];
    for p in &parts {
        blocks.push(serde_json::json!({"type": "section", "text": {"type": "mrkdwn",
            "text": format!("*{}*\n{}", slack_esc(&p.heading), chat_lines(&p.lines, slack_esc, fr))}}));
    }
    serde_json::json!({"text": d.title, "blocks": blocks})
}

/// The digest as a Microsoft Teams incoming-webhook message (an Adaptive Card 1.4, which both
/// Workflows webhooks and the older connectors accept).
pub fn teams(d: &Digest) -> serde_json::Value {
    let (sub, parts) = outline(d);
    let fr = d.lang == "fr";
    let mut body = vec![
        serde_json::json!({"type": "TextBlock", "text": teams_esc(&d.title), "weight": "Bolder",
            "size": "Large", "wrap": true}),
        serde_json::json!({"type": "TextBlock", "text": teams_esc(&sub), "isSubtle": true,
            "wrap": true}),
    ];
    for p in &parts {
        body.push(
            serde_json::json!({"type": "TextBlock", "text": teams_esc(&p.heading),
            "weight": "Bolder", "spacing": "Medium", "wrap": true}),
        );
        body.push(serde_json::json!({"type": "TextBlock",
            "text": chat_lines(&p.lines, teams_esc, fr), "wrap": true}));
    }
    serde_json::json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            }
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: &str) -> Digest {
        Digest {
            workspace: "Acme <ops>".into(),
            title: "Release digest, 2027-03-01 to 2027-03-07".into(),
            from: "2027-03-01".into(),
            to: "2027-03-07".into(),
            environment: None,
            lang: lang.into(),
            zone: "UTC".into(),
            made_at: "2027-03-01T08:00:00Z".into(),
            planned: Listed::of(vec![DigestRelease {
                release_id: "r1".into(),
                label: "api 1.2.0".into(),
                title: "[click](https://evil.example) <script>alert(1)</script>".into(),
                environments: vec!["prod".into()],
                when: "2027-03-02 10:00 UTC".into(),
                status: "planned".into(),
            }]),
            freezes: Listed::of(Vec::new()),
            blocked: Listed::of(Vec::new()),
            shipped: Listed::of(Vec::new()),
            failed: Listed::of(Vec::new()),
        }
    }

    #[test]
    fn text_from_outside_makes_no_link_or_markup() {
        let d = sample("en");
        let m = markdown(&d);
        assert!(m.contains(r"\[click\](https://evil.example)"), "{m}");
        assert!(!m.contains("<script>"));
        let h = html(&d);
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(!h.contains("<script>"));
        assert!(h.contains("Acme &lt;ops&gt;"));
    }

    #[test]
    fn chat_messages_escape_text_and_stay_within_the_platforms_limits() {
        let mut d = sample("en");
        d.shipped = Listed::of(
            (0..150)
                .map(|i| DigestRelease {
                    release_id: format!("r{i}"),
                    label: format!("svc{i} 1.0.{i}"),
                    title: "a title long enough to fill the section quickly <!channel>".into(),
                    environments: vec!["prod".into()],
                    when: "2027-03-02 10:00 UTC".into(),
                    status: "succeeded".into(),
                })
                .collect(),
        );
        let s = slack(&d);
        let text = s.to_string();
        assert!(
            !text.contains("<!channel>"),
            "a mention must not pass: {text}"
        );
        assert!(text.contains("&lt;!channel&gt;"));
        for b in s["blocks"].as_array().unwrap() {
            if b["type"] == "section" {
                assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3_000);
            }
        }
        assert!(text.contains("more (see the digest file)"));
        let t = teams(&d);
        assert_eq!(t["attachments"][0]["content"]["type"], "AdaptiveCard");
        let card = t.to_string();
        assert!(card.contains(r"\\[click\\]"), "{card}");
        assert!(
            card.len() < 28_000,
            "Teams takes at most 28 KB: {}",
            card.len()
        );
    }

    #[test]
    fn an_empty_section_says_so_and_a_long_one_is_counted() {
        let mut d = sample("fr");
        let many: Vec<DigestFreeze> = (0..MAX_ITEMS + 3)
            .map(|i| DigestFreeze {
                name: format!("gel {i}"),
                level: "soft".into(),
                start: "a".into(),
                end: "b".into(),
                scope: "prod".into(),
                reason: String::new(),
            })
            .collect();
        d.freezes = Listed::of(many);
        let (_, parts) = outline(&d);
        assert_eq!(parts[1].heading, format!("Gels ({})", MAX_ITEMS + 3));
        assert_eq!(parts[1].lines.len(), MAX_ITEMS + 1);
        assert_eq!(parts[1].lines.last().unwrap(), "… et 3 de plus");
        assert!(parts[1].lines[0].contains("gel souple"));
        assert_eq!(parts[2].lines, ["Rien."]);
    }
}
