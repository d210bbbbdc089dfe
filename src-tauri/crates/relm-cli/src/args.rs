//! The command line, declared once with clap. Global options (`--data-dir`, `--json`) are
//! accepted before or after the subcommand.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "relm",
    version,
    about = "Release governance: signed ledger, policies, calendars, audits."
)]
pub struct Cli {
    /// Data directory of the workspace replica (default: the OS data folder).
    #[arg(long, global = true, env = "RELM_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text (documented in docs/cli-json.md).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace and its founder's identity.
    Init(InitArgs),
    /// Create a replica of an existing workspace from a remote, with a new identity.
    Join(JoinArgs),
    /// Places this replica syncs with.
    #[command(subcommand)]
    Remote(RemoteCmd),
    /// Exchange events with remotes (all of them, or NAME); `sync status` shows the state.
    Sync(SyncArgs),
    /// This replica's identity: show it, back it up, restore it.
    #[command(subcommand)]
    Identity(IdentityCmd),
    /// Members and their roles.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Releases.
    #[command(subcommand)]
    Release(ReleaseCmd),
    /// Verify the ledger and read its history.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The release policy: apply a new version, show, compare, export, simulate.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Sign an approval of a release (as it is now) for one environment.
    Approve(DecisionArgs),
    /// Sign a rejection of a release for one environment; needs --comment.
    Reject(DecisionArgs),
    /// The policy verdict for a release and environment: exit 0 allowed (warnings included),
    /// 1 blocked, 2 bad input. For CI pipelines; the JSON is documented in docs/policy.md.
    Check(CheckArgs),
    /// Releases waiting for your approval.
    Pending,
    /// The release calendar: freezes and maintenance windows.
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// The risk register: add, edit, mitigate, accept and close risks.
    #[command(subcommand)]
    Risk(RiskCmd),
    /// What releases contain: software bills of materials attached, diffed, searched.
    #[command(subcommand)]
    Sbom(crate::sbom::SbomCmd),
    /// Release notes: drafted from what the workspace knows of a release.
    #[command(subcommand)]
    Notes(crate::report::NotesCmd),
    /// The stakeholder digest of a period: what is planned, the freezes, what is blocked and
    /// why, what shipped, what failed and its review (Markdown, HTML or an e-mail).
    Digest(crate::tell::DigestCmd),
    /// Slack and Microsoft Teams incoming webhooks: add one, post the digest to it.
    #[command(subcommand)]
    Webhook(crate::tell::WebhookCmd),
    /// Deployments: record what ran, list them.
    #[command(subcommand)]
    Deploy(crate::delivery::DeployCmd),
    /// Connections to deployment platforms (GitHub, GitLab, Argo CD): add, test, sync.
    #[command(subcommand)]
    Connector(crate::connect::ConnectorCmd),
    /// Writes to deployment platforms waiting to be delivered: list them, retry one.
    #[command(subcommand)]
    Outbox(crate::connect::OutboxCmd),
    /// Rollback readiness: the plan, its rehearsals, rollbacks.
    #[command(subcommand)]
    Rollback(crate::delivery::RollbackCmd),
    /// Post-release reviews: draft, write, sign off, list.
    #[command(subcommand)]
    Review(crate::delivery::ReviewCmd),
    /// Follow-up actions of reviews.
    #[command(subcommand)]
    Action(crate::delivery::ActionCmd),
    /// Delivery and governance metrics over a period (docs/metrics.md).
    Metrics(crate::delivery::MetricsArgs),
    /// Reports as PDF: a release's dossier (docs/reports.md).
    #[command(subcommand)]
    Report(crate::report::ReportCmd),
    /// Evidence packs: a report with the signed events it rests on, checkable offline.
    #[command(subcommand)]
    Pack(crate::report::PackCmd),
    /// Check an evidence pack with nothing but the pack (no workspace, keyring or network):
    /// exit 0 verified, 1 not verified (each failing file or event named), 2 not a pack.
    Verify {
        /// The pack (a zip written by `relm pack`).
        #[arg(value_name = "FILE.zip")]
        pack: PathBuf,
    },
    /// Populate the data dir with the demo workspace (creating it if absent).
    Demo,
    /// Verify the ledger, then recompute the tables from its events where they differ from it
    /// (edited or damaged outside Relm). A ledger with problems of its own is not rebuilt from:
    /// its damage would go into the tables.
    Rebuild,
    /// Summarise the workspace.
    Status,
    /// Workspace settings (admins).
    #[command(subcommand)]
    Workspace(WorkspaceCmd),
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCmd {
    /// Change workspace settings; each is a signed admin event.
    Configure {
        /// How far ahead of a receiving replica's clock an event may be stamped before it is
        /// held, in minutes (1 to 10080). Raise it only for a team whose clocks cannot be kept
        /// right (an air-gapped site); see docs/sync.md.
        #[arg(long, value_name = "MINUTES")]
        max_clock_offset: u32,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Workspace name.
    #[arg(long)]
    pub workspace: Option<String>,
    /// Your name.
    #[arg(long)]
    pub name: Option<String>,
    /// Your e-mail address.
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The remote holding the workspace: a folder (shared drive, USB stick, synced folder) or a
    /// git repository (`git+file:///…`, `git+ssh://…`, `git+https://…`).
    #[arg(long, value_name = "FOLDER|GIT_URL")]
    pub remote: PathBuf,
    /// Your name.
    #[arg(long)]
    pub name: Option<String>,
    /// Your e-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// Read an access token for a `git+https://` remote from standard input (else from
    /// RELM_REMOTE_TOKEN, when set); it goes to the OS keyring.
    #[arg(long)]
    pub token_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum RemoteCmd {
    /// Register a remote: a folder (a shared network drive, a USB stick, a synced folder), or
    /// a git repository the team runs (`git+file:///path/repo.git`, `git+ssh://host/repo.git`,
    /// `git+https://host/repo.git`; your SSH agent and git credential helpers apply).
    Add {
        name: String,
        #[arg(value_name = "FOLDER|GIT_URL")]
        folder: PathBuf,
        /// Read an access token for a `git+https://` remote from standard input (else from
        /// RELM_REMOTE_TOKEN, when set); it goes to the OS keyring, never to the workspace.
        #[arg(long)]
        token_stdin: bool,
    },
    /// List remotes with their last sync.
    List,
    /// Forget a remote (its files stay where they are).
    Remove { name: String },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    /// Sync only with this remote.
    pub remote: Option<String>,
    #[command(subcommand)]
    pub command: Option<SyncCmd>,
}

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// Remotes, last syncs, events to push, quarantined and waiting events, members' last
    /// sequence numbers, join requests.
    Status,
    /// Forget events waiting for a key no member has (or for earlier events): they stay on
    /// the remotes and come back if their files are read again.
    PurgeWaiting {
        /// Only this author's (key id).
        #[arg(long)]
        author: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum IdentityCmd {
    /// Show this replica's member identity and key fingerprint.
    Show,
    /// Write the private key to FILE, encrypted with a passphrase (age format).
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore the private key from a backup made by `identity export`.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Add a member by public key (admin only). Name and e-mail default to the newcomer's join
    /// request, when a sync brought one.
    Add {
        /// The member's public key, `ed25519:...` (printed by `relm join`, or `relm identity show`).
        #[arg(long)]
        key: String,
        /// Role(s): admin, release-manager, approver, auditor. Repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// List members and roles.
    List,
    /// Replace a member's roles (admin only).
    Roles {
        /// Key id, fingerprint or a unique prefix.
        member: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Put a member in a team (admin only); an empty name takes them out of any. Policies may
    /// ask for an approver from another team than the release owner's.
    Team {
        /// Key id, fingerprint or a unique prefix.
        member: String,
        team: String,
    },
    /// Remove a member (admin only). Their past events stay valid.
    Remove {
        /// Key id, fingerprint or a unique prefix.
        member: String,
    },
    /// Give a member a new key (same name, e-mail and roles) and remove the old one: the way
    /// out of a fork (`sync status` lists them) or of a lost or stolen key.
    Rotate {
        /// Key id, fingerprint or a unique prefix of the current key.
        member: String,
        /// The new public key (`relm identity show` in the member's new data dir).
        #[arg(long)]
        key: String,
    },
}

#[derive(Debug, Args, Default)]
pub struct ReleaseFieldArgs {
    #[arg(long)]
    pub service: Option<String>,
    /// Semantic version, e.g. 1.4.0.
    #[arg(long)]
    pub version: Option<String>,
    /// Target environment; repeat for several.
    #[arg(long = "env", value_name = "ENV")]
    pub envs: Vec<String>,
    /// Change type: standard, normal or emergency.
    #[arg(long = "type", value_name = "TYPE")]
    pub change_type: Option<String>,
    /// Risk level: low, medium, high or critical.
    #[arg(long)]
    pub risk: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Planned start: RFC 3339, or local time in --tz (2027-03-19T18:00).
    #[arg(long, requires_all = ["end", "tz"])]
    pub start: Option<String>,
    /// Planned end.
    #[arg(long, requires_all = ["start", "tz"])]
    pub end: Option<String>,
    /// IANA time zone the window was planned in, e.g. Europe/Paris.
    #[arg(long, requires_all = ["start", "end"])]
    pub tz: Option<String>,
    #[arg(long)]
    pub rollback_plan: Option<String>,
    /// Component `NAME|VERSION[|sha256:DIGEST]`; repeat for several.
    #[arg(long = "component", value_name = "SPEC")]
    pub components: Vec<String>,
    /// Included change `ID|TITLE[|LINK[|AUTHOR]]` (AUTHOR: e-mail or name); repeat for several.
    #[arg(long = "change", value_name = "SPEC")]
    pub changes: Vec<String>,
    /// Evidence `NAME|LINK` or `NAME|sha256:DIGEST`; repeat for several.
    #[arg(long = "evidence", value_name = "SPEC")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReleaseCmd {
    /// Create a release (status draft); prints its id.
    Create(ReleaseFieldArgs),
    /// List releases (newest first unless --sort says otherwise).
    List {
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        env: Option<String>,
        #[arg(long = "type")]
        change_type: Option<String>,
        /// Order: created, updated, window, service or status; prefix `-` for descending.
        #[arg(long, default_value = "-created", allow_hyphen_values = true)]
        sort: Option<String>,
        /// Planned windows starting on or after this date (2027-03-01) or RFC 3339 time.
        #[arg(long)]
        from: Option<String>,
        /// Planned windows starting before this date or time.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Continue after this cursor (from the previous page's `next_cursor`).
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Show a release with its status history and audit trail.
    Show { id: String },
    /// Edit a release's fields (list options replace the whole list).
    Update {
        id: String,
        #[command(flatten)]
        fields: ReleaseFieldArgs,
        /// Remove the planned window.
        #[arg(long, conflicts_with_all = ["start", "end", "tz"])]
        clear_window: bool,
    },
    /// Move a release to another status (draft, planned, approved, deploying, deployed,
    /// reviewed, cancelled, rolled_back, failed).
    Status {
        id: String,
        status: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Record a deployment of the release (as it is now) to an environment.
    Deployed {
        id: String,
        #[arg(long = "env", value_name = "ENV")]
        env: String,
        /// The deployment failed.
        #[arg(long)]
        failed: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Move the planned window: shows the conflicts and each environment's verdict at the new
    /// time, and the approvals the move makes stale, then saves (unless --dry-run).
    Reschedule(RescheduleArgs),
    /// Justify releasing inside a soft freeze (the policy then also asks for an extra approval).
    Justify {
        id: String,
        /// The soft freeze (calendar entry id or a unique prefix).
        #[arg(long)]
        entry: String,
        #[arg(long)]
        reason: String,
    },
    /// Record that the rollback plan was rehearsed.
    Rehearsed {
        id: String,
        #[arg(long)]
        note: String,
        #[arg(long)]
        link: Option<String>,
    },
    /// Break-glass: declare the emergency path for an emergency release.
    Emergency {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        incident: String,
        /// The approver who must confirm afterwards: key id or e-mail.
        #[arg(long)]
        approver: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCmd {
    /// Apply a policy file (TOML) as the next policy version (admin only).
    Apply {
        file: PathBuf,
        /// Why the policy changes (default: "applied from FILE").
        #[arg(long)]
        note: Option<String>,
    },
    /// Show a policy version (the one in force by default).
    Show {
        #[arg(long)]
        version: Option<u32>,
    },
    /// Every policy version with its author and note.
    History,
    /// What changed between two versions (unified diff).
    Diff { a: u32, b: u32 },
    /// Print a policy version's file (the one in force by default), to edit and apply again.
    Export {
        #[arg(long)]
        version: Option<u32>,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Judge every release under a draft policy and list the verdicts that would change.
    Simulate { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Add a freeze (hard by default) or a maintenance window.
    Add(CalendarAddArgs),
    /// Every occurrence between two dates, with UTC and local times.
    List {
        /// A date (midnight in --tz, else UTC) or an RFC 3339 time.
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Show local times in this IANA zone (default: each entry's own zone).
        #[arg(long)]
        tz: Option<String>,
    },
    /// The entries themselves (their rules, not their occurrences).
    Entries,
    /// Releases still to go out that clash with the calendar or with each other.
    Conflicts,
    /// Import an iCalendar file (Outlook, Google, Thunderbird) as freezes, windows or a
    /// holiday set; all or nothing, and a second import updates what the first added.
    Import {
        file: PathBuf,
        #[arg(long = "as", value_parser = ["freeze", "window", "holidays"])]
        kind: String,
        /// The holiday set's name (required with --as holidays).
        #[arg(long)]
        name: Option<String>,
        /// Zone for all-day dates and floating times (default UTC).
        #[arg(long)]
        tz: Option<String>,
        /// Soft freezes instead of hard ones.
        #[arg(long)]
        soft: bool,
        /// Holidays: freeze the day before each holiday too.
        #[arg(long)]
        day_before: bool,
        #[arg(long = "env", value_name = "ENV")]
        envs: Vec<String>,
        #[arg(long = "service", value_name = "SERVICE")]
        services: Vec<String>,
    },
    /// Write the calendar (entries and planned releases) as an RFC 5545 file; without --out,
    /// rewrite every calendar subscription (`relm calendar feed`) whose content changed.
    Export {
        #[arg(long, value_name = "FILE.ics")]
        out: Option<PathBuf>,
        /// Only entries with an occurrence, and releases planned, from this date or time.
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// Only what concerns these environments or services: `env:prod`, `service:api`, or a
        /// bare name (an environment of the policy or a service with releases). Repeatable;
        /// environments and services narrow together.
        #[arg(long, value_name = "SCOPE")]
        scope: Vec<String>,
    },
    /// Remove an entry (its history stays in the ledger).
    Remove { id: String },
    /// Calendar subscription files, one per audience, kept current by `relm calendar export`
    /// (and by the app while it runs).
    #[command(subcommand)]
    Feed(FeedCmd),
}

#[derive(Debug, Subcommand)]
pub enum FeedCmd {
    /// Keep the calendar of an audience in FILE.ics (written now, rewritten when it changes).
    Add {
        name: String,
        /// The file calendar clients subscribe to (a full path, in an existing folder).
        #[arg(long, value_name = "FILE.ics")]
        out: PathBuf,
        /// Only what concerns these environments or services: `env:prod`, `service:api` (as
        /// for `relm calendar export`); everything when absent.
        #[arg(long, value_name = "SCOPE")]
        scope: Vec<String>,
    },
    /// The subscriptions, with when each file was last written.
    List,
    /// Stop keeping a subscription current (its file stays).
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct RescheduleArgs {
    pub id: String,
    /// New start: wall-clock time in --tz (2027-03-19T18:00) or RFC 3339.
    #[arg(long)]
    pub start: String,
    #[arg(long)]
    pub end: String,
    /// The window's zone (the release's current one by default).
    #[arg(long)]
    pub tz: Option<String>,
    /// Show what the move would do; save nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CalendarAddArgs {
    /// `freeze` or `window`.
    #[arg(value_parser = ["freeze", "window"])]
    pub kind: String,
    #[arg(long)]
    pub name: String,
    /// Wall-clock start in --tz, e.g. 2027-03-19T18:00 (the first occurrence when recurring).
    #[arg(long)]
    pub start: String,
    #[arg(long)]
    pub end: String,
    /// IANA zone of the times, e.g. Europe/Paris.
    #[arg(long)]
    pub tz: String,
    /// RFC 5545 recurrence, e.g. FREQ=WEEKLY;BYDAY=FR.
    #[arg(long)]
    pub rrule: Option<String>,
    /// An occurrence to leave out (its local start); repeat for several.
    #[arg(long = "exdate", value_name = "LOCAL")]
    pub exdates: Vec<String>,
    /// An extra occurrence (its local start); repeat for several.
    #[arg(long = "rdate", value_name = "LOCAL")]
    pub rdates: Vec<String>,
    /// A hard freeze blocks releases (the default).
    #[arg(long, conflicts_with = "soft")]
    pub hard: bool,
    /// A soft freeze warns; a release inside needs a justification and an extra approval.
    #[arg(long)]
    pub soft: bool,
    /// Only these environments (default: all); repeat for several.
    #[arg(long = "env", value_name = "ENV")]
    pub envs: Vec<String>,
    /// Only these services (default: all); repeat for several.
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    #[arg(long)]
    pub reason: Option<String>,
    /// The member answerable for the entry: key id (or a unique prefix) or e-mail; you by
    /// default.
    #[arg(long)]
    pub owner: Option<String>,
}

#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// Release id or a unique prefix.
    pub release: String,
    /// The environment decided for.
    #[arg(long = "env", value_name = "ENV")]
    pub env: String,
    #[arg(long)]
    pub comment: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Release id or a unique prefix.
    #[arg(long, conflicts_with_all = ["service", "version"], required_unless_present = "service")]
    pub release: Option<String>,
    /// With --version: find the release from a pipeline.
    #[arg(long, requires = "version")]
    pub service: Option<String>,
    #[arg(long, requires = "service")]
    pub version: Option<String>,
    #[arg(long = "env", value_name = "ENV")]
    pub env: String,
    /// The time to judge at (RFC 3339); now by default.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check every signature, author chain, membership and role, and the projections.
    Verify,
    /// Show the ledger's history, newest first.
    Log {
        /// Only events about this entity (release id or member key id).
        #[arg(long)]
        entity: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum RiskCmd {
    /// Add a risk to the register; prints its id.
    Add(RiskFieldArgs),
    /// List risks, highest score first.
    List {
        /// open, mitigating, accepted or closed (as of now: a lapsed acceptance is open again).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        service: Option<String>,
        /// Linked to this release (id or unique prefix).
        #[arg(long)]
        release: Option<String>,
        /// Inherent score (likelihood × impact) at least N.
        #[arg(long, value_name = "N")]
        min_score: Option<u8>,
        /// Words of the title.
        #[arg(long)]
        search: Option<String>,
        /// score (default, highest first), residual, title, status, review or updated; a
        /// leading - sorts descending.
        #[arg(long, allow_hyphen_values = true)]
        sort: Option<String>,
        #[arg(long, default_value_t = 500)]
        limit: u32,
    },
    /// Show a risk with its mitigations, acceptance and history.
    Show { id: String },
    /// Edit a risk's fields (list options replace the whole list).
    Update {
        id: String,
        #[command(flatten)]
        fields: RiskFieldArgs,
    },
    /// Plan a mitigation, with the residual likelihood and impact it should leave; or mark one
    /// done with --done N.
    Mitigate {
        id: String,
        #[arg(long, required_unless_present = "done")]
        action: Option<String>,
        /// Who carries it out: key id or e-mail.
        #[arg(long)]
        owner: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        #[arg(long, value_name = "N")]
        residual_likelihood: Option<u8>,
        #[arg(long, value_name = "N")]
        residual_impact: Option<u8>,
        /// Mark mitigation number N (from 1, as `risk show` lists them) done.
        #[arg(long, value_name = "N", conflicts_with_all = ["action", "owner", "due", "residual_likelihood", "residual_impact"])]
        done: Option<u32>,
    },
    /// Accept a risk as it is, until a date (through its end, UTC) or an RFC 3339 time. An
    /// approver who does not own the risk.
    Accept {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long, value_name = "DATE")]
        until: String,
    },
    /// Close a risk, saying why.
    Close {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Answer the policy's risk questionnaire for a release: pairs of --question KEY
    /// --answer VALUE, in order. Prints the assessment.
    Answer {
        release: String,
        #[arg(long = "question", value_name = "KEY", required = true)]
        questions: Vec<String>,
        #[arg(long = "answer", value_name = "VALUE", required = true)]
        answers: Vec<String>,
    },
    /// A release's risk, assessed now by the policy in force: the level, the method that
    /// decided it, and every factor with its points and where it came from.
    Assess { release: String },
    /// Import risks from a CSV file (the columns `risk export` writes; docs/risk.md). Every
    /// bad row is reported with its line, and nothing is imported unless --skip-invalid.
    Import {
        file: PathBuf,
        /// Import the good rows and list the bad ones instead of refusing the file.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Write the whole register as CSV (UTF-8, the columns `risk import` reads).
    Export {
        #[arg(long)]
        out: PathBuf,
        /// `comma`, or `semicolon` for spreadsheets in locales that write decimal commas.
        #[arg(long, default_value = "comma")]
        delimiter: String,
    },
    /// Set a release's risk level by hand. At or above the assessed level it raises the level
    /// (the assessed level removes a raise); below, it is an override: an approver who does
    /// not own the release, with --reason. Prints the assessment.
    Level {
        release: String,
        /// low, medium, high or critical.
        #[arg(long)]
        level: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Args, Default)]
pub struct RiskFieldArgs {
    #[arg(long)]
    pub title: Option<String>,
    /// technical, security, operational, compliance, business or schedule.
    #[arg(long)]
    pub category: Option<String>,
    /// 1 (rare) to 5 (almost certain).
    #[arg(long, value_name = "N")]
    pub likelihood: Option<u8>,
    /// 1 (negligible) to 5 (severe).
    #[arg(long, value_name = "N")]
    pub impact: Option<u8>,
    #[arg(long)]
    pub description: Option<String>,
    /// The member who answers for it: key id or e-mail (you by default).
    #[arg(long, value_name = "KEY|EMAIL")]
    pub owner: Option<String>,
    /// A service it threatens; repeat for several.
    #[arg(long = "service", value_name = "S")]
    pub services: Vec<String>,
    /// A release it threatens (id or unique prefix); repeat for several.
    #[arg(long = "release", value_name = "ID")]
    pub releases: Vec<String>,
    /// When to review it again: YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub review_by: Option<String>,
    #[arg(long, value_name = "N")]
    pub residual_likelihood: Option<u8>,
    #[arg(long, value_name = "N")]
    pub residual_impact: Option<u8>,
}
