// Undoing the removal of a setting that nothing governs (a remote, a connection, a webhook, a
// calendar subscription): the app removes at once and offers an undo in a toast, rather than
// asking first. The backend keeps the last removal (with its secret, which never comes here)
// until the toast goes.

import { backend } from "./backend";
import type { Removed, Undoable } from "./bindings";
import { t } from "./i18n.svelte";
import type { MessageKey } from "./messages";
import { errorText, toast } from "./session.svelte";

/** What the toast says of each kind of setting: removed, then back (tsc checks every kind). */
export const UNDO_WORDS: Record<Removed, { removed: MessageKey; back: MessageKey }> = {
  remote: { removed: "undo.removed.remote", back: "undo.back.remote" },
  connector: { removed: "undo.removed.connector", back: "undo.back.connector" },
  webhook: { removed: "undo.removed.webhook", back: "undo.back.webhook" },
  feed: { removed: "undo.removed.feed", back: "undo.back.feed" },
};

/** Say that `u` was removed, with an Undo button; `reload` runs once it is put back. */
export function offerUndo(u: Undoable, reload: () => void): void {
  const params = { name: u.name };
  const words = UNDO_WORDS[u.what];
  toast(() => t(words.removed, params), "ok", {
    label: () => t("undo.action"),
    run: async () => {
      try {
        await backend.undoRemoval(u.id);
        toast(() => t(words.back, params));
        reload();
      } catch (e) {
        toast(() => errorText(e), "error");
      }
    },
    gone: () => void backend.forgetRemoval(u.id).catch(() => undefined),
  });
}
