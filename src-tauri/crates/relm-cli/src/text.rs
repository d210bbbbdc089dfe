//! Human-readable output. Plain aligned text; the same data is available with `--json`.

use relm_api::identity::IdentityView;
use relm_api::members::MemberView;
use relm_api::releases::{ReleaseDetail, ReleasePage};
use relm_api::workspace::{InitOutcome, Summary};
use relm_api::{LogEntry, VerifyReport};
use std::fmt::Write;

pub fn init(o: &InitOutcome) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "workspace {} ({})", o.workspace_name, o.workspace_id);
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
        i.name,
        i.email,
        i.key_id,
        i.fingerprint,
        i.public_key,
        i.roles.join(", "),
        if i.active { "" } else { " (removed)" },
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
        let roles = if m.active {
            m.roles.join(",")
        } else {
            "(removed)".into()
        };
        let _ = writeln!(
            s,
            "{:<20} {:<24} {:<32} {}",
            m.fingerprint, m.name, m.email, roles
        );
    }
    s
}

pub fn releases(page: &ReleasePage) -> String {
    if page.releases.is_empty() {
        return "no releases match; create one with `relm release create` (see --help)".into();
    }
    let mut s = format!(
        "{:<36}  {:<22} {:<12} {:<9} {:<11} {:<20} {}\n",
        "ID", "SERVICE", "VERSION", "TYPE", "STATUS", "ENVIRONMENTS", "WINDOW"
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
            "{:<36}  {:<22} {:<12} {:<9} {:<11} {:<20} {}",
            r.id,
            f.service,
            f.version,
            f.change_type.as_str(),
            r.status.as_str(),
            f.environments.join(","),
            window
        );
    }
    if let Some(c) = &page.next_cursor {
        let _ = writeln!(s, "more: --cursor {c}");
    }
    s
}

pub fn release_detail(d: &ReleaseDetail) -> String {
    let r = &d.release;
    let f = &r.fields;
    let mut s = String::new();
    let _ = writeln!(s, "{} {} — {}", f.service, f.version, f.title);
    let _ = writeln!(s, "id:          {}", r.id);
    let _ = writeln!(
        s,
        "status:      {} (next: {})",
        r.status,
        if d.allowed_next.is_empty() {
            "none".into()
        } else {
            d.allowed_next.join(", ")
        }
    );
    let _ = writeln!(s, "type:        {}", f.change_type.as_str());
    let _ = writeln!(s, "environments: {}", f.environments.join(", "));
    if let Some(w) = &f.window {
        let _ = writeln!(
            s,
            "window:      {} → {} ({})",
            w.local_start(),
            w.local_end(),
            w.tz
        );
    }
    let _ = writeln!(s, "owner:       {}", f.owner);
    if !f.description.is_empty() {
        let _ = writeln!(s, "description: {}", f.description);
    }
    let _ = writeln!(
        s,
        "rollback:    {}",
        if f.rollback_plan.is_empty() {
            "(none)"
        } else {
            &f.rollback_plan
        }
    );
    for c in &f.components {
        let _ = writeln!(
            s,
            "component:   {} {} {}",
            c.name,
            c.version,
            c.digest.as_deref().unwrap_or("")
        );
    }
    for c in &f.changes {
        let _ = writeln!(
            s,
            "change:      {} {} {}",
            c.id,
            c.title,
            c.link.as_deref().unwrap_or("")
        );
    }
    for e in &f.evidence {
        let _ = writeln!(
            s,
            "evidence:    {} {}",
            e.name,
            e.link.as_deref().or(e.digest.as_deref()).unwrap_or("")
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
            h.by,
            h.note
                .as_deref()
                .map(|n| format!(" — {n}"))
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
            e.author_name.as_deref().unwrap_or(&e.author)
        );
    }
    s
}

pub fn verify(r: &VerifyReport) -> String {
    match &r.problem {
        None => format!(
            "verified {} events from {} authors; head {}",
            r.events,
            r.authors,
            r.head.as_deref().unwrap_or("(empty)")
        ),
        Some(p) => format!(
            "verification FAILED at event {}{}: {} [{}]\n{} events before it verified",
            p.event,
            match (&p.author, p.seq) {
                (Some(a), Some(s)) => format!(" (author {a}, seq {s})"),
                _ => String::new(),
            },
            p.message,
            p.code,
            r.events
        ),
    }
}

pub fn log(entries: &[LogEntry]) -> String {
    let mut s = String::new();
    for e in entries {
        let _ = writeln!(
            s,
            "{}  {:<24} {:<20} {}  {}",
            e.at,
            e.kind,
            e.author_name.as_deref().unwrap_or(&e.author),
            e.entity.as_deref().unwrap_or("-"),
            e.id
        );
    }
    if s.is_empty() { "no events".into() } else { s }
}

pub fn summary(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", s.name, s.workspace_id);
    let _ = writeln!(out, "data dir: {}", s.data_dir);
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
