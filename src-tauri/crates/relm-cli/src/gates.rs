//! `relm policy`, `approve`, `reject`, `check` and `pending`.

use std::fmt::Write;

use relm_api::calendar::{CalendarInput, ImportRequest, OccurrenceView};
use relm_api::gates::{CheckRequest, PendingDecision, PolicySummary, Simulation};
use relm_api::reschedule::RescheduleRequest;
use relm_api::{ApiError, Options, Relm, Result};
use relm_domain::payload::Decision;
use relm_policy::{Lang, LineStatus, Verdict};

use crate::Outcome;
use crate::args::{CalendarCmd, CheckArgs, DecisionArgs, FeedCmd, PolicyCmd, RescheduleArgs};
use relm_domain::text::{Shown, shown_lines};

fn read(file: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(file)
        .map_err(|e| ApiError::validation(format!("cannot read {}: {e}", file.display())))?;
    String::from_utf8(bytes).map_err(|_| {
        ApiError::validation(format!(
            "{} is not UTF-8 text; save the policy as UTF-8",
            file.display()
        ))
    })
}

pub fn policy(opts: &Options, cmd: PolicyCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        PolicyCmd::Apply { file, note } => {
            let source = read(&file)?;
            let name = file.display().to_string();
            let note = note.unwrap_or_else(|| format!("applied from {name}"));
            let p = relm.apply_policy(&source, &note, &name)?;
            let text = format!(
                "policy version {} is now in force ({} rules)",
                p.version, p.rules
            );
            Outcome::ok(p, text)
        }
        PolicyCmd::Show { version } => {
            let p = relm.policy(version)?;
            let text = format!(
                "# policy version {}, applied {} by {}: {}\n{}",
                p.version,
                p.applied_at,
                Shown(&p.applied_by),
                Shown(&p.note),
                shown_lines(&p.source, "")
            );
            Outcome::ok(p, text)
        }
        PolicyCmd::History => {
            let list = relm.policy_history()?;
            Outcome::ok(&list, history(&list))
        }
        PolicyCmd::Diff { a, b } => {
            let diff = relm.policy_diff(a, b)?;
            let text = if diff.is_empty() {
                format!("versions {a} and {b} are the same")
            } else {
                diff.clone()
            };
            Outcome::ok(serde_json::json!({ "a": a, "b": b, "diff": diff }), text)
        }
        PolicyCmd::Export { version, out } => {
            let p = relm.policy(version)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, &p.source).map_err(|e| {
                        ApiError::validation(format!("cannot write {}: {e}", path.display()))
                    })?;
                    let text = format!("wrote policy version {} to {}", p.version, path.display());
                    Outcome::ok(
                        serde_json::json!({ "version": p.version, "out": path }),
                        text,
                    )
                }
                None => {
                    let text = p.source.clone();
                    Outcome::ok(p, text)
                }
            }
        }
        PolicyCmd::Simulate { file } => {
            let source = read(&file)?;
            let sim = relm.simulate_policy(&source, &file.display().to_string(), Lang::En)?;
            let text = simulation(&sim);
            Outcome::ok(sim, text)
        }
    }
}

pub fn decide(opts: &Options, a: DecisionArgs, decision: Decision) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    let verdict = relm.decide(&a.release, &a.env, decision, a.comment.as_deref(), Lang::En)?;
    let text = format!(
        "{} {} {} for {}; the verdict is now:\n{}",
        if decision == Decision::Approve {
            "approved"
        } else {
            "rejected"
        },
        Shown(&verdict.service),
        Shown(&verdict.version),
        Shown(&verdict.environment),
        verdict_text(&verdict)
    );
    Outcome::ok(verdict, text)
}

pub fn check(opts: &Options, a: CheckArgs) -> Result<Outcome> {
    let relm = Relm::open(opts)?;
    let verdict = relm.check(&CheckRequest {
        release: a.release,
        service: a.service,
        version: a.version,
        environment: a.env,
        at: a.at,
        lang: Lang::En,
        zone: None,
    })?;
    let text = verdict_text(&verdict);
    let exit = verdict.exit_code() as u8;
    Ok(Outcome {
        exit,
        ..Outcome::ok(verdict, text)?
    })
}

pub fn calendar(opts: &Options, cmd: CalendarCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        CalendarCmd::Add(a) => {
            let input = CalendarInput {
                kind: Some(a.kind),
                soft: a.soft,
                name: Some(a.name),
                start: Some(a.start),
                end: Some(a.end),
                tz: Some(a.tz),
                rrule: a.rrule,
                exdates: a.exdates,
                rdates: a.rdates,
                environments: a.envs,
                services: a.services,
                reason: a.reason,
                owner: a.owner,
            };
            let row = relm.add_calendar_entry(&input)?;
            let text = format!(
                "{} ({}) added: {}",
                Shown(&row.entry.name),
                row.entry.kind.as_str(),
                row.id
            );
            Outcome::ok(row, text)
        }
        CalendarCmd::List { from, to, tz } => {
            let listing = relm.calendar_listing(&from, &to, tz.as_deref())?;
            let text = occurrences_text(&listing.occurrences);
            let mut out = Outcome::ok(&listing.occurrences, text)?;
            // Said on stderr: the list (and its JSON) stays what it is for the other entries.
            out.errors = listing
                .unreadable
                .iter()
                .map(|u| {
                    format!(
                        "the calendar entry `{}` ({}, owner {}) cannot be expanded and is left out: {}; remove it with `relm calendar remove {}`",
                        Shown(&u.name),
                        u.id,
                        Shown(&u.owner),
                        Shown(&u.why),
                        u.id
                    )
                })
                .collect();
            Ok(out)
        }
        CalendarCmd::Import {
            file,
            kind,
            name,
            tz,
            soft,
            day_before,
            envs,
            services,
        } => {
            let outcome = relm.import_calendar_file(
                &file,
                &ImportRequest {
                    kind,
                    name,
                    tz,
                    soft,
                    day_before,
                    environments: envs,
                    services,
                },
            )?;
            let mut text = if outcome.dates > 0 {
                format!(
                    "froze {} dates ({} added, {} updated)",
                    outcome.dates, outcome.added, outcome.updated
                )
            } else {
                format!(
                    "{} entries added, {} updated",
                    outcome.added, outcome.updated
                )
            };
            for note in &outcome.notes {
                let _ = write!(text, "\nnote: {note}");
            }
            Outcome::ok(outcome, text)
        }
        CalendarCmd::Export {
            out,
            from,
            to,
            scope,
        } => {
            let Some(out) = out else {
                if from.is_some() || to.is_some() || !scope.is_empty() {
                    return Err(ApiError::invalid(
                        "out",
                        "give the file to write with --out FILE.ics (without --out, the calendar subscriptions are refreshed)",
                    ));
                }
                let all = relm.refresh_feeds()?;
                let mut text = String::new();
                for f in &all {
                    let _ = match (&f.error, f.written) {
                        (Some(e), _) => {
                            writeln!(text, "{}: not written: {}", Shown(&f.name), Shown(e))
                        }
                        (None, true) => writeln!(
                            text,
                            "{}: wrote {} events to {}",
                            Shown(&f.name),
                            f.events,
                            Shown(&f.path)
                        ),
                        (None, false) => {
                            writeln!(text, "{}: unchanged ({} events)", Shown(&f.name), f.events)
                        }
                    };
                }
                if all.is_empty() {
                    text.push_str("no calendar subscriptions; add one with `relm calendar feed add NAME --out FILE.ics`, or give --out\n");
                }
                let exit = u8::from(all.iter().any(|f| f.error.is_some()));
                return Ok(Outcome {
                    exit,
                    ..Outcome::ok(serde_json::json!({ "feeds": all }), text)?
                });
            };
            let events = relm.export_calendar_file(&out, from.as_deref(), to.as_deref(), &scope)?;
            let text = format!("wrote {events} events to {}", out.display());
            Outcome::ok(serde_json::json!({ "out": out, "events": events }), text)
        }
        CalendarCmd::Feed(cmd) => match cmd {
            FeedCmd::Add { name, out, scope } => {
                let f = relm.add_feed(&name, &out.to_string_lossy(), &scope)?;
                let text = format!(
                    "{}: wrote {} events to {}; `relm calendar export` keeps it current\n",
                    Shown(&f.name),
                    f.events,
                    Shown(&f.path)
                );
                Outcome::ok(f, text)
            }
            FeedCmd::List => {
                let all = relm.feeds()?;
                let mut text = String::new();
                for f in &all {
                    let scope = if f.scope.is_empty() {
                        "everything".to_string()
                    } else {
                        f.scope.join(", ")
                    };
                    let _ = writeln!(
                        text,
                        "{}  {}  {}  {} events, written {}",
                        Shown(&f.name),
                        Shown(&scope),
                        Shown(&f.path),
                        f.events,
                        f.last_written_at.as_deref().unwrap_or("never")
                    );
                    if let Some(e) = &f.last_error {
                        let _ = writeln!(text, "  last refresh failed: {}", Shown(e));
                    }
                }
                if all.is_empty() {
                    text.push_str("no calendar subscriptions\n");
                }
                Outcome::ok(serde_json::json!({ "feeds": all }), text)
            }
            FeedCmd::Remove { name } => {
                let (f, _) = relm.remove_feed(&name)?;
                let text = format!(
                    "{} is no longer kept current; {} stays\n",
                    Shown(&f.name),
                    Shown(&f.path)
                );
                Outcome::ok(f, text)
            }
        },
        CalendarCmd::Conflicts => {
            let list = relm.calendar_conflicts()?;
            let mut text = String::new();
            for c in &list {
                let _ = writeln!(text, "{}", conflict_line(c));
            }
            if list.is_empty() {
                text = "no conflicts".into();
            }
            let exit = u8::from(
                list.iter()
                    .any(|c| c.severity == relm_calendar::Severity::Error),
            );
            Ok(Outcome {
                exit,
                ..Outcome::ok(list, text)?
            })
        }
        CalendarCmd::Entries => {
            let list = relm.calendar_entries()?;
            let mut text = String::new();
            for r in &list {
                let e = &r.entry;
                let _ = writeln!(
                    text,
                    "{}  {:<12} {}  {} → {} {}{}",
                    r.id,
                    relm_calendar::label(e.kind, e.level),
                    Shown(&e.name),
                    relm_calendar::fmt_local(e.start),
                    relm_calendar::fmt_local(e.end),
                    Shown(&e.tz),
                    e.rrule
                        .as_deref()
                        .map(|r| format!("  {}", Shown(r)))
                        .unwrap_or_default()
                );
            }
            if list.is_empty() {
                text =
                    "no calendar entries yet; add one with `relm calendar add freeze ...`".into();
            }
            Outcome::ok(list, text)
        }
        CalendarCmd::Remove { id } => {
            let row = relm.remove_calendar_entry(&id)?;
            let text = format!("removed {} ({})", Shown(&row.entry.name), row.id);
            Outcome::ok(row, text)
        }
    }
}

fn occurrences_text(list: &[OccurrenceView]) -> String {
    if list.is_empty() {
        return "no occurrences in this range".into();
    }
    let mut s = String::new();
    for o in list {
        let _ = writeln!(
            s,
            "{:<12} {:<32} {} → {} {:<18} ({} → {}){}",
            relm_calendar::label(o.kind, o.level),
            Shown(&o.name),
            o.start_local,
            o.end_local,
            Shown(&o.tz),
            o.start_utc,
            o.end_utc,
            if o.shifted {
                "  moved out of a DST gap"
            } else {
                ""
            }
        );
        if let Some(f) = &o.overridden_by {
            let _ = writeln!(
                s,
                "    overridden by the hard freeze `{}`: a hard freeze beats a window",
                Shown(f)
            );
        }
    }
    s
}

fn conflict_line(c: &relm_calendar::Conflict) -> String {
    format!(
        "{:<7} {} {} {}{}: {}",
        match c.severity {
            relm_calendar::Severity::Error => "error",
            relm_calendar::Severity::Warning => "warning",
        },
        c.release_id,
        Shown(&c.service),
        Shown(&c.version),
        c.environment
            .as_deref()
            .map(|e| format!(" to {}", Shown(e)))
            .unwrap_or_default(),
        Shown(&c.reason)
    )
}

/// `relm release reschedule`: what the move does (conflicts, verdicts, stale approvals), then
/// the move itself unless `--dry-run`.
pub fn reschedule(relm: &mut Relm, a: RescheduleArgs) -> Result<Outcome> {
    let req = RescheduleRequest {
        release: a.id,
        start: a.start,
        end: a.end,
        tz: a.tz,
        lang: Lang::En,
    };
    let preview = relm.preview_reschedule(&req)?;
    let mut text = format!(
        "{} {} to {} → {} ({})\n",
        Shown(&preview.service),
        Shown(&preview.version),
        preview.start,
        preview.end,
        Shown(&preview.tz)
    );
    if preview.conflicts.is_empty() {
        text.push_str("no conflicts at the new time\n");
    }
    for c in &preview.conflicts {
        let _ = writeln!(text, "{}", conflict_line(c));
    }
    if preview.conflicts_before.len() != preview.conflicts.len() {
        let _ = writeln!(
            text,
            "({} conflicts at the current time)",
            preview.conflicts_before.len()
        );
    }
    for v in &preview.verdicts {
        text.push_str(&verdict_text(v));
    }
    if preview.stale_approvals > 0 {
        let _ = writeln!(
            text,
            "the move makes {} approvals stale: they were signed for the current window",
            preview.stale_approvals
        );
    }
    let saved = if a.dry_run {
        text.push_str("dry run: nothing saved");
        false
    } else {
        relm.reschedule_release(&req, &preview.base_digest)?;
        let _ = write!(text, "moved {}", preview.release_id);
        true
    };
    Outcome::ok(
        serde_json::json!({ "saved": saved, "preview": preview }),
        text,
    )
}

pub fn pending(opts: &Options) -> Result<Outcome> {
    let relm = Relm::open(opts)?;
    let list = relm.pending_my_decision(Lang::En)?;
    let text = pending_text(&list);
    Outcome::ok(list, text)
}

fn mark(s: LineStatus) -> &'static str {
    match s {
        LineStatus::Pass => "pass",
        LineStatus::Fail => "FAIL",
        LineStatus::Warn => "warn",
        LineStatus::NotApplicable => "n/a ",
    }
}

pub fn verdict_text(v: &Verdict) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} {} to {} at {} (policy version {})",
        v.outcome.as_str().replace('_', " ").to_uppercase(),
        Shown(&v.service),
        Shown(&v.version),
        Shown(&v.environment),
        v.at,
        v.policy_version
    );
    let width = v.rules.iter().map(|l| l.rule.len()).max().unwrap_or(0);
    for l in &v.rules {
        let _ = writeln!(
            s,
            "  {} {:<width$}  {}",
            mark(l.status),
            Shown(&l.rule),
            Shown(&l.reason)
        );
        if l.status != LineStatus::Pass && l.status != LineStatus::NotApplicable {
            for e in &l.evidence {
                let _ = writeln!(s, "       {:<width$}  · {}", "", Shown(e));
            }
        }
        if let Some(r) = &l.remedy {
            let _ = writeln!(s, "       {:<width$}  → {}", "", Shown(r));
        }
    }
    for (title, list) in [
        ("approvals", &v.approvals),
        ("authorizations", &v.authorizations),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "{title}:");
        for a in list {
            let _ = writeln!(
                s,
                "  {} {} {} {}: {}",
                if a.counts { "✓" } else { "✗" },
                a.decision,
                Shown(&a.name),
                a.at,
                Shown(&a.reason)
            );
        }
    }
    if v.review_required {
        let _ = writeln!(s, "emergency release: a post-release review is required");
    }
    s
}

fn history(list: &[PolicySummary]) -> String {
    let mut s = format!(
        "{:<8} {:<21} {:<20} {}\n",
        "VERSION", "APPLIED", "BY", "NOTE"
    );
    for p in list {
        let _ = writeln!(
            s,
            "{:<8} {:<21} {:<20} {}",
            p.version,
            p.applied_at,
            Shown(&p.applied_by_name),
            Shown(&p.note)
        );
    }
    s
}

fn simulation(sim: &Simulation) -> String {
    let mut s = format!(
        "{} release/environment verdicts checked against version {} at {}; {} would change\n",
        sim.checked,
        sim.current_version,
        sim.at,
        sim.changed.len()
    );
    for c in &sim.changed {
        let _ = writeln!(
            s,
            "  {} {} {} to {}: {} → {}",
            c.release_id,
            Shown(&c.service),
            Shown(&c.version),
            Shown(&c.environment),
            c.before.as_str(),
            c.after.as_str()
        );
        for r in &c.reasons {
            let _ = writeln!(s, "      {}", Shown(r));
        }
    }
    s
}

fn pending_text(list: &[PendingDecision]) -> String {
    if list.is_empty() {
        return "nothing waits for your decision".into();
    }
    let mut s = String::new();
    for p in list {
        let _ = writeln!(
            s,
            "{} {} {} to {}{}: {}",
            p.release_id,
            Shown(&p.service),
            Shown(&p.version),
            Shown(&p.environment),
            p.window_start
                .as_deref()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default(),
            Shown(&p.reason)
        );
    }
    s
}
