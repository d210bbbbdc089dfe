//! Cross-crate and end-to-end scenarios of the `relm` binary, one module per subject, built
//! as one test binary: one link instead of one per file, and one executable on disk.

mod adversary;
mod authority;
mod authority_properties;
mod bad_input;
mod calendar;
mod cli_contract;
mod connect_fetch;
mod connectors;
mod convergence;
mod crash_safety;
mod deployments;
mod forks;
mod freeze_notice;
mod gates;
mod git_remote;
mod hostile_text;
mod ics;
mod ics_corpus;
mod ledger_properties;
mod metrics;
mod mirror;
mod packs;
mod private_files;
mod release_list;
mod reports;
mod reschedule;
mod reviews;
mod risk_csv;
mod risks;
mod secrets;
mod store_locks;
mod sync;
mod sync_crash;
mod tampering;
mod upgrade;
