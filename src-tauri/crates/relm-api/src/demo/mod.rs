//! The demo workspace: a realistic team, five services, three environments, six months of
//! delivery history (deployments, failures, a rollback, deviations) and releases planned for
//! the next eight weeks, in every status.
//!
//! Teammates' events are signed with their own keys, which the demo makes and then forgets, as
//! if those people worked on their own laptops. Dates are relative to the injected clock, and
//! the choice of values is deterministic (a fixed-seed generator), so two demos made at the same
//! instant hold the same releases.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use relm_domain::ids::{ReleaseId, RiskId};
use relm_domain::payload::{Decision, EventBody, MemberInfo, Outcome};
use relm_domain::release::{
    ChangeRef, ChangeType, Component, EvidenceLink, ReleaseFields, ReleaseStatus, RiskLevel,
};
use relm_domain::risk::{Mitigation, RiskCategory, RiskFields};
use relm_domain::role::Role;
use relm_domain::window::PlannedWindow;
use relm_domain::window::fmt_utc;
use relm_identity::SecretKey;
use relm_policy::Lang;
use relm_store::projection::{calendar, governance, releases};
use serde::Serialize;

use crate::calendar::CalendarInput;
use crate::error::{ApiError, ErrorCode, Result};
use crate::session::{Options, Relm, random};
use crate::workspace::{InitOutcome, InitRequest, init};

mod history;
use relm_domain::ReasonCode;

/// The demo's release policy (version 2; version 1 is the default every workspace starts with).
const DEMO_POLICY: &str = include_str!("demo-policy.toml");

const SERVICES: &[(&str, &str)] = &[
    ("payments-api", "Europe/Paris"),
    ("checkout-web", "Europe/Paris"),
    ("identity-service", "America/New_York"),
    ("search-indexer", "America/New_York"),
    ("notifications-worker", "Asia/Singapore"),
];

const TITLES: &[&str] = &[
    "Faster refunds for card payments",
    "Retry webhooks with backoff",
    "Dark mode for the checkout",
    "Rotate signing certificates",
    "Upgrade the database driver",
    "Fix rounding of VAT on invoices",
    "New fraud scoring model",
    "Cache product search results",
    "Passkey sign-in",
    "Reduce cold-start time",
    "Split notification queues by region",
    "Remove the legacy export endpoint",
];

#[derive(Debug, Clone, Serialize)]
pub struct DemoOutcome {
    pub created_workspace: Option<InitOutcome>,
    pub members_added: usize,
    pub releases_added: usize,
}

/// A tiny deterministic generator (xorshift64*), enough to vary demo data reproducibly.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// 64 hex digits, for a made-up artifact digest.
    fn hex_digest(&mut self) -> String {
        (0..4).map(|_| format!("{:016x}", self.next())).collect()
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Teammate {
    key: SecretKey,
    name: &'static str,
    email: &'static str,
    roles: &'static [Role],
    team: &'static str,
}

/// Populate `opts.data_dir` with the demo, creating the workspace when there is none.
pub fn seed(opts: &Options) -> Result<(Relm, DemoOutcome)> {
    let now = opts.clock.now();
    let history_start = now - Duration::days(HISTORY_DAYS + 1);
    // A workspace the demo creates starts six months back, and its past is signed when it
    // happened. One that exists already cannot go back in time: its history is signed now.
    let walk = std::sync::Arc::new(history::Walk::new(opts.clock.clone()));
    let (mut relm, created) = match Relm::open(opts) {
        Ok(relm) => (relm, None),
        Err(e) if e.code == ErrorCode::NoWorkspace => {
            let req = InitRequest {
                workspace: "Northwind Demo".into(),
                name: "Alex Morgan".into(),
                email: "alex.morgan@northwind.example".into(),
            };
            walk.go(history_start);
            let walking = Options {
                clock: walk.clone(),
                ..opts.clone()
            };
            let (relm, outcome) = init(&walking, &req)?;
            (relm, Some(outcome))
        }
        Err(e) => return Err(e),
    };
    if releases::count(relm.store.conn())? > 0 {
        return Err(ApiError::conflict(
            ReasonCode::WorkspaceNotEmpty,
            format!(
                "the workspace in {} already has releases; run the demo in an empty data dir (e.g. --data-dir /tmp/relm-demo)",
                relm.data_dir.display()
            ),
        )
        .with("dir", relm.data_dir.display()));
    }
    let team = [
        Teammate {
            key: SecretKey::generate()?,
            name: "Léa Martin",
            team: "payments",
            email: "lea.martin@northwind.example",
            roles: &[Role::ReleaseManager],
        },
        Teammate {
            key: SecretKey::generate()?,
            name: "Omar Haddad",
            team: "platform",
            email: "omar.haddad@northwind.example",
            roles: &[Role::Approver],
        },
        Teammate {
            key: SecretKey::generate()?,
            name: "Noah Fischer",
            team: "web",
            email: "noah.fischer@northwind.example",
            roles: &[Role::ReleaseManager, Role::Approver],
        },
        Teammate {
            key: SecretKey::generate()?,
            name: "Grace Kim",
            team: "",
            email: "grace.kim@northwind.example",
            roles: &[Role::Auditor],
        },
    ];
    let adds = team
        .iter()
        .map(|t| EventBody::MemberAdded {
            member: MemberInfo {
                key: t.key.public(),
                name: t.name.into(),
                email: t.email.into(),
            },
            roles: t.roles.to_vec(),
        })
        .collect();
    relm.emit(|_| Ok(adds))?;
    // Teams: the policy asks critical releases for an approver from another team.
    let me_id = relm.me()?;
    let teams = team
        .iter()
        .filter(|t| !t.team.is_empty())
        .map(|t| (t.key.public().key_id(), t.team))
        .chain([(me_id, "platform")])
        .map(|(key_id, team)| EventBody::MemberTeamSet {
            key_id,
            team: team.into(),
        })
        .collect();
    relm.emit(|_| Ok(teams))?;

    relm.apply_policy(
        DEMO_POLICY,
        "Northwind policy: promotion through staging, 48 h notice, escalation of critical changes",
        "demo-policy.toml",
    )?;

    calendar(&mut relm, history_start)?;

    let me = relm.signing_key()?;
    // The signers: 0 Alex (every role), 1 Léa (release manager), 2 Omar (approver), 3 Noah
    // (release manager and approver).
    let keys = [&me, &team[0].key, &team[1].key, &team[2].key];
    let managers = [0, 1, 3];
    let approvers = [0, 2, 3];
    let cast = |i: i64| history::Cast {
        author: managers[(i % 3) as usize],
        authorizer: approvers[(i % 3) as usize],
        approver: 2,
    };
    let mut past = history::Timeline::default();
    // Six months back to eight weeks back: the older history, every release past.
    let mut old = Dice(0x0dd5_a1e5_2026_0601);
    for j in 0..HISTORY_RELEASES {
        let offset = -HISTORY_DAYS + j * (HISTORY_DAYS - 57) / HISTORY_RELEASES;
        let author = keys[managers[(j % 3) as usize]];
        let fields = release_fields(&mut old, j + 100, offset, now, author)?;
        let path = demo_path(Duration::days(-30), &mut old);
        past.release(fields, &path, cast(j), twists(j + 100), now)?;
    }
    let mut dice = Dice(0x5eed_1e55_c0ff_ee42);
    let mut upcoming = Vec::new();
    let mut lagging = false;
    for i in 0..42i64 {
        let author = keys[managers[(i % 3) as usize]];
        let fields = release_fields(&mut dice, i, -56 + i * 112 / 42, now, author)?;
        let start = fields.window.as_ref().map_or(now, |w| w.start);
        let mut path = demo_path(start - now, &mut dice);
        let mut twist = twists(i);
        // The first production release between 9 and 20 days back failed, and its review and
        // follow-up action are late.
        if !lagging
            && start < now - Duration::days(9)
            && start > now - Duration::days(20)
            && fields.environments.iter().any(|e| e == "prod")
        {
            lagging = true;
            twist.lagging = true;
            use ReleaseStatus::*;
            path = vec![Planned, Approved, Deploying, Failed];
        }
        if start < now {
            past.release(fields, &path, cast(i), twist, now)?;
        } else {
            upcoming.push((i, fields, path));
        }
    }
    let mut added = past.run(&mut relm, &walk, &keys)?;
    // The present, on the real clock.
    walk.stop();
    relm.clock = opts.clock.clone();
    for (i, fields, path) in upcoming {
        let author = keys[managers[(i % 3) as usize]];
        let id = ReleaseId::generate(now, random::<10>()?);
        relm.emit_as(author, |_| {
            Ok(vec![EventBody::ReleaseCreated {
                release_id: id.clone(),
                fields,
            }])
        })?;
        let mut from = ReleaseStatus::Draft;
        for to in path {
            let signer = if to == ReleaseStatus::Approved {
                keys[approvers[(i % 3) as usize]]
            } else {
                author
            };
            let body = EventBody::ReleaseStatusChanged {
                release_id: id.clone(),
                from,
                to,
                note: None,
                blocked: vec![],
            };
            relm.emit_as(signer, |_| Ok(vec![body]))?;
            from = to;
        }
        gates(&mut relm, &team, author, &id, i, now)?;
        added += 1;
    }
    planned_conflicts(&mut relm, &[&me, &team[0].key, &team[2].key], now)?;
    let risks = register(
        &mut relm,
        [&me, &team[0].key, &team[1].key, &team[2].key],
        now,
    )?;
    questionnaires(&mut relm, &team[1].key, now)?;
    tracing::info!(releases = added, risks, "demo seeded");
    Ok((
        relm,
        DemoOutcome {
            created_workspace: created,
            members_added: team.len(),
            releases_added: added,
        },
    ))
}

/// How long the demo's delivery history goes back, in days, and how many releases it holds
/// before the last eight weeks.
const HISTORY_DAYS: i64 = 182;
const HISTORY_RELEASES: i64 = 64;

/// A demo release of `author`'s, planned `offset` days from `now`; `i` varies what is not drawn
/// from the dice.
fn release_fields(
    dice: &mut Dice,
    i: i64,
    offset: i64,
    now: DateTime<Utc>,
    author: &SecretKey,
) -> Result<ReleaseFields> {
    let (service, tz) = *dice.pick(SERVICES);

    let zone: Tz = tz
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "demo zone"))?;
    // On a weekday, 10:00 or 14:00 local time.
    let mut day = (now + Duration::days(offset))
        .with_timezone(&zone)
        .date_naive();
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    let hour = if dice.below(2) == 0 { 10 } else { 14 };
    let start = zone
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()))
        .earliest()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "demo time"))?
        .with_timezone(&Utc);
    let end = start + Duration::hours(1 + dice.below(3) as i64);
    let change_type = match dice.below(10) {
        0 => ChangeType::Emergency,
        1..=3 => ChangeType::Standard,
        _ => ChangeType::Normal,
    };
    let minor = 1 + dice.below(20);
    let version = format!("{}.{minor}.{}", 1 + dice.below(3), dice.below(6));
    let envs: Vec<String> = match dice.below(3) {
        0 => vec!["dev".into(), "staging".into()],
        _ => vec!["dev".into(), "staging".into(), "prod".into()],
    };
    let ticket = 100 + i * 7;
    let fields = ReleaseFields {
        service: service.into(),
        version: version.clone(),
        title: (*dice.pick(TITLES)).into(),
        description: format!("Ships {service} {version}. Tracked in NW-{ticket}."),
        change_type,
        risk: [
            RiskLevel::Low,
            RiskLevel::Medium,
            RiskLevel::Medium,
            RiskLevel::High,
            RiskLevel::Critical,
        ][(i % 5) as usize],
        environments: envs,
        window: Some(PlannedWindow {
            start,
            end,
            tz: tz.into(),
        }),
        owner: author.public().key_id(),
        components: vec![Component {
            name: service.into(),
            version: version.clone(),
            digest: Some(format!("sha256:{}", dice.hex_digest())),
        }],
        changes: vec![ChangeRef {
            id: format!("NW-{ticket}"),
            title: "Implementation".into(),
            link: Some(format!("https://tracker.northwind.example/NW-{ticket}")),
            author: Some(format!("dev{}@northwind.example", i % 5)),
        }],
        rollback_plan: if dice.below(6) == 0 {
            String::new()
        } else {
            format!("Redeploy the previous {service} image; no schema change.")
        },
        evidence: vec![EvidenceLink {
            name: "tests passed".into(),
            link: Some(format!(
                "https://ci.northwind.example/{service}/{}",
                9000 + i
            )),
            digest: None,
        }],
    };
    Ok(fields)
}

/// What goes differently for the `i`th release: now and then a deployment after its window,
/// one that skipped staging, a rehearsal that failed first.
fn twists(i: i64) -> history::Twists {
    history::Twists {
        late: i % 9 == 4,
        skip_staging: i % 13 == 7,
        failed_rehearsal: i % 4 == 3,
        no_plan: i % 11 == 2,
        lagging: false,
    }
}

/// A one-hour slot on a Tuesday or Thursday between 10:00 and 15:00 Paris, at least three days
/// ahead and outside the year-end freeze: one every rule of the demo's policy and calendar
/// accepts. Different `n` give different slots, so rescheduled releases do not pile up.
fn clean_slot(now: DateTime<Utc>, n: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    let paris = chrono_tz::Europe::Paris;
    let mut day = (now + Duration::days(3)).with_timezone(&paris).date_naive();
    let mut skip = n.max(0) / 3;
    loop {
        let year_end =
            (day.month() == 12 && day.day() >= 22) || (day.month() == 1 && day.day() <= 3);
        if matches!(day.weekday(), Weekday::Tue | Weekday::Thu) && !year_end {
            if skip == 0 {
                break;
            }
            skip -= 1;
        }
        day += Duration::days(1);
    }
    let hour = 10 + 2 * u32::try_from(n.rem_euclid(3)).unwrap_or_default();
    let at = |h: u32| {
        paris
            .from_local_datetime(
                &day.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()),
            )
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
    };
    (at(hour), at(hour + 1))
}

/// Two deliberate conflicts among upcoming releases that wait for their approval: a payments
/// release planned inside the soft month-end close (a warning: it needs a justification and
/// one more approval), and another release in the same slot (an overlap in each environment).
fn planned_conflicts(relm: &mut Relm, owners: &[&SecretKey], now: DateTime<Utc>) -> Result<()> {
    let conn = relm.store.conn();
    let shared = governance::shared(conn, now, &crate::gates::in_force(conn)?.0)?;
    let mut waiting = Vec::new();
    for p in calendar::planned_releases(conn)? {
        if p.start < now + Duration::days(3) || !p.environments.iter().any(|e| e == "prod") {
            continue;
        }
        let Some(f) = governance::facts(conn, &p.id, &shared)? else {
            continue;
        };
        if f.approvals.is_empty() && f.fields.change_type != ChangeType::Emergency {
            waiting.push((p, f.fields.owner));
        }
    }
    let payments = waiting.iter().find(|(p, _)| p.service == "payments-api");
    let other = waiting
        .iter()
        .find(|(p, _)| p.service != "payments-api" && p.service != "checkout-web");
    let (Some(payments), Some(other)) = (payments, other) else {
        return Ok(());
    };
    // The first 1st of a month at least three days ahead on a weekday, outside the year-end
    // freeze: the month-end close and nothing else.
    let paris = chrono_tz::Europe::Paris;
    let mut day = (now + Duration::days(3)).with_timezone(&paris).date_naive();
    while day.day() != 1 || day.month() == 1 || matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    {
        day += Duration::days(1);
    }
    let at = |h: u32, m: u32| {
        paris
            .from_local_datetime(
                &day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()),
            )
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
    };
    for ((p, owner), (start, end)) in [
        (payments, (at(10, 0), at(11, 0))),
        (other, (at(10, 30), at(11, 30))),
    ] {
        let Some(key) = owners.iter().find(|k| k.public().key_id() == *owner) else {
            continue;
        };
        let patch = relm_domain::release::ReleasePatch {
            window: Some(PlannedWindow {
                start,
                end,
                tz: "Europe/Paris".into(),
            }),
            ..Default::default()
        };
        relm.emit_as(key, |_| {
            Ok(vec![EventBody::ReleaseUpdated {
                release_id: ReleaseId(p.id.clone()),
                patch,
            }])
        })?;
    }
    Ok(())
}

/// The demo's calendar: a weekend freeze, a year-end freeze, a soft month-end close for
/// payments, and maintenance windows for checkout-web, from the start of its history.
fn calendar(relm: &mut Relm, from: DateTime<Utc>) -> Result<()> {
    let from = from.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let mut friday = from;
    while friday.weekday() != Weekday::Fri {
        friday -= Duration::days(1);
    }
    let mut tuesday = friday + Duration::days(4);
    while tuesday.weekday() != Weekday::Tue {
        tuesday += Duration::days(1);
    }
    let at = |d: chrono::NaiveDate, h: u32| format!("{}T{h:02}:00", d.format("%Y-%m-%d"));
    let year = from.year();
    let end_of_month = from.with_day(1).unwrap_or(from);
    let entries = [
        CalendarInput {
            kind: Some("freeze".into()),
            name: Some("Weekend freeze".into()),
            start: Some(at(friday, 18)),
            end: Some(at(friday + Duration::days(3), 6)),
            rrule: Some("FREQ=WEEKLY;BYDAY=FR".into()),
            environments: vec!["prod".into()],
            reason: Some("Nobody on call for a rollback over the weekend".into()),
            ..CalendarInput::default()
        },
        CalendarInput {
            kind: Some("freeze".into()),
            name: Some("Year-end freeze".into()),
            start: Some(format!("{year}-12-23T00:00")),
            end: Some(format!("{}-01-03T00:00", year + 1)),
            rrule: Some("FREQ=YEARLY".into()),
            environments: vec!["prod".into()],
            reason: Some("Peak season and reduced staff".into()),
            ..CalendarInput::default()
        },
        CalendarInput {
            kind: Some("freeze".into()),
            soft: true,
            name: Some("Month-end close".into()),
            start: Some(at(end_of_month, 0)),
            end: Some(at(end_of_month + Duration::days(1), 0)),
            rrule: Some("FREQ=MONTHLY;BYMONTHDAY=1".into()),
            environments: vec!["prod".into()],
            services: vec!["payments-api".into()],
            reason: Some("Finance closes the books".into()),
            ..CalendarInput::default()
        },
        CalendarInput {
            kind: Some("window".into()),
            name: Some("Checkout maintenance window".into()),
            start: Some(at(tuesday, 9)),
            end: Some(at(tuesday, 17)),
            rrule: Some("FREQ=WEEKLY;BYDAY=TU,TH".into()),
            environments: vec!["prod".into()],
            services: vec!["checkout-web".into()],
            ..CalendarInput::default()
        },
    ];
    for mut e in entries {
        e.tz = Some("Europe/Paris".into());
        relm.add_calendar_entry(&e)?;
    }
    Ok(())
}

/// Record successful deployments of the release as it is now to dev and then `environment`,
/// that ran just now.
fn deployed(relm: &mut Relm, author: &SecretKey, id: &ReleaseId, environment: &str) -> Result<()> {
    let now = relm.clock.now();
    let run = |minutes: i64| {
        (
            now - Duration::minutes(minutes),
            now - Duration::minutes(minutes - 15),
        )
    };
    let tag = &id.0[id.0.len().saturating_sub(6)..];
    for (env, when) in [("dev", run(50)), (environment, run(20))] {
        deployed_at(
            relm,
            author,
            id,
            env,
            Outcome::Succeeded,
            when,
            ("GitHub Actions", format!("github:{env}-{tag}")),
        )?;
    }
    Ok(())
}

/// Record a deployment of the release as it is now that ran from `when.0` to `when.1`, by
/// `tool`, with its reference there.
fn deployed_at(
    relm: &mut Relm,
    author: &SecretKey,
    id: &ReleaseId,
    environment: &str,
    outcome: Outcome,
    when: (DateTime<Utc>, DateTime<Utc>),
    tool: (&str, String),
) -> Result<()> {
    let digest = releases::get(relm.store.conn(), &id.0)?
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "demo release"))?
        .fields
        .governed_digest(id);
    let number = tool
        .1
        .rsplit(['-', ':'])
        .next()
        .unwrap_or_default()
        .to_string();
    relm.emit_as(author, |_| {
        Ok(vec![EventBody::DeploymentRecorded {
            release_id: id.clone(),
            environment: environment.into(),
            outcome,
            release_digest: digest,
            note: format!("pipeline #{number}"),
            started_at: Some(fmt_utc(when.0)),
            ended_at: Some(fmt_utc(when.1)),
            tool: tool.0.into(),
            link: Some(format!("https://ci.northwind.example/deploy/{number}")),
            external_ref: Some(tool.1),
        }])
    })?;
    Ok(())
}

fn rehearsed(relm: &mut Relm, author: &SecretKey, id: &ReleaseId) -> Result<()> {
    relm.emit_as(author, |_| {
        Ok(vec![EventBody::RollbackRehearsed {
            release_id: id.clone(),
            note: "Rolled back in staging in 6 minutes".into(),
            link: None,
            environment: Some("staging".into()),
            result: None,
            evidence_digest: None,
        }])
    })?;
    Ok(())
}

fn declare(
    relm: &mut Relm,
    author: &SecretKey,
    id: &ReleaseId,
    approver: &SecretKey,
) -> Result<()> {
    relm.emit_as(author, |_| {
        Ok(vec![EventBody::EmergencyDeclared {
            release_id: id.clone(),
            reason: "Card payments failing for one acquirer".into(),
            incident: format!("INC-{}", &id.0[id.0.len().saturating_sub(4)..]),
            approver: approver.public().key_id(),
        }])
    })?;
    Ok(())
}

/// Decisions, deployments and rehearsals on upcoming production releases, so the demo shows
/// every kind of verdict: allowed, allowed with warnings, blocked for a missing approval, an
/// approval gone stale after an edit, and an emergency awaiting its after-the-fact approval.
fn gates(
    relm: &mut Relm,
    team: &[Teammate],
    author: &SecretKey,
    id: &ReleaseId,
    i: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = releases::get(relm.store.conn(), &id.0)?
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "demo release"))?;
    let upcoming = row.fields.window.as_ref().is_some_and(|w| w.start > now);
    let in_flight = matches!(row.status, ReleaseStatus::Planned | ReleaseStatus::Approved);
    if !upcoming || !in_flight || !row.fields.environments.iter().any(|e| e == "prod") {
        return Ok(());
    }
    let omar = &team[1].key;
    let deployed_to_staging = |relm: &mut Relm| deployed(relm, author, id, "staging");
    if row.fields.change_type == ChangeType::Emergency {
        deployed_to_staging(relm)?;
        return declare(relm, author, id, omar);
    }
    match i % 4 {
        // Waiting for an approval: it shows on the approvers' dashboards.
        0 => {}
        // Approved as it is now, the build tested in staging. Every other one was reassessed
        // as high risk first and lacks the security scan the policy asks for at that level:
        // allowed, with a warning.
        1 | 2 => {
            // Rescheduled into a clean slot with a rollback plan, so the policy allows it; the
            // other one was reassessed as high risk and lacks its security scan (a warning).
            let (start, end) = clean_slot(now, (i / 4) * 2 + (i % 4 - 1));
            let patch = relm_domain::release::ReleasePatch {
                risk: Some(if i % 4 == 2 {
                    RiskLevel::High
                } else {
                    RiskLevel::Low
                }),
                window: Some(PlannedWindow {
                    start,
                    end,
                    tz: "Europe/Paris".into(),
                }),
                rollback_plan: Some(format!(
                    "Redeploy the previous {} image; no schema change.",
                    row.fields.service
                )),
                // The clean one has its security scan too: its service's recent failures may
                // assess it high, where the policy asks for one.
                evidence: (i % 4 == 1).then(|| {
                    let mut e = row.fields.evidence.clone();
                    e.push(EvidenceLink {
                        name: "security scan".into(),
                        link: Some(format!(
                            "https://ci.northwind.example/{}/scan",
                            row.fields.service
                        )),
                        digest: None,
                    });
                    e
                }),
                ..Default::default()
            };
            let mut fields = row.fields.clone();
            fields.apply(&patch);
            relm.emit_as(author, |_| {
                Ok(vec![EventBody::ReleaseUpdated {
                    release_id: id.clone(),
                    patch,
                }])
            })?;
            deployed_to_staging(relm)?;
            if fields.risk == RiskLevel::Critical {
                rehearsed(relm, author, id)?;
            }
            relm.decide_as(
                omar,
                &id.0,
                "prod",
                Decision::Approve,
                Some("Looks good"),
                Lang::En,
            )?;
        }
        // Approved, then edited: the approval is stale and no longer counts.
        _ => {
            deployed_to_staging(relm)?;
            relm.decide_as(omar, &id.0, "prod", Decision::Approve, None, Lang::En)?;
            let mut patch = relm_domain::release::ReleasePatch::default();
            let mut v = semver::Version::parse(&row.fields.version)
                .map_err(|_| ApiError::new(ErrorCode::Internal, "demo version"))?;
            v.patch += 1;
            patch.version = Some(v.to_string());
            relm.emit_as(author, |_| {
                Ok(vec![EventBody::ReleaseUpdated {
                    release_id: id.clone(),
                    patch,
                }])
            })?;
        }
    }
    Ok(())
}

/// The statuses a release at `offset` from now has gone through.
fn demo_path(offset: Duration, dice: &mut Dice) -> Vec<ReleaseStatus> {
    use ReleaseStatus::*;
    let days = offset.num_days();
    match days {
        d if d < -7 => match dice.below(8) {
            0 => vec![Planned, Approved, Deploying, RolledBack],
            1 => vec![Planned, Approved, Deploying, Failed],
            2 => vec![Planned, Cancelled],
            3 | 4 => vec![Planned, Approved, Deploying, Deployed],
            _ => vec![Planned, Approved, Deploying, Deployed, Reviewed],
        },
        d if d < 0 => vec![Planned, Approved, Deploying, Deployed],
        d if d < 14 => match dice.below(3) {
            0 => vec![Planned],
            _ => vec![Planned, Approved],
        },
        d if d < 35 => vec![Planned],
        _ => vec![],
    }
}

/// What became of a demo risk.
#[derive(Clone, Copy)]
enum Fate {
    Open,
    /// Mitigations planned (the first one done when `true`), with a residual position.
    Mitigating(bool, u8, u8),
    /// Accepted by the approver at this index of the signers, for this many days ahead.
    Accepted(usize, i64),
    /// Accepted, and the acceptance has lapsed.
    Lapsed(usize),
    Closed,
}

/// The demo's register: (title, category, likelihood, impact, services, owner index, review
/// in days from now, fate). Signers: 0 Alex (every role), 1 Léa (release manager), 2 Omar
/// (approver), 3 Noah (release manager and approver).
#[allow(clippy::type_complexity)]
const REGISTER: &[(&str, RiskCategory, u8, u8, &[&str], usize, i64, Fate)] = &[
    (
        "Single card processor: an outage stops every payment",
        RiskCategory::Operational,
        3,
        5,
        &["payments-api"],
        1,
        30,
        Fate::Mitigating(true, 2, 4),
    ),
    (
        "Orders table migration locks writes during peak hours",
        RiskCategory::Technical,
        3,
        4,
        &["payments-api"],
        3,
        14,
        Fate::Mitigating(false, 2, 3),
    ),
    (
        "Expired TLS certificate on the public checkout",
        RiskCategory::Security,
        2,
        5,
        &["checkout-web"],
        0,
        60,
        Fate::Mitigating(true, 1, 5),
    ),
    (
        "Identity provider rate limits during login peaks",
        RiskCategory::Technical,
        4,
        3,
        &["identity-service"],
        3,
        -5,
        Fate::Open,
    ),
    (
        "Search index rebuild exceeds the maintenance window",
        RiskCategory::Schedule,
        3,
        3,
        &["search-indexer"],
        1,
        21,
        Fate::Accepted(2, 45),
    ),
    (
        "Push notification vendor changes its API without notice",
        RiskCategory::Business,
        2,
        3,
        &["notifications-worker"],
        1,
        90,
        Fate::Accepted(3, 60),
    ),
    (
        "PCI DSS evidence incomplete for the next audit",
        RiskCategory::Compliance,
        3,
        4,
        &["payments-api", "checkout-web"],
        0,
        10,
        Fate::Mitigating(false, 2, 2),
    ),
    (
        "Secrets in CI logs after a misconfigured job",
        RiskCategory::Security,
        2,
        4,
        &["checkout-web", "identity-service"],
        3,
        30,
        Fate::Closed,
    ),
    (
        "Rollback of the ledger schema is not reversible",
        RiskCategory::Technical,
        2,
        5,
        &["payments-api"],
        1,
        -12,
        Fate::Open,
    ),
    (
        "Only one engineer knows the release tooling",
        RiskCategory::Operational,
        4,
        3,
        &[],
        0,
        45,
        Fate::Mitigating(false, 3, 2),
    ),
    (
        "GDPR erasure requests not propagated to the search index",
        RiskCategory::Compliance,
        2,
        4,
        &["search-indexer"],
        3,
        30,
        Fate::Lapsed(2),
    ),
    (
        "Year-end freeze squeezes the Q4 release train",
        RiskCategory::Schedule,
        4,
        2,
        &[],
        1,
        20,
        Fate::Accepted(0, 10),
    ),
    (
        "Mobile push tokens expire silently",
        RiskCategory::Technical,
        3,
        2,
        &["notifications-worker"],
        1,
        40,
        Fate::Open,
    ),
    (
        "Session fixation in the legacy login page",
        RiskCategory::Security,
        1,
        5,
        &["identity-service"],
        0,
        25,
        Fate::Mitigating(true, 1, 3),
    ),
    (
        "Currency rounding differs between checkout and invoices",
        RiskCategory::Business,
        3,
        3,
        &["checkout-web", "payments-api"],
        3,
        15,
        Fate::Closed,
    ),
    (
        "Disaster recovery site not tested this year",
        RiskCategory::Operational,
        2,
        5,
        &[],
        0,
        -2,
        Fate::Open,
    ),
    (
        "Third-party SDK licence changes to copyleft",
        RiskCategory::Compliance,
        1,
        3,
        &["checkout-web"],
        1,
        120,
        Fate::Accepted(3, 90),
    ),
    (
        "Noisy neighbour on the shared search cluster",
        RiskCategory::Technical,
        3,
        2,
        &["search-indexer"],
        3,
        35,
        Fate::Open,
    ),
];

fn register(relm: &mut Relm, signers: [&SecretKey; 4], now: DateTime<Utc>) -> Result<usize> {
    let today = now.date_naive();
    for &(title, category, likelihood, impact, services, owner, review, fate) in REGISTER {
        let id = RiskId::generate(now, random::<10>()?);
        let key = signers[owner];
        let fields = RiskFields {
            title: title.into(),
            description: String::new(),
            category,
            likelihood,
            impact,
            owner: key.public().key_id(),
            services: services.iter().map(|s| (*s).to_string()).collect(),
            releases: Vec::new(),
            review_by: Some((today + Duration::days(review)).to_string()),
            residual_likelihood: None,
            residual_impact: None,
        };
        let rid = RiskId(id.0.clone());
        let mut bodies = vec![EventBody::RiskAdded {
            risk_id: id,
            fields,
        }];
        let accepted = |by: usize, days: i64| {
            let expires = now + Duration::days(days);
            (
                signers[by],
                EventBody::RiskAccepted {
                    risk_id: rid.clone(),
                    reason:
                        "Within the risk appetite agreed with the product owner; revisit at expiry."
                            .into(),
                    expires_at: fmt_utc(expires),
                },
            )
        };
        let mut later: Vec<(&SecretKey, EventBody)> = Vec::new();
        match fate {
            Fate::Open => {}
            Fate::Mitigating(first_done, l, i) => {
                bodies.push(EventBody::RiskMitigated {
                    risk_id: rid.clone(),
                    mitigation: Mitigation {
                        action: format!("Runbook and alerting for: {}", title.to_lowercase()),
                        owner: Some(key.public().key_id()),
                        due: Some((today + Duration::days(review.max(7))).to_string()),
                        done: false,
                    },
                    residual_likelihood: Some(l),
                    residual_impact: Some(i),
                });
                bodies.push(EventBody::RiskMitigated {
                    risk_id: rid.clone(),
                    mitigation: Mitigation {
                        action: "Rehearse the fallback in staging before the next release".into(),
                        owner: None,
                        due: Some((today + Duration::days(review.max(7) + 14)).to_string()),
                        done: false,
                    },
                    residual_likelihood: None,
                    residual_impact: None,
                });
                if first_done {
                    bodies.push(EventBody::RiskMitigationDone {
                        risk_id: rid.clone(),
                        number: 1,
                    });
                }
            }
            Fate::Accepted(by, days) => later.push(accepted(by, days)),
            // Accepted for a period that has now ended: open again, with no event.
            Fate::Lapsed(by) => later.push(accepted(by, -3)),
            Fate::Closed => bodies.push(EventBody::RiskClosed {
                risk_id: rid.clone(),
                reason: "Fixed at the source and verified in production.".into(),
            }),
        }
        relm.emit_as(key, |_| Ok(bodies))?;
        for (signer, body) in later {
            relm.emit_as(signer, |_| Ok(vec![body]))?;
        }
    }
    Ok(REGISTER.len())
}

/// Answers to the risk questionnaire on the releases still being prepared (drafts and planned
/// ones), varied so that every level shows; and one level lowered by Omar (an approver who owns
/// none of them) with his reason.
fn questionnaires(relm: &mut Relm, omar: &SecretKey, now: DateTime<Utc>) -> Result<()> {
    const ANSWERS: [[&str; 4]; 5] = [
        ["no", "none", "yes", "no"],
        ["yes", "none", "partly", "no"],
        ["yes", "reversible", "yes", "yes"],
        ["no", "reversible", "partly", "no"],
        ["yes", "irreversible", "no", "yes"],
    ];
    const KEYS: [&str; 4] = [
        "customer_facing",
        "data_migration",
        "tested_in_staging",
        "peak_period",
    ];
    let conn = relm.store.conn();
    let mut ids = Vec::new();
    for status in [ReleaseStatus::Draft, ReleaseStatus::Planned] {
        let filter = releases::ReleaseFilter {
            status: Some(status),
            limit: 1000,
            ..Default::default()
        };
        ids.extend(
            releases::list(conn, &filter)?
                .into_iter()
                .map(|(r, _)| r.id),
        );
    }
    // In the order of service and version, not of id: ids carry random bits, and the answers
    // (and so the levels) must not depend on them.
    let mut keyed = Vec::with_capacity(ids.len());
    for id in ids {
        let r = releases::get(conn, &id)?;
        let key = r
            .map(|r| (r.fields.service, r.fields.version))
            .unwrap_or_default();
        keyed.push((key, id));
    }
    keyed.sort();
    let ids: Vec<String> = keyed.into_iter().map(|(_, id)| id).collect();
    let answer = |relm: &mut Relm, id: &String, set: usize| {
        let answers = KEYS
            .iter()
            .zip(ANSWERS[set])
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        relm.emit(|_| {
            Ok(vec![EventBody::RiskAnswered {
                release_id: ReleaseId(id.clone()),
                answers,
            }])
        })
    };
    for (n, id) in ids.iter().enumerate() {
        answer(relm, id, n % ANSWERS.len())?;
    }
    // The planned production releases Omar does not own, with their levels (dates, and so
    // some signals, move with today).
    let (policy, _) = crate::gates::in_force(relm.store.conn())?;
    let omar_id = omar.public().key_id();
    let level_of = |relm: &Relm, id: &String| -> Result<(relm_policy::Facts, RiskLevel)> {
        let f = crate::gates::facts(relm.store.conn(), id, now, &policy)?;
        let level = relm_policy::assess::ReleaseAssessment::of(&policy, &f)
            .judged
            .level;
        Ok((f, level))
    };
    let mut candidates: Vec<(RiskLevel, &String)> = Vec::new();
    for id in &ids {
        let (f, level) = level_of(relm, id)?;
        if f.status == ReleaseStatus::Planned
            && f.fields.environments.iter().any(|e| e == "prod")
            && f.fields.owner != omar_id
        {
            candidates.push((level, id));
        }
    }
    // Omar lowers the highest below critical one level, saying why.
    let mut highest: Option<(RiskLevel, &String)> = None;
    for &(level, id) in &candidates {
        if level < RiskLevel::Critical && highest.is_none_or(|(h, _)| level > h) {
            highest = Some((level, id));
        }
    }
    // None to lower (every candidate low, as today's signals may make them): the first
    // candidate is given the answers that raise it to medium or high, so that the demo always
    // shows a lowering.
    if highest.is_none_or(|(l, _)| l == RiskLevel::Low)
        && let Some(&(_, id)) = candidates.first()
    {
        for set in [4, 2, 1, 3, 0] {
            answer(relm, id, set)?;
            let (_, level) = level_of(relm, id)?;
            if matches!(level, RiskLevel::Medium | RiskLevel::High) {
                highest = Some((level, id));
                break;
            }
        }
    }
    let below = |l: RiskLevel| match l {
        RiskLevel::Critical => Some(RiskLevel::High),
        RiskLevel::High => Some(RiskLevel::Medium),
        RiskLevel::Medium => Some(RiskLevel::Low),
        RiskLevel::Low => None,
    };
    if let Some((from, id)) = highest
        && let Some(level) = below(from)
    {
        relm.emit_as(omar, |_| {
            Ok(vec![EventBody::ReleaseRiskLowered {
                release_id: ReleaseId(id.clone()),
                level,
                from,
                reason: "Dark-launched behind a feature flag that is off by default".into(),
            }])
        })?;
    }
    Ok(())
}
