//! The Tauri shell: window, menu, plugins, and the commands the UI calls. Commands are thin
//! adapters over `relm-api`; errors cross to the UI as `{code, message, field?}`.

pub mod bindings;
mod commands;
mod menu;
mod notify;
pub mod render;
mod state;
mod sync_worker;
mod watch;
mod window;

pub use state::one_heap;

use tauri::Manager;

/// Commands that may run at once (the runtime's workers).
const COMMAND_THREADS: usize = 8;

/// Build and run the app until its last window closes.
#[allow(clippy::print_stderr)] // nothing else can report that the app failed to start
pub fn run() {
    let _log = relm_api::logging::init("relm-app");
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Relm app starting");
    if render::rasterizing_on_cpu() {
        tracing::info!("no GPU render node: the web view rasterizes on the CPU");
    }
    let state = state::AppState::from_env();
    // The commands run on the async runtime's workers and block them while they read: with one
    // worker per core (Tauri's default), a quick call queued behind two long ones. More workers
    // than cores: each page's calls run side by side (reads on replicas of their own, WAL).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(COMMAND_THREADS)
        .thread_name("relm-command")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Relm could not start its command threads: {e}");
            std::process::exit(1);
        }
    };
    tauri::async_runtime::set(runtime.handle().clone());
    let result = tauri::Builder::default()
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                // One instance per workspace, not per user: a second launch on the same data
                // dir focuses its window, while another workspace opens its own. (With one
                // name for the whole app, a launch on another workspace exited at once while
                // an earlier window was still closing.)
                .dbus_id(state::instance_id(&state.data_dir))
                .callback(|app, _args, _cwd| {
                    if let Some(w) = app.get_webview_window("main") {
                        let _ = w.unminimize();
                        let _ = w.set_focus();
                    }
                })
                .build(),
        )
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window::REMEMBERED)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .menu(menu::build)
        .on_menu_event(menu::on_event)
        .setup(|app| {
            watch::start(app.handle().clone());
            let schedule = app.state::<state::AppState>().sync_schedule;
            app.manage(sync_worker::SyncWorker::start(
                app.handle().clone(),
                schedule,
            ));
            window::remember(app.handle());
            // Memory the last calls left goes back once the window has been quiet a while.
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("relm-idle".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        handle
                            .state::<state::AppState>()
                            .release_if_idle(state::QUIET);
                    }
                })?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::summary,
            commands::create_workspace,
            commands::open_demo,
            commands::join_workspace,
            commands::list_releases,
            commands::upcoming_releases,
            commands::release_detail,
            commands::create_release,
            commands::update_release,
            commands::set_release_status,
            commands::audit_log,
            commands::verify,
            commands::repair_tables,
            commands::identity,
            commands::export_identity,
            commands::import_identity,
            commands::members,
            commands::remotes,
            commands::add_remote,
            commands::remove_remote,
            commands::undo_removal,
            commands::forget_removal,
            commands::test_remote,
            commands::connectors,
            commands::add_connector,
            commands::remove_connector,
            commands::map_connector,
            commands::test_connector,
            commands::sync_connectors,
            commands::outbox,
            commands::retry_outbox,
            commands::sync_now,
            commands::sync_status,
            commands::purge_waiting,
            commands::workspace_settings,
            commands::configure_workspace,
            commands::rotate_member,
            commands::set_preferences,
            commands::check,
            commands::decide,
            commands::pending_decisions,
            commands::policy_history,
            commands::policy,
            commands::simulate_policy,
            commands::calendar_listing,
            commands::calendar_releases,
            commands::calendar_conflicts,
            commands::calendar_entry,
            commands::add_calendar_entry,
            commands::update_calendar_entry,
            commands::remove_calendar_entry,
            commands::import_calendar,
            commands::export_calendar,
            commands::preview_reschedule,
            commands::reschedule_release,
            commands::record_deployment,
            commands::deployments,
            commands::rollback,
            commands::attach_sbom,
            commands::sbom_contents,
            commands::sbom_diff,
            commands::sbom_where,
            commands::digest_preview,
            commands::write_digest,
            commands::webhooks,
            commands::add_webhook,
            commands::remove_webhook,
            commands::send_digest,
            commands::feeds,
            commands::add_feed,
            commands::remove_feed,
            commands::refresh_feeds,
            commands::draft_notes,
            commands::saved_notes,
            commands::save_notes,
            commands::notes_preview,
            commands::write_notes,
            commands::publish_notes,
            commands::plan_rollback,
            commands::rehearse_rollback,
            commands::record_rollback,
            commands::review,
            commands::draft_review,
            commands::update_review,
            commands::sign_review,
            commands::reviews,
            commands::review_counts,
            commands::actions,
            commands::add_action,
            commands::action_done,
            commands::metrics,
            commands::record_rehearsal,
            commands::risks,
            commands::risk_detail,
            commands::add_risk,
            commands::update_risk,
            commands::mitigate_risk,
            commands::mitigation_done,
            commands::accept_risk,
            commands::close_risk,
            commands::release_risk,
            commands::answer_risk,
            commands::justify_freeze,
            commands::declare_emergency,
            commands::add_member,
            commands::set_member_roles,
            commands::set_member_team,
            commands::set_release_risk,
            commands::import_risks_csv,
            commands::export_risks_csv,
            commands::report_release,
            commands::pack_release,
            commands::report_period,
            commands::pack_period,
            commands::verify_pack,
            commands::pack_file,
            commands::open_pack_report,
            commands::open_written,
            commands::risk_heatmap,
            commands::remove_member,
            commands::policy_draft_diff,
            commands::apply_policy,
            commands::audit,
            commands::export_audit_csv,
            commands::policy_environments,
        ])
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|app, event| {
                if let tauri::RunEvent::Exit = event
                    && let Some(worker) = app.try_state::<sync_worker::SyncWorker>()
                {
                    worker.shutdown();
                }
            })
        });
    if let Err(e) = result {
        tracing::error!("the app stopped: {e}");
        eprintln!("Relm could not start: {e}");
    }
}
