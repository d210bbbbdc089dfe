//! The workspace of a large organization, for `make bench-app` (issue sizes by default: 1,000,000
//! events, 100,000 releases, 10,000 risks, 500 calendar entries, 50 members).
//!
//! Everything a page shows is there in proportion: members with roles and teams, releases
//! spread over four years of windows (three and a half behind `today`, half a year ahead), planned
//! around the freezes; each past release planned, approved for staging and twice for production,
//! deployed to staging, its rollback rehearsed there, then deployed to production (one in twenty
//! failing there, reviewed and signed off within two days), which makes it deployed or reviewed;
//! a risk register linked to services and releases; freezes and windows, some recurring. Edits to
//! release titles and descriptions make up the rest of the ledger. The organization is a healthy
//! one: no deployment deviates from the policy.
//!
//! Members and calendar entries go through the use-cases, the risks through the register's CSV
//! import. The releases' lifecycle is signed by the members who would sign it (approvals by
//! approvers) and appended in time order without the use-cases' checks
//! ([`crate::bench::append_timed`]): at a hundred thousand releases the checks would take most
//! of an hour, and what is measured is reading.

#![allow(clippy::unwrap_used)] // benchmark set-up: a panic is the failure report

use crate::bench::append_timed;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use relm_api::calendar::CalendarInput;
use relm_domain::clock::FixedClock;
use relm_domain::ids::ReleaseId;
use relm_domain::payload::{Decision, EventBody, Outcome, RehearsalResult};
use relm_domain::release::{ChangeType, ReleaseFields, ReleasePatch, ReleaseStatus, RiskLevel};
use relm_domain::risk::RiskCategory;
use relm_domain::role::Role;
use relm_domain::window::PlannedWindow;
use relm_identity::SecretKey;
use std::sync::Arc;

/// How big the workspace is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub events: usize,
    pub releases: usize,
    pub risks: usize,
    pub calendar: usize,
    pub members: usize,
}

impl Sizes {
    /// The organization.
    pub const ORGANIZATION: Sizes = Sizes {
        events: 1_000_000,
        releases: 100_000,
        risks: 10_000,
        calendar: 500,
        members: 50,
    };
}

/// What was seeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub events: usize,
    pub releases: usize,
    pub past_releases: usize,
    pub risks: usize,
    pub calendar: usize,
    pub members: usize,
}

/// Services: 200 of them, owned by 8 teams.
const SERVICES: usize = 200;
const TEAMS: [&str; 8] = [
    "payments", "identity", "search", "checkout", "platform", "data", "mobile", "growth",
];
/// Environments every release goes through.
const ENVS: [&str; 2] = ["staging", "prod"];
/// Releases are this many days apart in total, half a year of it after `today`.
const SPAN_DAYS: i64 = 4 * 365;
const AHEAD_DAYS: i64 = 182;
/// Events per transaction. Each member's first event in a transaction declares what it had seen
/// (every other member's head then): as members who sync every few weeks would.
const CHUNK: usize = 50_000;

/// Seed a new workspace in `opts.data_dir` (whose key store keeps the founder's key, so the app
/// opens it as its member), as if `today` (midnight UTC) were the day it is opened.
/// `clock` must be the one `opts` holds.
pub fn seed(
    opts: &relm_api::Options,
    clock: &Arc<FixedClock>,
    today: NaiveDate,
    sizes: Sizes,
    progress: &dyn Fn(&str),
) -> Seeded {
    assert!(sizes.members >= 3, "a workspace of at least three members");
    let today = Utc.from_utc_datetime(&today.and_hms_opt(0, 0, 0).unwrap());
    let first_day = today - Duration::days(SPAN_DAYS - AHEAD_DAYS);
    clock.set(first_day - Duration::days(30));
    let req = relm_api::workspace::InitRequest {
        workspace: "Northwind Group".into(),
        name: "Ann Founder".into(),
        email: "ann@northwind.example".into(),
    };
    let (mut relm, out) = relm_api::workspace::init(opts, &req).unwrap();
    let founder = founder_key(opts, &relm, &out.key_id);

    // Members: release managers, approvers (some both), auditors, in eight teams.
    // Indices into `keys`: the founder is 0.
    let mut keys = vec![founder];
    let mut approvers = Vec::new();
    let mut managers = vec![0];
    for m in 1..sizes.members {
        let key = SecretKey::from_seed(&seed_bytes(m));
        let roles = match m % 5 {
            0 | 1 => vec![Role::Approver],
            2 => vec![Role::ReleaseManager, Role::Approver],
            3 => vec![Role::ReleaseManager],
            _ => vec![Role::Auditor],
        };
        let id = key.public().to_string();
        let view = relm
            .add_member(
                &id,
                Some(&format!("Member {m:02}")),
                Some(&format!("member{m:02}@northwind.example")),
                &roles,
            )
            .unwrap();
        relm.set_member_team(&view.key_id, TEAMS[m % TEAMS.len()])
            .unwrap();
        if roles.contains(&Role::Approver) {
            approvers.push(keys.len());
        }
        if roles.contains(&Role::ReleaseManager) {
            managers.push(keys.len());
        }
        keys.push(key);
        clock.advance(Duration::minutes(1));
    }
    assert!(approvers.len() >= 2, "two approvers for every release");
    progress(&format!("{} members", sizes.members));

    // Calendar: one entry in ten recurs (weekly freezes, monthly windows); the others are one-off
    // freezes and windows spread over the four years.
    for c in 0..sizes.calendar {
        let day = first_day + Duration::days(c as i64 * SPAN_DAYS / sizes.calendar as i64);
        let recurring = c % 10 == 0;
        let freeze = c % 2 == 0;
        let (start, end) = if freeze {
            (
                day + Duration::hours(17),
                day + Duration::days(2) + Duration::hours(8),
            )
        } else {
            (day + Duration::hours(20), day + Duration::hours(23))
        };
        let wall = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
        relm.add_calendar_entry(&CalendarInput {
            kind: Some(if freeze { "freeze" } else { "window" }.into()),
            soft: freeze && c % 4 == 2,
            name: Some(format!(
                "{} {}",
                if freeze { "Freeze" } else { "Window" },
                c + 1
            )),
            start: Some(wall(start)),
            end: Some(wall(end)),
            tz: Some("Europe/Paris".into()),
            rrule: recurring.then(|| {
                if freeze {
                    "FREQ=WEEKLY;COUNT=26"
                } else {
                    "FREQ=MONTHLY;COUNT=12"
                }
                .into()
            }),
            // Freezes hold production (one in three) or everything; maintenance windows are
            // staging's, where nothing requires them, so that releases are not all outside
            // production windows (a calendar that blocks every release is no organization's).
            environments: if !freeze {
                vec!["staging".into()]
            } else if c % 3 == 0 {
                vec!["prod".into()]
            } else {
                Vec::new()
            },
            services: if c % 5 == 0 {
                vec![service(c)]
            } else {
                Vec::new()
            },
            reason: Some("Seeded for the large-workspace benchmark".into()),
            ..CalendarInput::default()
        })
        .unwrap();
    }
    progress(&format!("{} calendar entries", sizes.calendar));
    let policy_version: u32 = relm
        .store()
        .conn()
        .query_row("SELECT COALESCE(MAX(version), 0) FROM policies", [], |r| {
            r.get(0)
        })
        .unwrap();
    let entries = relm_store::projection::calendar::entries(relm.store().conn()).unwrap();
    drop(relm);
    // Release managers plan around the freezes: a window that a freeze would hold in
    // production moves to the next day at the same hour (seeded this way, the deployments that
    // deviate are the failures, which are reviewed, not a quarter of all).
    let calendar = relm_calendar::Calendar::new(
        &entries,
        first_day - Duration::days(1),
        today + Duration::days(AHEAD_DAYS + 60),
    );
    let clear_of_freezes = |i: usize, start: DateTime<Utc>| {
        let planned = relm_calendar::Planned {
            id: String::new(),
            service: service(i % SERVICES),
            version: String::new(),
            environments: vec!["prod".into()],
            start,
            end: start + Duration::hours(2),
        };
        (0..30)
            .map(|d| start + Duration::days(d))
            .find(|s| {
                let moved = relm_calendar::Planned {
                    start: *s,
                    end: *s + Duration::hours(2),
                    ..planned.clone()
                };
                // Freezes only: the seeded windows are not where releases must go.
                (calendar.judge(&moved, "prod", true).iter())
                    .all(|c| c.code == relm_calendar::conflicts::Code::OutsideWindows)
            })
            .unwrap_or(start)
    };

    // The releases and their lifecycle, in time order.
    let mut plan: Vec<(DateTime<Utc>, usize, Step)> = Vec::new();
    let mut fields = Vec::with_capacity(sizes.releases);
    let mut past = 0;
    for i in 0..sizes.releases {
        let day = first_day + Duration::days(i as i64 * SPAN_DAYS / sizes.releases as i64);
        let start = clear_of_freezes(
            i,
            day + Duration::hours(17) + Duration::minutes((i % 4) as i64 * 30),
        );
        let f = release_fields(i, start, keys[0].public().key_id());
        let mut rnd = [0u8; 10];
        rnd[2..].copy_from_slice(&(i as u64).to_be_bytes());
        let id = ReleaseId::generate(start - Duration::days(14), rnd);
        let digest = f.governed_digest(&id);
        fields.push((id, f, digest));
        // Up to a day before `today`: the risks come after.
        let mut at = |t: DateTime<Utc>, s: Step| {
            if t <= today - Duration::days(1) {
                plan.push((t, i, s));
            }
        };
        // Created two weeks before the window, or two days ago for those further ahead.
        at(
            (start - Duration::days(14)).min(today - Duration::days(2)),
            Step::Create,
        );
        at(start - Duration::days(10), Step::Plan);
        at(start - Duration::days(3), Step::Approve(0));
        at(start - Duration::days(2), Step::Approve(1));
        // A second approver for production: critical releases need two.
        at(start - Duration::days(2), Step::Approve(2));
        at(
            start - Duration::days(2) + Duration::hours(1),
            Step::Approved,
        );
        if start + Duration::hours(3) <= today - Duration::days(1) {
            past += 1;
            // Recorded when they end, 25 minutes after they start.
            at(start + Duration::minutes(25), Step::Deploy(0));
            // The rollback rehearsed in staging, as high-risk releases need before production.
            at(start + Duration::minutes(40), Step::Rehearse);
            // The last environment's deployment moves the release to deployed (or failed).
            at(start + Duration::minutes(85), Step::Deploy(1));
            // A failure is reviewed and signed off by the owner and an approver in two days.
            if failed(i) {
                let end = start + Duration::minutes(85);
                at(end + Duration::days(1), Step::WriteReview);
                at(end + Duration::days(2), Step::SignReview(0));
                at(
                    end + Duration::days(2) + Duration::hours(1),
                    Step::SignReview(1),
                );
            }
        }
    }
    plan.sort_by_key(|(t, i, s)| (*t, *i, s.order()));
    let store_path = relm_api::db_path(&opts.data_dir);
    let mut store = relm_store::Store::open(&store_path).unwrap();
    let review_digest = {
        let mut content = relm_domain::review::ReviewContent::default();
        content.apply(&review_of_failure());
        content.digest()
    };
    for (n, chunk) in plan.chunks(CHUNK).enumerate() {
        let events = chunk.iter().map(|(t, i, step)| {
            let (id, f, digest) = &fields[*i];
            let manager = &keys[managers[i % managers.len()]];
            let approver = |k: usize| &keys[approvers[(i + k) % approvers.len()]];
            let failed = failed(*i);
            let body = match step {
                Step::Create => EventBody::ReleaseCreated {
                    release_id: id.clone(),
                    fields: f.clone(),
                },
                Step::Plan => status(id, ReleaseStatus::Draft, ReleaseStatus::Planned),
                Step::Approve(k) => EventBody::ApprovalRecorded {
                    release_id: id.clone(),
                    environment: ENVS[(*k).min(ENVS.len() - 1)].into(),
                    decision: Decision::Approve,
                    release_digest: digest.clone(),
                    policy_version,
                    expires_at: None,
                    comment: String::new(),
                },
                Step::Approved => status(id, ReleaseStatus::Planned, ReleaseStatus::Approved),
                Step::Deploy(k) => EventBody::DeploymentRecorded {
                    release_id: id.clone(),
                    environment: ENVS[*k].into(),
                    outcome: if failed && *k == 1 {
                        Outcome::Failed
                    } else {
                        Outcome::Succeeded
                    },
                    release_digest: digest.clone(),
                    note: String::new(),
                    started_at: Some(relm_domain::window::fmt_utc(*t - Duration::minutes(25))),
                    ended_at: Some(relm_domain::window::fmt_utc(*t)),
                    tool: "pipeline".into(),
                    link: None,
                    external_ref: Some(format!("pipeline:{i}-{k}")),
                },
                Step::Rehearse => EventBody::RollbackRehearsed {
                    release_id: id.clone(),
                    note: "Rolled back and forward again in staging.".into(),
                    link: None,
                    environment: Some(ENVS[0].into()),
                    result: Some(RehearsalResult::Passed),
                    evidence_digest: None,
                },
                Step::WriteReview => EventBody::ReviewUpdated {
                    release_id: id.clone(),
                    patch: review_of_failure(),
                },
                Step::SignReview(_) => EventBody::ReviewSigned {
                    release_id: id.clone(),
                    digest: review_digest.clone(),
                },
            };
            let signer = match step {
                Step::Approve(k) => approver(*k),
                Step::Approved => approver(0),
                // The owner (the founder) writes and signs; then an approver.
                Step::WriteReview | Step::SignReview(0) => &keys[0],
                Step::SignReview(_) => approver(0),
                _ => manager,
            };
            (signer, *t, body)
        });
        append_timed(&mut store, events);
        progress(&format!("{} lifecycle events", n * CHUNK + chunk.len()));
    }
    // Every release is created by then: those far ahead two days before `today`.
    progress(&format!("{} releases, {past} deployed", sizes.releases));
    drop(store);

    // Risks, the day before, imported as a team brings its register (`relm risk import`).
    clock.set(today - Duration::days(1));
    let mut relm = relm_api::Relm::open(opts).unwrap();
    let recent: Vec<String> = fields
        .iter()
        .rev()
        .take(1000)
        .map(|(id, _, _)| id.0.clone())
        .collect();
    let mut csv =
        String::from("title,description,category,likelihood,impact,services,releases,review_by\n");
    for r in 0..sizes.risks {
        let category = RiskCategory::ALL[r % RiskCategory::ALL.len()];
        let release = if r % 4 == 0 && !recent.is_empty() {
            recent[r % recent.len()].as_str()
        } else {
            ""
        };
        let review_by = (today + Duration::days((r % 120) as i64 - 30)).format("%Y-%m-%d");
        csv.push_str(&format!(
            "Risk {r}: {},Seeded for the large-workspace benchmark.,{category},{},{},{},{release},{review_by}\n",
            RISK_TITLES[r % RISK_TITLES.len()],
            r % 5 + 1,
            r / 5 % 5 + 1,
            service(r),
        ));
    }
    if sizes.risks > 0 {
        let imported = relm
            .import_risks_csv(csv.as_bytes(), "register.csv", false)
            .unwrap();
        assert_eq!(imported.imported, sizes.risks, "every risk imported");
    }
    progress(&format!("{} risks", sizes.risks));

    // Edits up to the size asked: titles and descriptions of the releases still to go out
    // (those deployed are no longer editable).
    clock.set(today - Duration::hours(1));
    let have = relm_store::events::count(relm.store().conn()).unwrap() as usize;
    drop(relm);
    let mut store = relm_store::Store::open(&store_path).unwrap();
    let mut next = have;
    let editable = past..sizes.releases;
    while next < sizes.events && !editable.is_empty() {
        let n = (sizes.events - next).min(CHUNK);
        let at = clock_time(&today, next, sizes.events);
        let edits = (next - have..next - have + n).map(|e| {
            let i = editable.start + e % editable.len();
            let patch = if e.is_multiple_of(2) {
                ReleasePatch {
                    title: Some(format!("{} (edit {e})", fields[i].1.title)),
                    ..ReleasePatch::default()
                }
            } else {
                ReleasePatch {
                    description: Some(format!("Notes revised, edit {e}.")),
                    ..ReleasePatch::default()
                }
            };
            (
                &keys[managers[i % managers.len()]],
                at,
                EventBody::ReleaseUpdated {
                    release_id: fields[i].0.clone(),
                    patch,
                },
            )
        });
        append_timed(&mut store, edits);
        next += n;
        progress(&format!("{next} events"));
    }
    let events = relm_store::events::count(store.conn()).unwrap() as usize;
    progress(&format!("{events} events in all"));
    Seeded {
        events,
        releases: sizes.releases,
        past_releases: past,
        risks: sizes.risks,
        calendar: sizes.calendar,
        members: sizes.members,
    }
}

/// The founder's private key, from the key store `opts` names.
fn founder_key(opts: &relm_api::Options, relm: &relm_api::Relm, key_id: &str) -> SecretKey {
    use relm_identity::keyring::{Backend, KeyStore, OsKeyring};
    match &opts.keyring {
        relm_api::KeyringChoice::Given(keys) => keys.get(key_id).unwrap().unwrap(),
        relm_api::KeyringChoice::Os => {
            let ns = relm_store::local::get(relm.store().conn(), "keyring_namespace")
                .unwrap()
                .unwrap();
            let keys = OsKeyring::new(&ns, Backend::detect().unwrap()).unwrap();
            keys.get(key_id).unwrap().unwrap()
        }
    }
}

/// The time of the edits that bring the ledger to `next` of `total`: over the last hour.
fn clock_time(today: &DateTime<Utc>, next: usize, total: usize) -> DateTime<Utc> {
    *today - Duration::hours(1) + Duration::seconds((3600 * next / total.max(1)) as i64)
}

/// One event of a release's lifecycle.
#[derive(Debug, Clone, Copy)]
enum Step {
    Create,
    Plan,
    /// The approval for `ENVS[k]` (the last environment past the list: a second approver).
    Approve(usize),
    Approved,
    /// The deployment to `ENVS[k]`.
    Deploy(usize),
    /// The rollback rehearsed in the first environment.
    Rehearse,
    /// The review of a failure, written by the owner.
    WriteReview,
    /// Its sign-off: the owner's (0), then an approver's.
    SignReview(usize),
}

impl Step {
    /// Order among steps at the same instant.
    fn order(self) -> usize {
        match self {
            Step::Create => 0,
            Step::Plan => 1,
            Step::Approve(k) => 2 + k,
            Step::Approved => 5,
            Step::Deploy(k) => 6 + k,
            Step::Rehearse => 8,
            Step::WriteReview => 9,
            Step::SignReview(k) => 10 + k,
        }
    }
}

/// One release in twenty fails in production.
fn failed(i: usize) -> bool {
    i % 20 == 7
}

/// What the owner writes in the review of a failed release.
fn review_of_failure() -> relm_domain::review::ReviewPatch {
    relm_domain::review::ReviewPatch {
        outcome: Some(relm_domain::review::ReviewOutcome::Failed),
        went_well: Some("The rollback plan held; customers saw no errors.".into()),
        went_badly: Some("The deployment failed its health checks in production.".into()),
        incidents: None,
    }
}

const RISK_TITLES: [&str; 6] = [
    "schema migration locks a hot table",
    "certificate expiry during the freeze",
    "third-party API deprecates a field",
    "rollback needs a manual data fix",
    "capacity at peak season",
    "audit evidence kept outside the pipeline",
];

fn service(i: usize) -> String {
    format!("svc-{:03}", i % SERVICES)
}

fn seed_bytes(m: usize) -> [u8; 32] {
    let mut s = [7u8; 32];
    s[..8].copy_from_slice(&(m as u64).to_be_bytes());
    s
}

fn status(id: &ReleaseId, from: ReleaseStatus, to: ReleaseStatus) -> EventBody {
    EventBody::ReleaseStatusChanged {
        release_id: id.clone(),
        from,
        to,
        note: None,
        blocked: Vec::new(),
    }
}

/// Release `i`: its service, version, a window starting at `start` (two hours, Paris time).
fn release_fields(
    i: usize,
    start: DateTime<Utc>,
    owner: relm_domain::keys::KeyId,
) -> ReleaseFields {
    let svc = i % SERVICES;
    let n = i / SERVICES;
    let mut f = ReleaseFields {
        service: service(svc),
        version: format!("{}.{}.{}", 1 + n / 100, n % 100, i % 3),
        title: format!(
            "{} {}",
            TEAMS[svc % TEAMS.len()],
            RELEASE_TITLES[i % RELEASE_TITLES.len()]
        ),
        description: String::new(),
        change_type: if i.is_multiple_of(10) {
            ChangeType::Standard
        } else {
            ChangeType::Normal
        },
        risk: [
            RiskLevel::Low,
            RiskLevel::Medium,
            RiskLevel::Medium,
            RiskLevel::High,
        ][i % 4],
        environments: ENVS.iter().map(|e| (*e).to_string()).collect(),
        window: Some(PlannedWindow {
            start,
            end: start + Duration::hours(2),
            tz: "Europe/Paris".into(),
        }),
        owner,
        components: Vec::new(),
        changes: Vec::new(),
        rollback_plan: "Redeploy the previous image.".into(),
        evidence: Vec::new(),
    };
    f.validate().unwrap();
    f
}

const RELEASE_TITLES: [&str; 5] = [
    "quarterly hardening",
    "feature flag clean-up",
    "dependency refresh",
    "new checkout flow",
    "latency fixes",
];
