//! Audit use-cases: verify the whole ledger, show its history.

use relm_store::events::{self, LogEntry};
use relm_store::verify::{self, Report};

use crate::error::Result;
use crate::session::Relm;

impl Relm {
    /// Check every signature, every author chain, membership and roles at each point, and that
    /// the projections equal a rebuild. A failed check is a `Report` with `ok: false`, not an
    /// error: errors are reserved for not being able to run the check at all.
    pub fn verify(&self) -> Result<Report> {
        self.workspace_id()?;
        Ok(verify::verify(&self.store)?)
    }

    pub fn audit_log(&self, entity: Option<&str>, limit: u32) -> Result<Vec<LogEntry>> {
        self.workspace_id()?;
        Ok(events::log(self.store.conn(), entity, limit)?)
    }
}
