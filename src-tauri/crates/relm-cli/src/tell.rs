//! `relm digest` and `relm webhook`: telling stakeholders what is planned, blocked, shipped
//! and failed (docs/communication.md).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use relm_api::digest::{DigestQuery, Format};
use relm_api::webhooks::{Retry, WebhookView};
use relm_api::{ApiError, Options, Relm, Result};
use relm_domain::text::Shown;

use crate::Outcome;
use crate::report::LangArg;

/// A digest's period, environment, language and zone.
#[derive(Debug, Args)]
pub struct DigestArgs {
    /// First day of the period (YYYY-MM-DD, from its start, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "D")]
    from: String,
    /// Last day of the period (YYYY-MM-DD, to its end, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "D")]
    to: String,
    /// Only this environment (every one by default).
    #[arg(long, value_name = "E")]
    env: Option<String>,
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// The IANA zone times are shown in (UTC by default).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
}

impl DigestArgs {
    fn query(&self) -> DigestQuery {
        DigestQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            environment: self.env.clone(),
            lang: Some(match self.lang {
                LangArg::En => "en".into(),
                LangArg::Fr => "fr".into(),
            }),
            zone: self.tz.clone(),
        }
    }
}

/// `relm digest`.
#[derive(Debug, Args)]
pub struct DigestCmd {
    #[command(flatten)]
    period: DigestArgs,
    /// Write it to FILE.md (Markdown), FILE.html or FILE.eml (an e-mail any mail client opens
    /// as a draft); Markdown on standard output without it.
    #[arg(long, value_name = "FILE.md|FILE.html|FILE.eml")]
    out: Option<PathBuf>,
}

pub fn digest(opts: &Options, cmd: DigestCmd) -> Result<Outcome> {
    let relm = Relm::open(opts)?;
    let q = cmd.period.query();
    match cmd.out {
        None => {
            let d = relm.digest(&q)?;
            let text = String::from_utf8_lossy(&relm_api::digest::render(&d, Format::Markdown)?)
                .into_owned();
            Outcome::ok(d, text)
        }
        Some(out) => {
            let w = relm.write_digest(&q, &out)?;
            let text = format!("{} ({}, {} bytes)\n", w.path, w.format, w.bytes);
            Outcome::ok(w, text)
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum WebhookCmd {
    /// Add a Slack or Microsoft Teams incoming webhook; its URL is read from standard input
    /// (else RELM_WEBHOOK_URL) and goes to the OS keyring only.
    Add {
        name: String,
        #[arg(long, value_parser = ["slack", "teams"])]
        kind: String,
    },
    /// Webhooks, with what was posted and what waits.
    List,
    /// Forget a webhook, its URL and its messages waiting in the outbox.
    Remove { name: String },
    /// Post to the webhook: exit 0 when it was delivered, 1 when it waits in the outbox.
    Send {
        name: String,
        /// Post the stakeholder digest of the period.
        #[arg(long, required = true)]
        digest: bool,
        #[command(flatten)]
        period: DigestArgs,
    },
}

/// The webhook's URL: standard input (asked without echo on a terminal, where
/// RELM_WEBHOOK_URL is taken first), else RELM_WEBHOOK_URL; never an argument, since other users
/// of the machine can read a process's arguments.
fn webhook_url() -> Result<zeroize::Zeroizing<String>> {
    use std::io::IsTerminal;
    let env = || crate::connect::read_token(false, "RELM_WEBHOOK_URL");
    let url = if std::io::stdin().is_terminal() {
        match env()? {
            Some(u) => Some(u),
            None => Some(zeroize::Zeroizing::new(
                rpassword::prompt_password("Webhook URL: ")
                    .map_err(|e| ApiError::invalid("url", format!("cannot read the URL: {e}")))?,
            )),
        }
    } else {
        match crate::connect::read_token(true, "RELM_WEBHOOK_URL")? {
            Some(u) if !u.trim().is_empty() => Some(u),
            _ => env()?,
        }
    };
    url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        ApiError::invalid(
            "url",
            "give the webhook's URL on standard input, or in RELM_WEBHOOK_URL",
        )
    })
}

fn view_text(w: &WebhookView) -> String {
    let mut t = format!(
        "{}  {}  {}  posted {}  waiting {}\n",
        Shown(&w.name),
        w.kind,
        Shown(&w.host),
        w.sent,
        w.waiting
    );
    if !w.has_url {
        t.push_str("  the OS keyring holds no URL for it: remove it and add it again\n");
    }
    t
}

pub fn webhook(opts: &Options, cmd: WebhookCmd) -> Result<Outcome> {
    let mut relm = Relm::open(opts)?;
    match cmd {
        WebhookCmd::Add { name, kind } => {
            let url = webhook_url()?;
            let w = relm.add_webhook(&name, &kind, &url)?;
            let text = view_text(&w);
            Outcome::ok(w, text)
        }
        WebhookCmd::List => {
            let all = relm.webhooks()?;
            let mut text: String = all.iter().map(view_text).collect();
            if all.is_empty() {
                text.push_str(
                    "no webhooks; add one with `relm webhook add NAME --kind slack|teams`\n",
                );
            }
            Outcome::ok(serde_json::json!({ "webhooks": all }), text)
        }
        WebhookCmd::Remove { name } => {
            relm.remove_webhook(&name)?;
            Outcome::ok(
                serde_json::json!({ "removed": name.trim() }),
                format!("webhook {} removed\n", Shown(name.trim())),
            )
        }
        WebhookCmd::Send { name, period, .. } => {
            let q = period.query();
            let sent = relm_api::webhooks::send_digest(
                &std::cell::RefCell::new(&mut relm),
                &name,
                &q,
                &Retry::default(),
            )?;
            let e = &sent.entry;
            let mut text = match e.state.as_str() {
                "done" if sent.queued_before && sent.delivered == 0 => format!(
                    "this digest was posted to {} already (outbox entry {}); nothing new to post\n",
                    Shown(&sent.webhook),
                    e.id
                ),
                "done" => format!(
                    "posted to {} after {} attempt(s) (outbox entry {})\n",
                    Shown(&sent.webhook),
                    e.attempts,
                    e.id
                ),
                _ => format!(
                    "not posted to {} yet (outbox entry {}, {} attempt(s))\n",
                    Shown(&sent.webhook),
                    e.id,
                    e.attempts
                ),
            };
            for err in &sent.errors {
                text.push_str(&format!("  {}\n", Shown(err)));
            }
            let exit = if e.state == "done" { 0 } else { 1 };
            Ok(Outcome {
                exit,
                ..Outcome::ok(&sent, text)?
            })
        }
    }
}
