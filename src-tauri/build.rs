//! Tauri build script: embeds the app config and generates the permissions of the app's own
//! commands, so the capability file can grant exactly those.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}

/// Every command the shell exposes (mirrors `src/commands.rs`).
const COMMANDS: &[&str] = &[
    "app_info",
    "summary",
    "create_workspace",
    "open_demo",
    "join_workspace",
    "list_releases",
    "release_detail",
    "create_release",
    "update_release",
    "set_release_status",
    "audit_log",
    "verify",
    "identity",
    "export_identity",
    "members",
    "remotes",
    "add_remote",
    "remove_remote",
    "sync_now",
    "sync_status",
    "workspace_settings",
    "configure_workspace",
    "rotate_member",
    "set_preferences",
    "check",
    "decide",
    "pending_decisions",
    "policy_history",
    "policy",
    "simulate_policy",
    "record_deployment",
    "record_rehearsal",
    "justify_freeze",
    "declare_emergency",
    "add_member",
    "set_member_roles",
    "remove_member",
    "policy_draft_diff",
    "apply_policy",
    "audit",
    "export_audit_csv",
    "policy_environments",
    "calendar_listing",
    "calendar_conflicts",
    "preview_reschedule",
    "reschedule_release",
    "risks",
    "risk_detail",
    "add_risk",
    "update_risk",
    "mitigate_risk",
    "mitigation_done",
    "accept_risk",
    "close_risk",
];
