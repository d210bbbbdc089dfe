//! Human-readable output. Plain aligned text; the same data is available with `--json`.

use relm_api::Rejected;
use relm_api::identity::IdentityView;
use relm_api::members::MemberView;
use relm_api::releases::{ReleaseDetail, ReleasePage};
use relm_api::replicas::{JoinOutcome, RemoteView, SyncOutcome, SyncStatus, summary_line};
use relm_api::workspace::{InitOutcome, Summary};
use relm_api::{LogEntry, VerifyReport};
use relm_domain::text::{Shown, shown_lines};
use std::fmt::Write;

pub fn init(o: &InitOutcome) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "workspace {} ({})",
        Shown(&o.workspace_name),
        o.workspace_id
    );
    let _ = writeln!(s, "your key fingerprint: {}", o.fingerprint);
    let _ = writeln!(s, "private key stored in the {}", o.keyring);
    if !o.keyring_persistent {
        let _ = writeln!(
            s,
            "warning: this keyring forgets keys at reboot; back the key up now"
        );
    }
    let _ = writeln!(
        s,
        "without a backup, a lost keyring means a lost identity: run `relm identity export --out FILE`"
    );
    s
}

pub fn identity(view: &IdentityView) -> String {
    let i = &view.member;
    format!(
        "{} <{}>\nkey id:      {}\nfingerprint: {}\npublic key:  {}\nroles:       {}{}\nkeyring:     {} ({})\n",
        Shown(&i.name),
        Shown(&i.email),
        i.key_id,
        i.fingerprint,
        i.public_key,
        i.roles.join(", "),
        match (i.active, i.roles.is_empty()) {
            (true, _) => "",
            (false, true) => " (not a member yet: an admin must add this key, then sync)",
            (false, false) => " (removed)",
        },
        view.keyring,
        if view.private_key_present {
            "private key present"
        } else {
            "private key MISSING: run `relm identity import FILE`"
        },
    )
}

pub fn members(list: &[MemberView]) -> String {
    let mut s = format!(
        "{:<20} {:<24} {:<32} {}\n",
        "FINGERPRINT", "NAME", "EMAIL", "ROLES"
    );
    for m in list {
        let roles = if !m.active {
            "(removed)".into()
        } else if m.team.is_empty() {
            m.roles.join(",")
        } else {
            format!("{} (team {})", m.roles.join(","), Shown(&m.team))
        };
        let _ = writeln!(
            s,
            "{:<20} {:<24} {:<32} {}",
            m.fingerprint,
            Shown(&m.name),
            Shown(&m.email),
            roles
        );
    }
    s
}

pub fn releases(page: &ReleasePage) -> String {
    if page.releases.is_empty() {
        return "no releases match; create one with `relm release create` (see --help)".into();
    }
    let mut s = format!(
        "{:<36}  {:<22} {:<12} {:<9} {:<8} {:<11} {:<20} {}\n",
        "ID", "SERVICE", "VERSION", "TYPE", "RISK", "STATUS", "ENVIRONMENTS", "WINDOW"
    );
    for r in &page.releases {
        let f = &r.fields;
        let window = f
            .window
            .as_ref()
            .map(|w| w.local_start())
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "{:<36}  {:<22} {:<12} {:<9} {:<8} {:<11} {:<20} {}",
            r.id,
            Shown(&f.service),
            Shown(&f.version),
            f.change_type.as_str(),
            page.levels.get(&r.id).map_or("-", |l| l.as_str()),
            r.status.as_str(),
            Shown(&f.environments.join(",")),
            window
        );
    }
    if let Some(c) = &page.next_cursor {
        let _ = writeln!(s, "more: --cursor {c}");
    }
    s
}

/// Where the later lines of a multi-line value start: no line of it can pass for a line of
/// the output around it.
const INDENT: &str = "             | ";

pub fn release_detail(d: &ReleaseDetail) -> String {
    let r = &d.release;
    let f = &r.fields;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} — {}",
        Shown(&f.service),
        Shown(&f.version),
        Shown(&f.title)
    );
    let _ = writeln!(s, "id:          {}", r.id);
    let _ = writeln!(
        s,
        "status:      {} (next: {})",
        r.status,
        if d.allowed_next.is_empty() {
            "none".into()
        } else {
            d.allowed_next
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(s, "type:        {}", f.change_type.as_str());
    let _ = writeln!(s, "environments: {}", Shown(&f.environments.join(", ")));
    if let Some(w) = &f.window {
        let _ = writeln!(
            s,
            "window:      {} → {} ({})",
            w.local_start(),
            w.local_end(),
            Shown(&w.tz)
        );
    }
    let _ = writeln!(s, "owner:       {}", f.owner);
    if !f.description.is_empty() {
        let _ = writeln!(s, "description: {}", shown_lines(&f.description, INDENT));
    }
    let _ = writeln!(
        s,
        "rollback:    {}",
        if f.rollback_plan.is_empty() {
            "(none)".into()
        } else {
            shown_lines(&f.rollback_plan, INDENT)
        }
    );
    for c in &f.components {
        let _ = writeln!(
            s,
            "component:   {} {} {}",
            Shown(&c.name),
            Shown(&c.version),
            Shown(c.digest.as_deref().unwrap_or(""))
        );
    }
    for c in &f.changes {
        let _ = writeln!(
            s,
            "change:      {} {} {}",
            Shown(&c.id),
            Shown(&c.title),
            Shown(c.link.as_deref().unwrap_or(""))
        );
    }
    for e in &f.evidence {
        let _ = writeln!(
            s,
            "evidence:    {} {}",
            Shown(&e.name),
            Shown(e.link.as_deref().or(e.digest.as_deref()).unwrap_or(""))
        );
    }
    let _ = writeln!(s, "\nstatus history:");
    for h in &d.status_history {
        let _ = writeln!(
            s,
            "  {}  {} → {}  by {}{}",
            h.at,
            h.from.as_deref().unwrap_or("(new)"),
            h.to,
            Shown(&h.by),
            h.note
                .as_deref()
                .map(|n| format!(" — {}", shown_lines(n, INDENT)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "\naudit trail ({} events):", d.events.len());
    for e in &d.events {
        let _ = writeln!(
            s,
            "  {}  {:<24} {}",
            e.at,
            e.kind,
            Shown(e.author_name.as_deref().unwrap_or(&e.author))
        );
    }
    s
}

/// What `relm rebuild` did: nothing when the tables matched the verified ledger, else the
/// tables rebuilt and the verification after (a failure said as `audit verify` says it).
pub fn rebuilt(r: &relm_api::Repair) -> String {
    let events = r.report.events;
    if !r.report.ok {
        verify(&r.report)
    } else if r.rebuilt.is_empty() {
        format!("verified {events} events; the tables match them, nothing rebuilt")
    } else {
        format!(
            "verified {events} events; rebuilt the table(s) that differed from them ({}); the store verifies",
            r.rebuilt.join(", ")
        )
    }
}

pub fn verify(r: &VerifyReport) -> String {
    let mut text = verify_result(r);
    for f in &r.forks {
        let _ = write!(
            text,
            "\nSECURITY FINDING: the key {} signed two histories from sequence number {}; nothing it signed from there counts (relm member rotate {} --key NEW_PUBLIC_KEY)",
            f.fingerprint, f.seq, f.fingerprint
        );
    }
    text
}

fn verify_result(r: &VerifyReport) -> String {
    match &r.problem {
        None => format!(
            "verified {} events from {} authors; head {}{}",
            r.events,
            r.authors,
            r.head.as_deref().unwrap_or("(empty)"),
            if r.not_applied > 0 {
                format!(
                    "\n{} authentic event(s) had no effect at their point in the ledger (see `relm sync status`)",
                    r.not_applied
                )
            } else {
                String::new()
            }
        ),
        Some(_) => {
            let mut s = format!(
                "verification FAILED: {} problem(s) among {} events",
                r.problems.len(),
                r.events
            );
            for p in &r.problems {
                let _ = write!(
                    s,
                    "\n  event {}{}: {} [{}]",
                    p.event,
                    match (&p.author, p.seq) {
                        (Some(a), Some(q)) => format!(" (author {}, seq {q})", Shown(a)),
                        _ => String::new(),
                    },
                    Shown(&p.message),
                    p.code
                );
            }
            s
        }
    }
}

pub fn log(entries: &[LogEntry]) -> String {
    let mut s = String::new();
    for e in entries {
        // The ledger's time, then the author's own clock when signing (format 2 events).
        let _ = writeln!(
            s,
            "{}  (signed {})  {:<24} {:<20} {}  {}",
            e.at,
            e.signed_at.as_deref().unwrap_or("-"),
            e.kind,
            Shown(e.author_name.as_deref().unwrap_or(&e.author)),
            Shown(e.entity.as_deref().unwrap_or("-")),
            e.id
        );
    }
    if s.is_empty() { "no events".into() } else { s }
}

pub fn summary(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", Shown(&s.name), s.workspace_id);
    let _ = writeln!(out, "data dir: {}", Shown(&s.data_dir));
    let _ = writeln!(
        out,
        "{} members, {} releases, {} ledger events",
        s.members, s.releases, s.events
    );
    for (status, n) in &s.releases_by_status {
        let _ = writeln!(out, "  {status:<12} {n}");
    }
    out
}

pub fn join(o: &JoinOutcome) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "joined workspace {} ({}): {} events verified",
        Shown(&o.workspace_name),
        o.workspace_id,
        o.events
    );
    let _ = writeln!(s, "your public key:  {}", o.public_key);
    let _ = writeln!(s, "your fingerprint: {}", o.fingerprint);
    let _ = writeln!(s, "private key stored in the {}", o.keyring);
    let _ = writeln!(
        s,
        "you can read the workspace now; to record changes, an admin must run\n  relm member add --key {} --role ROLE\nand both of you must `relm sync`.",
        o.public_key
    );
    if o.request_written {
        let _ = writeln!(
            s,
            "a join request with your name and e-mail was left on the remote for the admins."
        );
    }
    if !o.keyring_persistent {
        let _ = writeln!(
            s,
            "warning: this keyring forgets keys at reboot; back the key up now"
        );
    }
    let _ = writeln!(s, "back up your key: `relm identity export --out FILE`");
    s
}

pub fn remotes(list: &[RemoteView]) -> String {
    if list.is_empty() {
        return "no remotes; add one with `relm remote add NAME FOLDER` (or a git URL: git+ssh://…)\n".into();
    }
    let mut s = String::new();
    for r in list {
        let last = match (&r.last_sync_at, &r.last_result) {
            (Some(at), Some(res)) => format!("last sync {at} ({res})"),
            _ => "never synced".into(),
        };
        let _ = writeln!(
            s,
            "{:<12} {:<6} {}  {last}, {} event(s) to push",
            Shown(&r.name),
            r.kind,
            Shown(&r.location),
            r.pending_push
        );
        if let (Some(res), Some(msg)) = (&r.last_result, &r.last_message)
            && res != "ok"
        {
            let _ = writeln!(s, "{:<12} {}", "", Shown(msg));
        }
    }
    s
}

pub fn sync(outcomes: &[SyncOutcome]) -> String {
    let mut s = String::new();
    for o in outcomes {
        match (&o.report, &o.error) {
            (Some(r), _) => {
                let _ = writeln!(s, "{}: {}", Shown(&o.remote), summary_line(r));
                for (kind, n) in &r.pulled.kinds {
                    let _ = writeln!(s, "  arrived: {n} × {}", Shown(kind));
                }
                if r.pulled.replayed {
                    let _ = writeln!(
                        s,
                        "  some events were made concurrently with local ones: projections recomputed in ledger order"
                    );
                }
                for q in r.pulled.quarantined.iter().chain(&r.garbled) {
                    let _ = writeln!(s, "  QUARANTINED {}", quarantined(q));
                }
                for f in &r.lying {
                    let _ = writeln!(s, "  SECURITY {}: {}", Shown(&f.file), Shown(&f.reason));
                }
                if let Some(dir) = &r.moved_to {
                    let _ = writeln!(
                        s,
                        "  warning: this replica's folder on the remote was a link or a file; it now writes to {}",
                        Shown(dir)
                    );
                }
                if r.pulled.dropped > 0 {
                    let _ = writeln!(
                        s,
                        "  {} waiting event(s) over the cap were not kept; they are read again when the membership changes",
                        r.pulled.dropped
                    );
                }
                for f in &r.altered {
                    let _ = writeln!(
                        s,
                        "  warning: {} was changed after it was written; its events were checked one by one",
                        Shown(f)
                    );
                }
                for f in &r.ignored {
                    let _ = writeln!(s, "  ignored {}: {}", Shown(&f.file), Shown(&f.reason));
                }
                for f in &r.incomplete {
                    let _ = writeln!(
                        s,
                        "  {} is still being copied; it will be read on the next sync",
                        Shown(f)
                    );
                }
                for j in &r.join_requests {
                    let _ = writeln!(
                        s,
                        "  join request from {} <{}>: relm member add --key {} --role ROLE",
                        Shown(&j.name),
                        Shown(&j.email),
                        Shown(&j.public_key)
                    );
                }
            }
            (None, Some(e)) => {
                let _ = writeln!(
                    s,
                    "{}: {} — {}",
                    Shown(&o.remote),
                    o.result,
                    Shown(&e.message)
                );
            }
            (None, None) => {}
        }
    }
    s
}

/// One quarantined event: what, from where, why.
fn quarantined(q: &Rejected) -> String {
    format!(
        "{} from {}: {} ({})",
        Shown(q.event.as_deref().unwrap_or("(unreadable)")),
        Shown(&q.source),
        Shown(&q.reason),
        q.code
    )
}

pub fn sync_status(st: &SyncStatus) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "replica {}", st.replica_id);
    if !st.member {
        let _ = writeln!(
            s,
            "this identity is not a member yet: you can read, not record changes (see `relm identity show`)"
        );
    }
    s.push_str(&remotes(&st.remotes));
    if !st.forks.is_empty() || !st.lying.is_empty() || !st.forked.is_empty() {
        let _ = writeln!(s, "\nSECURITY FINDINGS");
        for f in &st.forked {
            let _ = writeln!(
                s,
                "  the key {} signed two histories from sequence number {}: nothing it signed from there counts. {}",
                f.fingerprint,
                f.seq,
                if f.resolved {
                    "Resolved: the key is no longer a member's.".to_string()
                } else {
                    format!(
                        "Give the member a new key: relm member rotate {} --key NEW_PUBLIC_KEY",
                        f.fingerprint
                    )
                }
            );
        }
        for f in &st.forks {
            let _ = writeln!(s, "  {}", Shown(&f.event.reason));
        }
        for f in &st.lying {
            let _ = writeln!(s, "  {}: {}", Shown(&f.file), Shown(&f.reason));
        }
    }
    if !st.quarantined.is_empty() {
        let _ = writeln!(
            s,
            "\nquarantined events ({}), never applied:",
            st.quarantined.len()
        );
        for q in &st.quarantined {
            let _ = writeln!(s, "  {}", quarantined(&q.event));
        }
    }
    if !st.pending.is_empty() {
        let _ = writeln!(s, "\nwaiting for earlier events ({}):", st.pending.len());
        for p in st.pending.iter().map(|h| &h.event) {
            let _ = writeln!(
                s,
                "  {} (author {} seq {}): {}",
                Shown(p.event.as_deref().unwrap_or("?")),
                Shown(p.author.as_deref().unwrap_or("?")),
                p.seq.unwrap_or_default(),
                Shown(&p.reason)
            );
        }
    }
    if !st.not_applied.is_empty() {
        let _ = writeln!(
            s,
            "\nevents without effect at their point in the ledger ({}):",
            st.not_applied.len()
        );
        for n in &st.not_applied {
            let _ = writeln!(
                s,
                "  {} {} at {}: {} ({})",
                n.event,
                n.kind,
                n.at,
                Shown(&n.reason),
                n.code
            );
        }
    }
    let _ = writeln!(s, "\nmembers' last events:");
    for m in &st.members {
        let _ = writeln!(
            s,
            "  {:<24} {}  seq {:<6} {}{}",
            Shown(m.name.as_deref().unwrap_or("(not a member)")),
            m.fingerprint,
            m.last_seq,
            m.last_at,
            if m.active { "" } else { " (inactive)" }
        );
    }
    if !st.join_requests.is_empty() {
        let _ = writeln!(s, "\njoin requests:");
        for j in &st.join_requests {
            let _ = writeln!(
                s,
                "  {} <{}> {}: relm member add --key {} --role ROLE",
                Shown(&j.name),
                Shown(&j.email),
                j.fingerprint,
                Shown(&j.public_key)
            );
        }
    }
    s
}

pub fn risks(list: &[relm_api::risks::RiskView]) -> String {
    if list.is_empty() {
        return "no risks match; add one with `relm risk add` (see --help)".into();
    }
    let mut s = format!(
        "{:<36}  {:<5} {:<8} {:<11} {:<12} {}\n",
        "ID", "SCORE", "RESIDUAL", "STATUS", "CATEGORY", "TITLE"
    );
    for r in list {
        let _ = writeln!(
            s,
            "{:<36}  {:<5} {:<8} {:<11} {:<12} {}",
            r.id,
            r.score,
            r.residual_score,
            r.status.as_str(),
            r.fields.category.as_str(),
            Shown(&r.fields.title)
        );
    }
    s
}

pub fn risk_detail(d: &relm_api::risks::RiskDetail) -> String {
    use relm_domain::risk::{IMPACT, LIKELIHOOD};
    let r = &d.risk;
    let f = &r.fields;
    let label = |labels: &[&'static str; 5], n: u8| -> &'static str {
        labels
            .get(usize::from(n).wrapping_sub(1))
            .copied()
            .unwrap_or("?")
    };
    let mut s = String::new();
    let _ = writeln!(s, "{}", Shown(&f.title));
    let _ = writeln!(s, "id:          {}", r.id);
    let _ = writeln!(s, "status:      {}", r.status.as_str());
    let _ = writeln!(s, "category:    {}", f.category.as_str());
    let _ = writeln!(
        s,
        "score:       {} (likelihood {} {}, impact {} {})",
        r.score,
        f.likelihood,
        label(&LIKELIHOOD, f.likelihood),
        f.impact,
        label(&IMPACT, f.impact)
    );
    let _ = writeln!(s, "residual:    {}", r.residual_score);
    let _ = writeln!(
        s,
        "owner:       {}",
        Shown(r.owner_name.as_deref().unwrap_or(&f.owner.0))
    );
    if !f.services.is_empty() {
        let _ = writeln!(s, "services:    {}", Shown(&f.services.join(", ")));
    }
    if !f.releases.is_empty() {
        let _ = writeln!(s, "releases:    {}", f.releases.join(", "));
    }
    if let Some(d) = &f.review_by {
        let overdue = if r.review_overdue { " (overdue)" } else { "" };
        let _ = writeln!(s, "review by:   {d}{overdue}");
    }
    if !f.description.is_empty() {
        let _ = writeln!(s, "description: {}", shown_lines(&f.description, INDENT));
    }
    for (i, m) in r.mitigations.iter().enumerate() {
        let _ = writeln!(
            s,
            "mitigation {}: [{}] {}{}",
            i + 1,
            if m.done { "x" } else { " " },
            shown_lines(&m.action, INDENT),
            m.due
                .as_deref()
                .map(|d| format!(" (due {d})"))
                .unwrap_or_default()
        );
    }
    if let Some(a) = &r.acceptance {
        let _ = writeln!(
            s,
            "accepted:    by {} until {}{}: {}",
            Shown(a.by_name.as_deref().unwrap_or(&a.by)),
            a.expires_at,
            if a.expired { " (expired)" } else { "" },
            shown_lines(&a.reason, INDENT)
        );
    }
    if let Some(c) = &r.closure {
        let _ = writeln!(
            s,
            "closed:      {}: {}",
            c.at,
            shown_lines(&c.reason, INDENT)
        );
    }
    let _ = writeln!(s, "history:     {} events", d.events.len());
    s
}

pub fn assessment(a: &relm_policy::assess::ReleaseAssessment) -> String {
    let j = &a.judged;
    let mut s = format!("risk {}", j.level);
    if let Some(l) = &j.lowered {
        let _ = write!(
            s,
            " (lowered from {} by {}: {})",
            l.from,
            Shown(&l.name),
            Shown(&l.reason)
        );
    } else if let Some(r) = j.raised {
        let _ = write!(s, " (raised by hand to {r})");
    }
    let _ = writeln!(
        s,
        "\nassessed {} ({:?}, score {}): questionnaire {} → {}, signals {} → {}",
        j.assessed,
        a.method,
        a.score,
        a.questionnaire_score,
        a.questionnaire_level,
        a.signals_score,
        a.signals_level
    );
    if let Some(l) = &j.lapsed {
        let _ = writeln!(
            s,
            "{}'s lowering to {} (from {}) no longer applies",
            Shown(&l.name),
            l.level,
            l.from
        );
    }
    for f in &a.factors {
        let _ = writeln!(s, "  +{:<3} {}", f.points, Shown(&f.detail));
    }
    if !a.unanswered.is_empty() {
        let _ = writeln!(s, "unanswered: {}", Shown(&a.unanswered.join(", ")));
    }
    s
}
