// What every page shares: the workspace summary, this replica's identity, the sync state, and a
// change counter that pages watch to reload when the backend says something changed.

import { backend } from "./backend";
import { i18n, osLocale, setLocale } from "./i18n.svelte";
import { asTheme, setTheme, theme } from "./theme.svelte";
import type { AppInfo, Identity, Summary, SyncStatus } from "./types";

export const session = $state({
  info: null as AppInfo | null,
  summary: null as Summary | null,
  identity: null as Identity | null,
  sync: null as SyncStatus | null,
  syncing: false,
  /** Bumped on every backend change notification; pages reload when it moves. */
  version: 0,
  /** The toast shown: its words are asked when drawn, so a change of language rewords it. */
  toast: null as {
    text: () => string;
    tone: "ok" | "error" | "warn";
    /** A button in the toast (an undo): its label, and what it does. */
    action?: ToastAction;
  } | null,
  /** Ask for a key backup (right after a workspace was created or joined). */
  askBackup: false,
});

export async function loadSession(): Promise<void> {
  session.info = await backend.appInfo();
  // Without a GPU, the page draws crisp shadows rather than blurred ones (app.css).
  document.documentElement.dataset.drawing = session.info.drawn_on_cpu ? "cpu" : "gpu";
  const p = session.info.preferences;
  setLocale(p.locale === "fr" || p.locale === "en" ? p.locale : osLocale());
  setTheme(asTheme(p.theme));
  if (!session.info.has_workspace) return;
  await refreshSession();
}

export async function refreshSession(): Promise<void> {
  const [summary, identity, sync] = await Promise.allSettled([
    backend.summary(),
    backend.identity(),
    backend.syncStatus(),
  ]);
  if (summary.status === "fulfilled") session.summary = summary.value;
  session.identity = identity.status === "fulfilled" ? identity.value : null;
  if (sync.status === "fulfilled") session.sync = sync.value;
}

export function changed(): void {
  session.version += 1;
  void refreshSession();
}

/** Save the language and theme with the backend (which also relabels the native menu). */
export async function savePreferences(): Promise<void> {
  const preferences = { locale: i18n.locale, theme: theme.choice };
  if (session.info) session.info.preferences = preferences;
  await backend.setPreferences(preferences);
}

export interface ToastAction {
  label: () => string;
  run: () => void | Promise<void>;
  /** Told when the toast goes without its button pressed (timed out, replaced, closed). */
  gone: () => void;
}

/** How long a toast stays; one with a button, twice as long (and while the pointer or the
 *  focus is on it). */
export const TOAST_MS = 5000;
export const ACTION_TOAST_MS = 10_000;

let toastTimer: ReturnType<typeof setTimeout> | undefined;
/** Show a toast. Give words from the catalogue as a function (`() => t(…)`), so that they
 *  follow the language if the reader switches it while the toast is up. */
export function toast(
  text: string | (() => string),
  tone: "ok" | "error" | "warn" = "ok",
  action?: ToastAction,
): void {
  const before = session.toast?.action;
  session.toast = { text: typeof text === "function" ? text : () => text, tone, action };
  holdToast(false);
  before?.gone();
}

/** Keep the toast up (`true`: the pointer or the focus is on it), or start its time again. */
export function holdToast(held: boolean): void {
  clearTimeout(toastTimer);
  if (!held && session.toast)
    toastTimer = setTimeout(dismissToast, session.toast.action ? ACTION_TOAST_MS : TOAST_MS);
}

/** Take the toast down; its button, if any, is no longer offered. */
export function dismissToast(): void {
  clearTimeout(toastTimer);
  const action = session.toast?.action;
  session.toast = null;
  action?.gone();
}

/** Press the toast's button: the toast goes, and its action runs. */
export function runToastAction(): void {
  const action = session.toast?.action;
  if (!action) return;
  clearTimeout(toastTimer);
  session.toast = null;
  void action.run();
}

export { errorText } from "./problems";
