//! One adapter per subcommand: build the request, call the use-case, hand back an [`Outcome`].

use relm_api::releases::ReleaseInput;
use relm_api::replicas::JoinRequestInput;
use relm_api::risks::{MitigationInput, RiskInput, RiskQuery};
use relm_api::workspace::{InitRequest, init};
use relm_api::{ApiError, KeyringChoice, Options, Relm, Result};
use relm_domain::clock::SystemClock;
use relm_domain::payload::{Decision, Outcome as Deployed};
use relm_domain::release::{ChangeRef, Component, EvidenceLink};
use relm_domain::role::Role;
use relm_domain::text::Shown;
use std::path::PathBuf;
use std::sync::Arc;

use crate::Outcome;
use crate::args::{
    AuditCmd, Cli, Command, IdentityCmd, MemberCmd, ReleaseCmd, ReleaseFieldArgs, RemoteCmd,
    RiskCmd, RiskFieldArgs, SyncArgs, SyncCmd, WorkspaceCmd,
};
use crate::text;

pub(crate) fn options(data_dir: Option<PathBuf>) -> Result<Options> {
    let data_dir = match data_dir {
        Some(d) => d,
        None => relm_api::logging::default_data_dir().ok_or_else(|| {
            ApiError::validation("no home folder to keep data in; pass --data-dir DIR")
        })?,
    };
    Ok(Options {
        data_dir,
        clock: Arc::new(SystemClock),
        keyring: KeyringChoice::Os,
    })
}

pub fn run(cli: Cli) -> Result<Outcome> {
    // Checking a pack needs no data dir at all.
    if let Command::Verify { pack } = &cli.command {
        return crate::report::verify(pack);
    }
    let opts = options(cli.data_dir)?;
    match cli.command {
        Command::Init(a) => {
            let req = InitRequest {
                workspace: a.workspace.map_or_else(|| prompt("Workspace name"), Ok)?,
                name: a.name.map_or_else(|| prompt("Your name"), Ok)?,
                email: a.email.map_or_else(|| prompt("Your e-mail"), Ok)?,
            };
            let (_, out) = init(&opts, &req)?;
            let text = text::init(&out);
            Outcome::ok(out, text)
        }
        Command::Join(a) => {
            let req = JoinRequestInput {
                remote: a.remote,
                name: a.name.map_or_else(|| prompt("Your name"), Ok)?,
                email: a.email.map_or_else(|| prompt("Your e-mail"), Ok)?,
            };
            let token = crate::connect::read_token(a.token_stdin, "RELM_REMOTE_TOKEN")?;
            let (_, out) = relm_api::replicas::join_with(&opts, &req, token)?;
            let text = text::join(&out);
            Outcome::ok(out, text)
        }
        Command::Remote(cmd) => remote(&opts, cmd),
        Command::Sync(SyncArgs {
            command: Some(SyncCmd::Status),
            ..
        }) => {
            let status = Relm::open(&opts)?.sync_status()?;
            let text = text::sync_status(&status);
            Outcome::ok(status, text)
        }
        Command::Sync(SyncArgs {
            command: Some(SyncCmd::PurgeWaiting { author }),
            ..
        }) => {
            let purged = Relm::open(&opts)?.purge_waiting(author.as_deref())?;
            let text = format!("{purged} waiting event(s) forgotten\n");
            Outcome::ok(serde_json::json!({ "purged": purged }), text)
        }
        Command::Sync(SyncArgs { remote, .. }) => {
            let outcomes = Relm::open(&opts)?.sync(remote.as_deref())?;
            let text = text::sync(&outcomes);
            // Unreachable or unusable remotes: 2; events quarantined or a lying segment header (a
            // failed check): 1.
            let exit = if outcomes.iter().any(|o| !o.ok) {
                2
            } else if outcomes.iter().any(|o| {
                o.report.as_ref().is_some_and(|r| {
                    !r.pulled.quarantined.is_empty() || !r.garbled.is_empty() || !r.lying.is_empty()
                })
            }) {
                1
            } else {
                0
            };
            let errors = outcomes
                .iter()
                .filter_map(|o| {
                    o.error
                        .as_ref()
                        .map(|e| format!("{}: {}", Shown(&o.remote), Shown(&e.message)))
                })
                .collect();
            Ok(Outcome {
                exit,
                errors,
                ..Outcome::ok(serde_json::json!({ "remotes": outcomes }), text)?
            })
        }
        Command::Identity(cmd) => identity(&opts, cmd),
        Command::Member(cmd) => member(&opts, cmd),
        Command::Release(cmd) => release(&opts, cmd),
        Command::Policy(cmd) => crate::gates::policy(&opts, cmd),
        Command::Approve(a) => crate::gates::decide(&opts, a, Decision::Approve),
        Command::Reject(a) => crate::gates::decide(&opts, a, Decision::Reject),
        Command::Check(a) => crate::gates::check(&opts, a),
        Command::Pending => crate::gates::pending(&opts),
        Command::Calendar(cmd) => crate::gates::calendar(&opts, cmd),
        Command::Risk(cmd) => risk(&opts, cmd),
        Command::Sbom(cmd) => crate::sbom::sbom(&opts, cmd),
        Command::Notes(cmd) => crate::report::notes(&opts, cmd),
        Command::Digest(cmd) => crate::tell::digest(&opts, cmd),
        Command::Webhook(cmd) => crate::tell::webhook(&opts, cmd),
        Command::Deploy(cmd) => crate::delivery::deploy(&opts, cmd),
        Command::Connector(cmd) => crate::connect::connector(&opts, cmd),
        Command::Outbox(cmd) => crate::connect::outbox(&opts, cmd),
        Command::Rollback(cmd) => crate::delivery::rollback(&opts, cmd),
        Command::Review(cmd) => crate::delivery::review(&opts, cmd),
        Command::Action(cmd) => crate::delivery::action(&opts, cmd),
        Command::Metrics(a) => crate::delivery::metrics(&opts, a),
        Command::Report(c) => crate::report::report(&opts, c),
        Command::Pack(c) => crate::report::pack(&opts, c),
        Command::Verify { pack } => crate::report::verify(&pack),
        Command::Workspace(WorkspaceCmd::Configure { max_clock_offset }) => {
            let out = Relm::open(&opts)?.configure_workspace(max_clock_offset)?;
            let text = format!(
                "events stamped more than {} min ahead of a replica's clock are now held until they fit\n",
                out.max_clock_offset_minutes
            );
            Outcome::ok(out, text)
        }
        Command::Audit(AuditCmd::Verify) => {
            let report = Relm::open(&opts)?.verify()?;
            let text = text::verify(&report);
            let exit = if report.ok { 0 } else { 1 };
            Ok(Outcome {
                exit,
                ..Outcome::ok(report, text)?
            })
        }
        Command::Audit(AuditCmd::Log { entity, limit }) => {
            let log = Relm::open(&opts)?.audit_log(entity.as_deref(), limit)?;
            let text = text::log(&log);
            Outcome::ok(log, text)
        }
        Command::Demo => {
            let (relm, out) = relm_api::demo::seed(&opts)?;
            let summary = relm.summary()?;
            let mut text = out
                .created_workspace
                .as_ref()
                .map(text::init)
                .unwrap_or_default();
            text.push_str(&text::summary(&summary));
            Outcome::ok(serde_json::json!({ "demo": out, "summary": summary }), text)
        }
        Command::Rebuild => {
            // Verified first, as the app's Audit page does: a ledger that fails verification
            // is refused, tables that match it are left as they are.
            let repair = Relm::open(&opts)?.repair()?;
            let text = text::rebuilt(&repair);
            let exit = if repair.report.ok { 0 } else { 1 };
            Ok(Outcome {
                exit,
                ..Outcome::ok(
                    serde_json::json!({
                        "events": repair.report.events,
                        "rebuilt": repair.rebuilt,
                        "ok": repair.report.ok,
                    }),
                    text,
                )?
            })
        }
        Command::Status => {
            let summary = Relm::open(&opts)?.summary()?;
            let text = text::summary(&summary);
            Outcome::ok(summary, text)
        }
    }
}

fn identity(opts: &Options, cmd: IdentityCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        IdentityCmd::Show => {
            let id = relm.identity()?;
            let text = text::identity(&id);
            Outcome::ok(id, text)
        }
        IdentityCmd::Export { out } => {
            let pass = passphrase(true)?;
            let info = relm.export_identity(&out, &pass)?;
            let text = format!(
                "wrote an encrypted backup of {} ({}) to {}\nkeep it and its passphrase apart, somewhere safe",
                Shown(&info.member_name),
                info.key_id,
                Shown(&out.display().to_string())
            );
            Outcome::ok(serde_json::json!({ "file": out, "backup": info }), text)
        }
        IdentityCmd::Import { file } => {
            let pass = passphrase(false)?;
            let info = relm.import_identity(&file, &pass)?;
            let text = format!(
                "restored the identity of {} ({}) into the {}",
                Shown(&info.member_name),
                info.key_id,
                relm.keyring_backend()
            );
            Outcome::ok(info, text)
        }
    }
}

fn roles(names: &[String]) -> Result<Vec<Role>> {
    names
        .iter()
        .map(|r| r.parse::<Role>().map_err(ApiError::from))
        .collect()
}

fn member(opts: &Options, cmd: MemberCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        MemberCmd::Add {
            key,
            roles: r,
            name,
            email,
        } => {
            let m = relm.add_member(&key, name.as_deref(), email.as_deref(), &roles(&r)?)?;
            let text = format!(
                "added {} ({}) as {}",
                Shown(&m.name),
                m.fingerprint,
                m.roles.join(", ")
            );
            Outcome::ok(m, text)
        }
        MemberCmd::List => {
            let list = relm.members()?;
            let text = text::members(&list);
            Outcome::ok(list, text)
        }
        MemberCmd::Roles { member, roles: r } => {
            let m = relm.set_member_roles(&member, &roles(&r)?)?;
            let text = format!(
                "{} ({}) now has: {}",
                Shown(&m.name),
                m.fingerprint,
                m.roles.join(", ")
            );
            Outcome::ok(m, text)
        }
        MemberCmd::Team { member, team } => {
            let m = relm.set_member_team(&member, &team)?;
            let text = if m.team.is_empty() {
                format!("{} ({}) is in no team", Shown(&m.name), m.fingerprint)
            } else {
                format!(
                    "{} ({}) is in team {}",
                    Shown(&m.name),
                    m.fingerprint,
                    Shown(&m.team)
                )
            };
            Outcome::ok(m, text)
        }
        MemberCmd::Rotate { member, key } => {
            let m = relm.rotate_member(&member, &key)?;
            let text = format!(
                "{} now signs with key {}; the old key is removed\n",
                Shown(&m.name),
                m.fingerprint
            );
            Outcome::ok(m, text)
        }
        MemberCmd::Remove { member } => {
            let m = relm.remove_member(&member)?;
            let text = format!(
                "removed {} ({}); their past events stay valid",
                Shown(&m.name),
                m.fingerprint
            );
            Outcome::ok(m, text)
        }
    }
}

/// `spec` split on `|`: the first `min` parts required, up to `max` in all (optional ones
/// may be empty).
fn split_spec(spec: &str, what: &str, min: usize, max: usize) -> Result<Vec<String>> {
    let parts: Vec<String> = spec.split('|').map(|p| p.trim().to_string()).collect();
    if parts.len() < min || parts.len() > max || parts.iter().take(min).any(String::is_empty) {
        return Err(ApiError::validation(format!(
            "--{what} `{spec}`: expected {} separated by `|`",
            match what {
                "component" => "NAME|VERSION[|sha256:DIGEST]",
                "change" => "ID|TITLE[|LINK[|AUTHOR]]",
                _ => "NAME|LINK or NAME|sha256:DIGEST",
            }
        )));
    }
    Ok(parts)
}

fn list<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn input(a: ReleaseFieldArgs, clear_window: bool) -> Result<ReleaseInput> {
    let components = a
        .components
        .iter()
        .map(|s| {
            let p = split_spec(s, "component", 2, 3)?;
            Ok(Component {
                name: p[0].clone(),
                version: p[1].clone(),
                digest: p.get(2).cloned(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let changes = a
        .changes
        .iter()
        .map(|s| {
            let p = split_spec(s, "change", 2, 4)?;
            let optional = |i: usize| p.get(i).filter(|v| !v.is_empty()).cloned();
            Ok(ChangeRef {
                id: p[0].clone(),
                title: p[1].clone(),
                link: optional(2),
                author: optional(3),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let evidence = a
        .evidence
        .iter()
        .map(|s| {
            let p = split_spec(s, "evidence", 2, 2)?;
            let is_digest = p[1].starts_with("sha256:");
            Ok(EvidenceLink {
                name: p[0].clone(),
                link: (!is_digest).then(|| p[1].clone()),
                digest: is_digest.then(|| p[1].clone()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ReleaseInput {
        service: a.service,
        version: a.version,
        title: a.title,
        description: a.description,
        change_type: a.change_type,
        risk: a.risk,
        environments: list(a.envs),
        window: match (a.start, a.end, a.tz) {
            (Some(s), Some(e), Some(z)) => Some((s, e, z)),
            _ => None,
        },
        clear_window,
        components: list(components),
        changes: list(changes),
        rollback_plan: a.rollback_plan,
        evidence: list(evidence),
    })
}

fn release(opts: &Options, cmd: ReleaseCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        ReleaseCmd::Create(a) => {
            let r = relm.create_release(&input(a, false)?)?;
            Outcome::ok(
                serde_json::json!({ "id": r.id, "release": r }),
                r.id.clone(),
            )
        }
        ReleaseCmd::Update {
            id,
            fields,
            clear_window,
        } => {
            let r = relm.update_release(&id, &input(fields, clear_window)?)?;
            let text = format!("updated {} (revision {})", r.id, r.revision);
            Outcome::ok(serde_json::json!({ "id": r.id, "release": r }), text)
        }
        ReleaseCmd::Status { id, status, note } => {
            let r = relm.set_release_status(&id, &status, note.as_deref())?;
            let text = format!("{} is now {}", r.id, r.status);
            Outcome::ok(
                serde_json::json!({ "id": r.id, "status": r.status, "release": r }),
                text,
            )
        }
        ReleaseCmd::Deployed {
            id,
            env,
            failed,
            note,
        } => {
            let outcome = if failed {
                Deployed::Failed
            } else {
                Deployed::Succeeded
            };
            let r = relm.record_deployment(&id, &env, outcome, note.as_deref())?;
            let mut text = format!(
                "recorded: {} to {} {}",
                outcome.as_str(),
                Shown(&env),
                Shown(&id)
            );
            for d in &r.deviations {
                text.push_str(&format!("\ndeviation {}: {}", d.kind, Shown(&d.reason)));
            }
            Outcome::ok(
                serde_json::json!({ "id": id, "environment": env, "outcome": outcome,
                    "deployment": r.id, "deviations": r.deviations }),
                text,
            )
        }
        ReleaseCmd::Reschedule(a) => crate::gates::reschedule(&mut relm, a),
        ReleaseCmd::Justify { id, entry, reason } => {
            relm.justify_freeze(&id, &entry, &reason)?;
            Outcome::ok(
                serde_json::json!({ "id": id, "entry": entry }),
                format!("recorded the justification of {id} inside the soft freeze"),
            )
        }
        ReleaseCmd::Rehearsed { id, note, link } => {
            relm.record_rehearsal(&id, &note, link.as_deref())?;
            Outcome::ok(
                serde_json::json!({ "id": id }),
                format!("recorded a rollback rehearsal of {id}"),
            )
        }
        ReleaseCmd::Emergency {
            id,
            reason,
            incident,
            approver,
        } => {
            relm.declare_emergency(&id, &reason, &incident, &approver)?;
            Outcome::ok(
                serde_json::json!({ "id": id, "incident": incident }),
                format!(
                    "emergency path declared for {id}; the approver must confirm it afterwards"
                ),
            )
        }
        ReleaseCmd::Show { id } => {
            let d = relm.release_detail(&id)?;
            let text = text::release_detail(&d);
            Outcome::ok(d, text)
        }
        ReleaseCmd::List {
            service,
            status,
            env,
            change_type,
            sort,
            from,
            to,
            limit,
            cursor,
        } => {
            let query = relm_api::releases::ReleaseQuery {
                service,
                status,
                environment: env,
                change_type,
                sort,
                from,
                to,
                limit: Some(limit),
                cursor,
                levels: None,
            };
            let page = relm.query_releases(&query)?;
            let text = text::releases(&page);
            Outcome::ok(page, text)
        }
    }
}

/// Ask on the terminal; refuses when there is no terminal to ask.
fn prompt(label: &str) -> Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(ApiError::validation(format!(
            "{label} is required; pass it as an option (see --help)"
        )));
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{label}: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| ApiError::validation(e.to_string()))?;
    Ok(line.trim().to_string())
}

/// `RELM_PASSPHRASE` when set (automation), otherwise the terminal, asked twice on export.
fn passphrase(confirm: bool) -> Result<String> {
    if let Ok(p) = std::env::var("RELM_PASSPHRASE") {
        return Ok(p);
    }
    let read = |label: &str| {
        rpassword::prompt_password(label).map_err(|e| {
            ApiError::validation(format!(
                "cannot read a passphrase from the terminal ({e}); set RELM_PASSPHRASE"
            ))
        })
    };
    let first = read("Passphrase: ")?;
    if confirm && read("Repeat passphrase: ")? != first {
        return Err(ApiError::validation(
            "the passphrases differ; nothing was written",
        ));
    }
    Ok(first)
}

fn remote(opts: &Options, cmd: RemoteCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        RemoteCmd::Add {
            name,
            folder,
            token_stdin,
        } => {
            let token = crate::connect::read_token(token_stdin, "RELM_REMOTE_TOKEN")?;
            let r = relm.add_remote_with(&name, &folder, token)?;
            let text = format!(
                "added remote `{}` at {}; run `relm sync` to exchange events",
                Shown(&r.name),
                Shown(&r.location)
            );
            Outcome::ok(r, text)
        }
        RemoteCmd::List => {
            let list = relm.remotes()?;
            let text = text::remotes(&list);
            Outcome::ok(list, text)
        }
        RemoteCmd::Remove { name } => {
            relm.remove_remote(&name)?;
            Outcome::ok(
                serde_json::json!({ "removed": name }),
                format!(
                    "removed remote `{}`; its folder was left as it is",
                    Shown(&name)
                ),
            )
        }
    }
}

fn risk_input(a: RiskFieldArgs) -> RiskInput {
    let list = |v: Vec<String>| (!v.is_empty()).then_some(v);
    RiskInput {
        title: a.title,
        description: a.description,
        category: a.category,
        likelihood: a.likelihood,
        impact: a.impact,
        owner: a.owner,
        services: list(a.services),
        releases: list(a.releases),
        review_by: a.review_by,
        residual_likelihood: a.residual_likelihood,
        residual_impact: a.residual_impact,
    }
}

fn risk(opts: &Options, cmd: RiskCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    let saved = |r: relm_api::risks::RiskView, text: String| {
        Outcome::ok(serde_json::json!({ "id": r.id, "risk": r }), text)
    };
    match cmd {
        RiskCmd::Add(a) => {
            let r = relm.add_risk(&risk_input(a))?;
            let id = r.id.clone();
            saved(r, id)
        }
        RiskCmd::Update { id, fields } => {
            let r = relm.update_risk(&id, &risk_input(fields))?;
            let text = format!("updated risk {} (revision {})", r.id, r.revision);
            saved(r, text)
        }
        RiskCmd::Mitigate {
            id, done: Some(n), ..
        } => {
            let r = relm.mitigation_done(&id, n)?;
            let text = format!("mitigation {n} of risk {} is done", r.id);
            saved(r, text)
        }
        RiskCmd::Mitigate {
            id,
            action,
            owner,
            due,
            residual_likelihood,
            residual_impact,
            done: None,
        } => {
            let r = relm.mitigate_risk(
                &id,
                &MitigationInput {
                    action: action.unwrap_or_default(),
                    owner,
                    due,
                    done: false,
                    residual_likelihood,
                    residual_impact,
                },
            )?;
            let text = format!(
                "risk {} is {}; residual score {}",
                r.id, r.status, r.residual_score
            );
            saved(r, text)
        }
        RiskCmd::Accept { id, reason, until } => {
            let r = relm.accept_risk(&id, &reason, &until)?;
            let until = r
                .acceptance
                .as_ref()
                .map(|a| a.expires_at.clone())
                .unwrap_or_default();
            let text = format!("risk {} accepted until {until}", r.id);
            saved(r, text)
        }
        RiskCmd::Close { id, reason } => {
            let r = relm.close_risk(&id, &reason)?;
            let text = format!("risk {} closed", r.id);
            saved(r, text)
        }
        RiskCmd::Answer {
            release,
            questions,
            answers,
        } => {
            if questions.len() != answers.len() {
                return Err(ApiError::validation(format!(
                    "{} --question but {} --answer; give them in pairs: --question KEY --answer VALUE",
                    questions.len(),
                    answers.len()
                )));
            }
            let pairs: Vec<_> = questions.into_iter().zip(answers).collect();
            let a = relm.answer_risk(&release, &pairs)?;
            let text = text::assessment(&a);
            Outcome::ok(a, text)
        }
        RiskCmd::Assess { release } => {
            let a = relm.assess_release(&release)?;
            let text = text::assessment(&a);
            Outcome::ok(a, text)
        }
        RiskCmd::Import { file, skip_invalid } => {
            let r = relm.import_risks_csv_file(&file, skip_invalid)?;
            let mut text = format!("imported {} risk(s)", r.imported);
            if !r.skipped.is_empty() {
                let lines: Vec<String> = r.skipped.iter().map(|s| s.line.to_string()).collect();
                text.push_str(&format!(
                    "; skipped {} bad row(s), on line(s) {}:",
                    r.skipped.len(),
                    lines.join(", ")
                ));
                for s in &r.skipped {
                    text.push_str(&format!("\n  line {}: {}", s.line, Shown(&s.message)));
                }
            }
            Outcome::ok(r, text)
        }
        RiskCmd::Export { out, delimiter } => {
            let n = relm.export_risks_csv_file(&out, &delimiter)?;
            let text = format!("wrote the register ({n} risks) to {}", out.display());
            Outcome::ok(serde_json::json!({ "file": out, "risks": n }), text)
        }
        RiskCmd::Level {
            release,
            level,
            reason,
        } => {
            let a = relm.set_release_risk(&release, &level, &reason)?;
            let text = text::assessment(&a);
            Outcome::ok(a, text)
        }
        RiskCmd::Show { id } => {
            let d = relm.risk_detail(&id)?;
            let text = text::risk_detail(&d);
            Outcome::ok(d, text)
        }
        RiskCmd::List {
            status,
            service,
            release,
            min_score,
            search,
            sort,
            limit,
        } => {
            let list = relm.risks(&RiskQuery {
                sort,
                status,
                service,
                release,
                min_score,
                search,
                limit: Some(limit),
                ..RiskQuery::default()
            })?;
            let text = text::risks(&list);
            Outcome::ok(list, text)
        }
    }
}
