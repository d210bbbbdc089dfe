//! Creating a workspace and summarising one.

use relm_domain::ids::WorkspaceId;
use relm_domain::membership::check_info;
use relm_domain::payload::{EventBody, MemberInfo};
use relm_identity::SecretKey;
use relm_store::{events, local, projection};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::error::{ApiError, Result};
use crate::session::{IDENTITY, Options, Relm, append, random};
use relm_domain::ReasonCode;

#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InitRequest {
    pub workspace: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InitOutcome {
    pub workspace_id: String,
    pub workspace_name: String,
    pub key_id: String,
    pub fingerprint: String,
    pub public_key: String,
    pub keyring: String,
    /// False when the keyring forgets keys at reboot (kernel keyring): export a backup.
    pub keyring_persistent: bool,
}

/// Create a workspace in `opts.data_dir` with a new founder identity.
pub fn init(opts: &Options, req: &InitRequest) -> Result<(Relm, InitOutcome)> {
    let workspace_name = req.workspace.trim().to_string();
    let mut problems = relm_domain::Problems::default();
    if workspace_name.is_empty() {
        problems.add(relm_domain::DomainError::problem(
            "workspace",
            relm_domain::ProblemCode::Required,
            "give the workspace a name (e.g. --workspace \"Payments\")",
        ));
    }
    problems.check(relm_domain::text::check_text(
        "workspace",
        &workspace_name,
        relm_domain::text::Lines::One,
        relm_domain::limits::MAX_SHORT,
    ));
    problems.check(relm_domain::membership::check_newcomer(
        &req.name, &req.email,
    ));
    problems.done()?;
    let key = SecretKey::generate()?;
    let founder = MemberInfo {
        key: key.public(),
        name: req.name.trim().into(),
        email: req.email.trim().into(),
    };
    check_info(&founder)?;
    let mut relm = Relm::open_or_create(opts)?;
    if let Ok(id) = relm.workspace_id() {
        return Err(ApiError::conflict(
            ReasonCode::WorkspaceExists,
            format!(
                "{} already holds workspace {id}; use another --data-dir",
                opts.data_dir.display()
            ),
        )
        .with("dir", opts.data_dir.display())
        .with("workspace", id));
    }
    let key_id = key.public().key_id();
    relm.keys.put(&key_id.0, &key)?;
    let workspace = WorkspaceId::generate(relm.clock.now(), random::<10>()?);
    let clock = relm.clock.clone();
    let genesis = EventBody::WorkspaceCreated {
        name: workspace_name.clone(),
        founder,
    };
    let written = relm.store.write(|tx| {
        local::set(tx, IDENTITY, &key_id.0)?;
        // The founder's second event: the documented default policy as version 1.
        let policy = EventBody::PolicyApplied {
            version: 1,
            note: "Default policy of a new workspace".into(),
            source: relm_policy::DEFAULT_POLICY.into(),
        };
        append(tx, &key, &workspace, clock.as_ref(), vec![genesis, policy])
    });
    if let Err(e) = written {
        let _ = relm.keys.delete(&key_id.0);
        return Err(e);
    }
    tracing::info!(workspace = %workspace, key = %key_id, "workspace created");
    let outcome = InitOutcome {
        workspace_id: workspace.0,
        workspace_name,
        fingerprint: key_id.fingerprint(),
        key_id: key_id.0,
        public_key: key.public().to_string(),
        keyring: relm.keys.backend().into(),
        keyring_persistent: relm.keys.persistent(),
    };
    Ok((relm, outcome))
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    pub workspace_id: String,
    pub name: String,
    pub members: usize,
    pub releases: u64,
    pub releases_by_status: BTreeMap<String, u64>,
    pub events: u64,
    pub data_dir: String,
    /// The register's active high risks, acceptances expiring soon and overdue reviews.
    pub risks: projection::risks::RiskCounts,
}

impl Relm {
    pub fn summary(&self) -> Result<Summary> {
        let (id, name) = self.workspace()?;
        let conn = self.store.conn();
        let mut by_status = BTreeMap::new();
        let mut stmt = conn.prepare("SELECT status, count(*) FROM releases GROUP BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (s, n) = row?;
            by_status.insert(s, n as u64);
        }
        Ok(Summary {
            workspace_id: id.0,
            name,
            members: projection::members::list(conn)?
                .iter()
                .filter(|m| m.active)
                .count(),
            releases: projection::releases::count(conn)?,
            releases_by_status: by_status,
            events: events::count(conn)?,
            data_dir: self.data_dir.display().to_string(),
            risks: self.risk_counts()?,
        })
    }

    /// Recompute all projections from the ledger.
    pub fn rebuild(&mut self) -> Result<u64> {
        Ok(self.store.rebuild()?)
    }
}

/// Workspace settings, as in force.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkspaceSettings {
    pub max_clock_offset_minutes: u32,
}

pub use relm_domain::limits::MAX_CLOCK_OFFSET_MINUTES;

impl Relm {
    /// Set the workspace's bound on clock offsets (a signed admin event).
    pub fn configure_workspace(
        &mut self,
        max_clock_offset_minutes: u32,
    ) -> Result<WorkspaceSettings> {
        if !(1..=MAX_CLOCK_OFFSET_MINUTES).contains(&max_clock_offset_minutes) {
            return Err(relm_domain::DomainError::problem(
                "max_clock_offset",
                relm_domain::ProblemCode::OutOfRange,
                format!(
                    "give between 1 and {MAX_CLOCK_OFFSET_MINUTES} minutes (a week); {max_clock_offset_minutes} is out of range"
                ),
            )
            .with("min", 1)
            .with("max", MAX_CLOCK_OFFSET_MINUTES)
            .into());
        }
        self.emit(|_| {
            Ok(vec![EventBody::WorkspaceConfigured {
                max_clock_offset_minutes,
            }])
        })?;
        self.workspace_settings()
    }

    pub fn workspace_settings(&self) -> Result<WorkspaceSettings> {
        let ms = crate::session::max_clock_offset_ms(self.store.conn())?;
        Ok(WorkspaceSettings {
            max_clock_offset_minutes: u32::try_from(ms / 60_000).unwrap_or(u32::MAX),
        })
    }
}
