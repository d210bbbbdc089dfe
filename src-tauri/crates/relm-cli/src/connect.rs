//! `relm connector`: connections to deployment platforms (docs/connectors.md).

use clap::{Args, Subcommand};
use relm_api::connectors::{ConnectorInput, ConnectorSync, ConnectorView};
use relm_api::{ApiError, Options, Relm, Result};
use relm_domain::text::Shown;
use zeroize::Zeroizing;

use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum ConnectorCmd {
    /// Add a connection to GitHub, GitLab or Argo CD; its token goes to the OS keyring only.
    #[command(subcommand)]
    Add(AddCmd),
    /// Connections with their last sync.
    List,
    /// Forget a connection and its token (what it imported stays in the ledger).
    Remove { name: String },
    /// Reach the platform with the connection's token and say what it found.
    Test { name: String },
    /// Map the platform's environments to Relm's anew (the whole map; an environment not named
    /// keeps its name). `relm connector list` shows the platform's environments once synced.
    Map {
        name: String,
        /// The platform's environment PLATFORM_ENV is Relm's RELM_ENV (repeat for each).
        #[arg(long = "env-map", value_name = "PLATFORM_ENV=RELM_ENV")]
        env_map: Vec<String>,
    },
    /// Pull deployments from every connection (or NAME): exit 0 when every one synced, 1 when
    /// any failed (the others still sync).
    Sync { name: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum AddCmd {
    /// A GitHub repository (github.com, or GitHub Enterprise with --api-url).
    Github {
        name: String,
        #[arg(long, value_name = "OWNER/REPO")]
        repo: String,
        #[command(flatten)]
        common: Common,
    },
    /// A GitLab project (gitlab.com, or your instance with --api-url URL/api/v4).
    Gitlab {
        name: String,
        #[arg(long, value_name = "ID_OR_PATH")]
        project: String,
        #[command(flatten)]
        common: Common,
    },
    /// An Argo CD application (--api-url is your Argo CD server).
    Argocd {
        name: String,
        #[arg(long, value_name = "APP")]
        app: String,
        /// The Argo CD project whose sync windows mirror Relm's calendar.
        #[arg(long, value_name = "P")]
        project: Option<String>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// The platform's API URL.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// The Relm service its deployments belong to (the target's last name by default).
    #[arg(long, value_name = "S")]
    service: Option<String>,
    /// The platform's environment PLATFORM_ENV is Relm's RELM_ENV (repeat for each).
    #[arg(long = "env-map", value_name = "PLATFORM_ENV=RELM_ENV")]
    env_map: Vec<String>,
    /// Read the access token from standard input (else from RELM_CONNECTOR_TOKEN). Never give
    /// it as an argument: other users of the machine can read a process's arguments.
    #[arg(long)]
    token_stdin: bool,
}

/// The token: standard input (asked without echo on a terminal), else RELM_CONNECTOR_TOKEN.
fn token(from_stdin: bool) -> Result<Zeroizing<String>> {
    read_token(from_stdin, "RELM_CONNECTOR_TOKEN")?.ok_or_else(|| {
        ApiError::invalid(
            "token",
            "give the platform's access token on standard input with --token-stdin, or in RELM_CONNECTOR_TOKEN",
        )
    })
}

/// A token from standard input when `from_stdin` (asked without echo on a terminal; its first
/// line), else from the environment variable `env` when it is set: never from an argument.
pub(crate) fn read_token(from_stdin: bool, env: &str) -> Result<Option<Zeroizing<String>>> {
    use std::io::{IsTerminal, Read};
    if from_stdin {
        if std::io::stdin().is_terminal() {
            return rpassword::prompt_password("Token: ")
                .map(|t| Some(Zeroizing::new(t)))
                .map_err(|e| ApiError::invalid("token", format!("cannot read the token: {e}")));
        }
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .take(8_192)
            .read_to_string(&mut line)
            .map_err(|e| ApiError::invalid("token", format!("cannot read the token: {e}")))?;
        return Ok(Some(Zeroizing::new(
            line.lines().next().unwrap_or_default().trim().to_string(),
        )));
    }
    Ok(std::env::var(env)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(Zeroizing::new))
}

fn view_text(c: &ConnectorView) -> String {
    let mut t = format!(
        "{}  {} {}  service {}  {}\n",
        Shown(&c.name),
        c.platform,
        Shown(&c.target),
        Shown(&c.service),
        Shown(&c.api_url)
    );
    for (from, to) in &c.env_map {
        t.push_str(&format!("  environment {} → {}\n", Shown(from), Shown(to)));
    }
    for e in c
        .seen
        .environments
        .iter()
        .filter(|e| !c.env_map.contains_key(&e.name))
    {
        t.push_str(&format!(
            "  environment {} (same name in Relm)",
            Shown(&e.name)
        ));
        if !e.rules.is_empty() {
            t.push_str(&format!(": {}", Shown(&e.rules.join(", "))));
        }
        t.push('\n');
    }
    if let Some(s) = &c.seen.status {
        t.push_str(&format!("  status {}\n", Shown(s)));
    }
    for f in &c.seen.freezes {
        t.push_str(&format!("  freeze {}\n", Shown(f)));
    }
    for r in c.seen.releases.iter().take(3) {
        t.push_str(&format!(
            "  release {} {}\n",
            Shown(&r.tag),
            Shown(&r.published_at)
        ));
    }
    match &c.last_sync_at {
        None => t.push_str("  never synced\n"),
        Some(at) => {
            t.push_str(&format!(
                "  last sync {at}: {} pulled, {} pushed\n",
                c.last_pulled, c.last_pushed
            ));
            for e in &c.last_errors {
                t.push_str(&format!("  error: {}\n", Shown(e)));
            }
        }
    }
    if c.waiting > 0 {
        t.push_str(&format!(
            "  {} deployments wait for a release of theirs\n",
            c.waiting
        ));
    }
    if !c.has_token {
        t.push_str("  no token in the OS keyring: remove the connection and add it again\n");
    }
    t
}

fn sync_text(reports: &[ConnectorSync]) -> String {
    let mut t = String::new();
    for r in reports {
        if r.errors.is_empty() {
            t.push_str(&format!(
                "{}: {} deployments recorded, {} pushed",
                Shown(&r.name),
                r.pulled,
                r.pushed
            ));
            if r.unfinished > 0 {
                t.push_str(&format!(", {} still running or waiting", r.unfinished));
            }
            if r.waiting > 0 {
                t.push_str(&format!(", {} without a release yet", r.waiting));
            }
            t.push('\n');
        } else {
            t.push_str(&format!("{}: failed\n", Shown(&r.name)));
        }
        for w in &r.wider {
            t.push_str(&format!("  wider on the platform: {}\n", Shown(w)));
        }
        for l in &r.left_out {
            t.push_str(&format!(
                "  left out {}: {}\n",
                Shown(&l.item),
                Shown(&l.reason)
            ));
        }
    }
    if reports.is_empty() {
        t.push_str("no connections; add one with `relm connector add`\n");
    }
    t
}

pub fn connector(opts: &Options, cmd: ConnectorCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        ConnectorCmd::Add(add) => {
            let (platform, name, target, project, common) = match add {
                AddCmd::Github { name, repo, common } => ("github", name, repo, None, common),
                AddCmd::Gitlab {
                    name,
                    project,
                    common,
                } => ("gitlab", name, project, None, common),
                AddCmd::Argocd {
                    name,
                    app,
                    project,
                    common,
                } => ("argocd", name, app, project, common),
            };
            let token = token(common.token_stdin)?;
            let c = relm.add_connector(
                &ConnectorInput {
                    platform: platform.into(),
                    name,
                    api_url: common.api_url,
                    target,
                    project,
                    service: common.service,
                    env_map: common.env_map,
                },
                token,
            )?;
            let text = format!(
                "added connection `{}` ({} {}); its token is in the OS keyring. `relm connector test {}` checks it, `relm connector sync` pulls deployments",
                Shown(&c.name),
                c.platform,
                Shown(&c.target),
                Shown(&c.name)
            );
            Outcome::ok(&c, text)
        }
        ConnectorCmd::List => {
            let all = relm.connectors()?;
            let mut text: String = all.iter().map(view_text).collect();
            if all.is_empty() {
                text.push_str("no connections; add one with `relm connector add`\n");
            }
            Outcome::ok(serde_json::json!({ "connectors": all }), text)
        }
        ConnectorCmd::Remove { name } => {
            relm.remove_connector(&name)?;
            Outcome::ok(
                serde_json::json!({ "removed": name.trim() }),
                format!("removed connection `{}` and its token", Shown(name.trim())),
            )
        }
        ConnectorCmd::Map { name, env_map } => {
            let c = relm.set_connector_env_map(&name, &env_map)?;
            let text = view_text(&c);
            Outcome::ok(&c, text)
        }
        ConnectorCmd::Test { name } => {
            let p = relm.test_connector(&name)?;
            let text = match (&p.found, &p.error) {
                (Some(f), _) => format!("{}: reached {}", Shown(&p.name), Shown(f)),
                (_, Some(e)) => format!("{}: {}", Shown(&p.name), Shown(e)),
                _ => String::new(),
            };
            Ok(Outcome {
                exit: if p.ok { 0 } else { 1 },
                ..Outcome::ok(&p, text)?
            })
        }
        ConnectorCmd::Sync { name } => {
            let reports = relm.sync_connectors(name.as_deref())?;
            let errors: Vec<String> = reports
                .iter()
                .flat_map(|r| r.errors.iter().map(move |e| format!("{}: {e}", r.name)))
                .collect();
            Ok(Outcome {
                exit: if errors.is_empty() { 0 } else { 1 },
                errors,
                ..Outcome::ok(
                    serde_json::json!({ "connectors": reports }),
                    sync_text(&reports),
                )?
            })
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// Writes to platforms: pending, being sent, done (with the platform's id), failed (why),
    /// dropped (the platform no longer waited for them).
    List,
    /// Deliver a failed or dropped entry again now, re-checked against the platform first.
    Retry { id: String },
}

fn entry_text(e: &relm_api::connectors::OutboxRow) -> String {
    let mut t = format!(
        "{}  {}  {}  {}  attempts {}",
        e.id,
        e.state,
        Shown(&e.connector),
        Shown(&e.key),
        e.attempts
    );
    if let Some(r) = &e.remote_id {
        t.push_str(&format!("  → {}", Shown(r)));
    }
    if let Some(err) = &e.last_error {
        t.push_str(&format!("\n  {}", Shown(err)));
    }
    t.push('\n');
    t
}

pub fn outbox(opts: &Options, cmd: OutboxCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        OutboxCmd::List => {
            let all = relm.outbox()?;
            let mut text: String = all.iter().map(entry_text).collect();
            if all.is_empty() {
                text.push_str("the outbox is empty\n");
            }
            Outcome::ok(serde_json::json!({ "outbox": all }), text)
        }
        OutboxCmd::Retry { id } => {
            let e = relm.retry_outbox(&id)?;
            let text = entry_text(&e);
            Ok(Outcome {
                exit: if e.state == "done" { 0 } else { 1 },
                ..Outcome::ok(&e, text)?
            })
        }
    }
}
