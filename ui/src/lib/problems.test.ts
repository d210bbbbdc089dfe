import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { setLocale, t } from "./i18n.svelte";
import { en, fr, type MessageKey } from "./messages";
import {
  errorText,
  findingText,
  formErrors,
  keptErrorText,
  leftOutText,
  packProblemText,
  problemText,
  reasonText,
  sbomNoteText,
  verifyProblemText,
} from "./problems";
import type { FieldProblem, Reason, ReasonCode } from "./types";

const p = (
  field: string,
  code: FieldProblem["code"],
  params = {},
  message = "english",
): FieldProblem => ({
  field,
  code,
  params,
  message,
});

const submit = new BackendError({
  code: "validation",
  message: "tz: unknown time zone…\nend: no end time…",
  field: "tz",
  problems: [
    p("tz", "unknown_zone", { value: "Mars/Olympus" }),
    p("end", "required"),
    p("components.1.digest", "bad_digest", { value: "md5:x" }),
    p("title", "too_long", { length: "1201", max: "1000" }),
    p("title", "bad_char", { char: "U+001B", position: "3" }),
    p("owner", "other", {}, "the backend's own words"),
  ],
});

describe("problems", () => {
  it("words every problem beside its field, in English and in French", () => {
    setLocale("en");
    const en = formErrors(submit, (f) => f !== "owner");
    expect(en.fields).toEqual({
      tz: "“Mars/Olympus” is not a time zone: use a name such as Europe/Paris or America/New_York.",
      end: "Give the end of the window too.",
      "components.1.digest": "Use sha256: followed by 64 hexadecimal digits.",
      // The first problem of a field is the one shown.
      title: "1,201 characters: the limit is 1,000. Put a longer document in an evidence link.",
    });
    expect(en.general).toBe("the backend's own words");
    setLocale("fr");
    const fr = formErrors(submit, (f) => f !== "owner");
    expect(fr.fields.tz).toBe(
      "«\u00a0Mars/Olympus\u00a0» n’est pas un fuseau horaire\u00a0: utilisez un nom comme Europe/Paris ou America/New_York.",
    );
    expect(fr.fields.end).toBe("Indiquez aussi la fin de la fenêtre.");
    expect(fr.fields.title).toMatch(/^1\u202f201 caractères\u00a0: la limite est de 1\u202f000\./);
  });

  it("puts problems of fields the form lacks, and other errors, above the form", () => {
    setLocale("en");
    expect(formErrors(submit, () => false).general?.split("\n")).toHaveLength(6);
    const conflict = new BackendError({
      code: "conflict",
      message: "release r1 is `approved`",
      problems: [],
    });
    expect(formErrors(conflict, () => true)).toEqual({
      fields: {},
      general: "release r1 is `approved`",
    });
    setLocale("fr");
    expect(errorText(conflict)).toBe("Impossible pour le moment\u00a0: release r1 is `approved`");
    expect(errorText(new Error("boom"))).toBe("Error: boom");
  });

  it("has a wording for every code but `other`", () => {
    setLocale("fr");
    for (const code of [
      "required",
      "bad_name",
      "unknown_choice",
      "out_of_range",
      "bad_key",
    ] as const) {
      expect(
        problemText(p("x", code, { value: "v", max: "3", min: "1", allowed: "a, b" })),
      ).not.toMatch(/problem\.|\{/);
    }
  });
});

describe("refusals", () => {
  const refused = (code: Reason["code"], params: Record<string, string>, http = "conflict") =>
    new BackendError({
      code: http as "conflict",
      message: "the backend's English, naming `relm release list`",
      problems: [],
      reason: { code, params, message: "the backend's English, naming `relm release list`" },
    });

  it("say why in the UI's language, with labels instead of raw values and no CLI command", () => {
    setLocale("fr");
    const moved = refused("illegal_transition", {
      from: "draft",
      to: "deployed",
      allowed: "planned,cancelled",
    });
    expect(errorText(moved)).toBe(
      "Une mise en production ne peut pas passer de «\u00a0Brouillon\u00a0» à «\u00a0Déployée\u00a0»\u202f; étapes possibles\u00a0: Planifiée ou Annulée.",
    );
    expect(
      errorText(refused("illegal_transition", { from: "cancelled", to: "planned", allowed: "" })),
    ).toBe(
      "«\u00a0Annulée\u00a0» est un statut final\u00a0: la mise en production ne peut plus en changer.",
    );
    const role = refused(
      "role_required",
      { name: "Bob", need: "approver,admin", have: "auditor", kind: "approval.recorded" },
      "unauthorized",
    );
    expect(errorText(role)).toBe(
      "Bob doit avoir le rôle Approbateur ou Administrateur pour cela\u202f; rôles actuels\u00a0: Auditeur.",
    );
    expect(errorText(refused("no_remote", {}, "not_found"))).toContain("Paramètres");
    setLocale("en");
    expect(errorText(refused("no_release", { service: "billing", version: "2.0.0" }))).toBe(
      "No release of billing 2.0.0.",
    );
    expect(errorText(refused("not_editable", { release: "r1", status: "deployed" }))).toBe(
      "This release is Deployed: its content is history and can no longer be edited.",
    );
    const decided = refused("already_decided", { environment: "prod", at: "2026-12-01T09:00:00Z" });
    expect(reasonText(decided.reason!)).toMatch(/prod.*2026.*(UTC|GMT)/);
    for (const text of [errorText(moved), errorText(role)]) expect(text).not.toMatch(/relm |`/);
  });

  it("say which kind of setting took the name a removal would put back, in either language", () => {
    const taken = (what: string) => refused("name_taken_again", { what, name: "gl" });
    setLocale("fr");
    expect(errorText(taken("connector"))).toBe(
      "Une connexion nommée gl a été ajoutée depuis\u202f; retirez-la d’abord pour rétablir l’ancienne.",
    );
    expect(errorText(taken("remote"))).toMatch(/^Un dépôt distant nommé gl/);
    expect(errorText(taken("feed"))).toMatch(/^Un abonnement au calendrier nommé gl/);
    // A kind this version does not know: the general wording.
    expect(errorText(taken("dashboard"))).toMatch(/^Un élément nommé gl/);
    setLocale("en");
    expect(errorText(taken("webhook"))).toBe(
      "A webhook named gl was added since; remove it first to put the old one back.",
    );
    expect(errorText(refused("nothing_to_undo", {}, "not_found"))).toBe(
      "That removal can no longer be undone; add it again.",
    );
  });

  it("say that the store is damaged, with what broke and what to do, in either language", () => {
    const detail = "release environments: invalid type: map";
    const damaged = refused("store_damaged", { detail }, "internal");
    setLocale("fr");
    const fr = errorText(damaged);
    expect(fr).toContain(
      `endommagée\u00a0: une table contient ce qu’aucun événement n’a écrit (détail technique\u00a0: ${detail})`,
    );
    expect(fr).toContain("«\u00a0Vérifier le registre\u00a0» depuis la page Audit");
    setLocale("en");
    const en = errorText(damaged);
    expect(en).toContain(`(technical detail: ${detail})`);
    expect(en).toContain("“Verify the ledger” on the Audit page");
    for (const text of [fr, en]) expect(text).not.toMatch(/relm |`/);
  });
});

describe("plurals", () => {
  it("follow each language's rules", () => {
    setLocale("en");
    expect(t("form.problemCount", { count: 1 })).toBe("1 field to correct");
    expect(t("form.problemCount", { count: 0 })).toBe("0 fields to correct");
    expect(t("form.problemCount", { count: 1200 })).toBe("1,200 fields to correct");
    setLocale("fr");
    // French: 0 and 1 are singular.
    expect(t("form.problemCount", { count: 0 })).toBe("0 champ à corriger");
    expect(t("form.problemCount", { count: 1 })).toBe("1 champ à corriger");
    expect(t("form.problemCount", { count: 2 })).toBe("2 champs à corriger");
  });
});

describe("what verifying the ledger found", () => {
  const problem = (code: string, event = "0192ab", message = "the backend's English") => ({
    event,
    author: "ed25519:ab",
    seq: 3,
    code,
    message,
  });

  it("is worded in the UI's language for every code, with the backend's English as detail", () => {
    for (const code of Object.keys(en).filter((k) => k.startsWith("audit.problem."))) {
      const c = code.slice("audit.problem.".length);
      for (const lang of ["en", "fr"] as const) {
        setLocale(lang);
        const text = verifyProblemText(problem(c));
        expect(text, `${c} in ${lang}`).not.toMatch(/audit\.|\{/);
        expect(text).toContain("(");
        expect(text).toContain("the backend's English");
      }
    }
    setLocale("fr");
    expect(verifyProblemText(problem("gap"))).toBe(
      "Événement 0192ab\u00a0: des événements de son auteur manquent avant lui (détail technique\u00a0: the backend's English).",
    );
    setLocale("en");
  });

  it("names a table that differs from the rebuild without the command line's commands", () => {
    const table = problem(
      "projection_mismatch",
      "releases",
      "table `releases` differs from a rebuild from the events; run `relm rebuild` after investigating",
    );
    setLocale("fr");
    const fr = verifyProblemText(table);
    expect(fr).toMatch(/^La table releases diffère d’une reconstruction/);
    setLocale("en");
    const en = verifyProblemText(table);
    expect(en).toMatch(/^The table releases differs from a rebuild/);
    for (const text of [fr, en]) expect(text).not.toMatch(/relm |`/);
  });

  it("shows a code it does not know as the backend says it", () => {
    setLocale("en");
    expect(verifyProblemText(problem("constructor", "e1", "something new"))).toBe(
      "Verification failed at event e1: something new",
    );
  });
});

/** The codes the Rust sources give to `Violation::new("…")`, `refused("…")` and `code: "…"`. */
function codesIn(sources: Record<string, string>): Set<string> {
  const found = new Set<string>();
  for (const text of Object.values(sources)) {
    // `problem(subject, "code", …)` and `bad("code", …)` are the pack checker's.
    const calls =
      /(?:Violation::new\(|\brefused\(|\bcode: |\bbad\(|\bproblem\(\s*[^,()"]+,)\s*"([a-z_]+)"/g;
    for (const m of text.matchAll(calls)) {
      found.add(m[1]!);
    }
  }
  return found;
}

// What applying an event can refuse (the projections and the judge of authority): these codes
// reach the lists of events without effect.
const withoutEffect = codesIn(
  import.meta.glob(
    [
      "../../../src-tauri/crates/relm-store/src/projection/*.rs",
      "../../../src-tauri/crates/relm-store/src/causal.rs",
      "../../../src-tauri/crates/relm-domain/src/causal.rs",
      "../../../src-tauri/crates/relm-domain/src/membership.rs",
    ],
    { query: "?raw", import: "default", eager: true },
  ),
);
// What admitting an event can refuse (its signature, chain, format, sizes): these codes reach
// the lists of events a sync held back.
const heldBack = codesIn(
  import.meta.glob(
    [
      "../../../src-tauri/crates/relm-domain/src/ledger.rs",
      "../../../src-tauri/crates/relm-domain/src/limits.rs",
      "../../../src-tauri/crates/relm-store/src/ingest.rs",
    ],
    { query: "?raw", import: "default", eager: true },
  ),
);

// What checking a pack can find: its own problems, and those of verifying its events.
const inPacks = codesIn(
  import.meta.glob(
    [
      "../../../src-tauri/crates/relm-api/src/pack.rs",
      "../../../src-tauri/crates/relm-store/src/verify.rs",
      "../../../src-tauri/crates/relm-domain/src/ledger.rs",
      "../../../src-tauri/crates/relm-domain/src/limits.rs",
    ],
    { query: "?raw", import: "default", eager: true },
  ),
);

describe("events without effect and events held back", () => {
  it("finds the backend's codes in its sources", () => {
    // The scan itself: a few codes known to be there, so an emptied glob cannot pass.
    for (const c of ["stale_status", "not_editable", "not_allowed", "concurrent_removals"]) {
      expect(withoutEffect, c).toContain(c);
    }
    for (const c of ["gap", "bad_signature", "missing_dep", "bad_text"]) {
      expect(heldBack, c).toContain(c);
    }
    expect(withoutEffect.size).toBeGreaterThan(20);
  });

  it("words every reason an event can be without effect, in English and in French", () => {
    for (const code of withoutEffect) {
      for (const lang of ["en", "fr"] as const) {
        setLocale(lang);
        const said = findingText("notApplied", code, "the backend's English");
        expect(said.text, `${code} in ${lang}`).not.toBe("the backend's English");
        expect(said.text, `${code} in ${lang}`).toMatch(/^\p{Lu}.*\.$/u);
        expect(said.detail).toContain("the backend's English");
      }
    }
    setLocale("fr");
    expect(findingText("notApplied", "not_editable", "the release was `cancelled`…")).toEqual({
      text: "La mise en production n’était plus en brouillon, planifiée ou approuvée\u00a0: elle ne pouvait plus être modifiée.",
      detail: "Détail technique\u00a0: the release was `cancelled`…",
    });
    setLocale("en");
  });

  it("words every reason a sync holds an event back, in English and in French", () => {
    for (const code of heldBack) {
      for (const lang of ["en", "fr"] as const) {
        setLocale(lang);
        const said = findingText("audit.problem", code, "the backend's English");
        expect(said.text, `${code} in ${lang}`).not.toBe("the backend's English");
        expect(said.detail).toContain("the backend's English");
      }
    }
    setLocale("en");
  });

  it("words every problem a pack can have, in English and in French, as sentences", () => {
    for (const c of ["bad_subject", "changed", "manifest_signature", "broken_chain"]) {
      expect(inPacks, c).toContain(c);
    }
    // The ledger's own tables are not in a pack: its events are replayed into an empty store.
    const notInPacks = ["projection_mismatch", "bad_evidence"];
    for (const code of [...inPacks].filter((c) => !notInPacks.includes(c))) {
      for (const lang of ["en", "fr"] as const) {
        setLocale(lang);
        const said = packProblemText(code, "the backend's English");
        expect(said.text, `${code} in ${lang}`).toMatch(/^\p{Lu}.*\.$/u);
        expect(said.detail).toContain("the backend's English");
      }
    }
    setLocale("fr");
    expect(packProblemText("broken_chain", "`prev` does not match").text).toBe(
      "Il ne suit pas l’événement précédent de son auteur (la chaîne d’empreintes est rompue).",
    );
    setLocale("en");
  });

  it("shows a code this version does not word as the backend says it, once", () => {
    for (const prefix of ["notApplied", "audit.problem", "packProblem"] as const) {
      expect(findingText(prefix, "from_a_later_version", "Said by the backend.")).toEqual({
        text: "Said by the backend.",
      });
    }
  });
});

describe("what was odd in an SBOM", () => {
  const note = {
    code: "bad_purl" as const,
    package: "left-pad",
    other: "npm/left-pad@1",
    message:
      "package `left-pad`: purl `npm/left-pad@1` is malformed (missing scheme); kept without it",
  };
  it("words each note with its names, the backend's English as detail", () => {
    setLocale("en");
    expect(sbomNoteText(note)).toEqual({
      text: "left-pad: its purl “npm/left-pad@1” is malformed; the package is kept without it.",
      detail: `Technical detail: ${note.message}`,
    });
    expect(
      sbomNoteText({ code: "more", count: 3, message: "and 3 more notes like these" }).text,
    ).toBe("And 3 more notes like these.");
    setLocale("fr");
    expect(sbomNoteText(note).text).toBe(
      "left-pad\u00a0: son purl «\u00a0npm/left-pad@1\u00a0» est mal formé\u202f; le paquet est gardé sans lui.",
    );
    expect(
      sbomNoteText({ code: "more", count: 1, message: "and 1 more notes like these" }).text,
    ).toBe("Et 1 autre remarque de ce genre.");
    expect(sbomNoteText(note).detail).toBe(`Détail technique\u00a0: ${note.message}`);
    setLocale("en");
  });
});

describe("what a connection's sync left out, and why the platform refused", () => {
  const canceled = {
    item: "deployment 901 (v1.4.0 to production)",
    reason: "canceled on the platform: nothing ran to record",
    what: "deployment" as const,
    why: "canceled" as const,
    params: { id: "901", ref: "v1.4.0", environment: "production" },
  };
  it("words each item and each reason, in English and in French", () => {
    setLocale("en");
    expect(leftOutText(canceled)).toBe(
      "Deployment 901 (v1.4.0 to production): canceled on the platform: nothing ran to record",
    );
    const nameless = {
      ...canceled,
      why: "missing_field" as const,
      params: { field: "id" },
    };
    expect(leftOutText(nameless)).toBe("A deployment without an id: its “id” field is missing");
    const later = {
      ...canceled,
      why: "ends_later" as const,
      params: { ...canceled.params, at: "2027-03-01T09:00:00Z" },
    };
    expect(leftOutText(later)).toMatch(
      /: the platform says it ended at .*2027.*: check the platform’s clock$/,
    );
    setLocale("fr");
    expect(leftOutText(canceled)).toBe(
      "Déploiement 901 (v1.4.0 vers production)\u00a0: annulé sur la plateforme\u00a0: rien n’a été exécuté",
    );
    const windows = {
      item: "the sync windows of project shop",
      reason: "…",
      what: "sync_windows" as const,
      why: "unread" as const,
      params: { project: "shop", detail: "answered 503" },
    };
    expect(leftOutText(windows)).toBe(
      "Les fenêtres de synchronisation du projet shop\u00a0: lecture impossible (answered 503)\u202f; Relm n’y écrit rien tant que la lecture échoue",
    );
    setLocale("en");
  });

  it("words a platform's refusal kept by a sync, and shows an earlier version's text as it is", () => {
    const refused = {
      code: "remote" as const,
      message:
        "the token was refused at https://gitlab.example.com/api/v4/projects/7 (401): … relm connector add …",
      problems: [],
      reason: {
        code: "token_refused" as const,
        params: { url: "https://gitlab.example.com/api/v4/projects/7", http: "401" },
        message: "…",
      },
    };
    setLocale("fr");
    const fr = keptErrorText(refused);
    expect(fr).toMatch(
      /^https:\/\/gitlab\.example\.com\/api\/v4\/projects\/7 a refusé le jeton de la connexion \(401\)/,
    );
    expect(fr).toContain("Supprimez la connexion et ajoutez-la de nouveau");
    expect(fr).not.toContain("relm connector");
    setLocale("en");
    expect(keptErrorText(refused)).toContain(
      "Remove the connection and add it again with a new token.",
    );
    expect(keptErrorText("gitlab.example.com: answered 502")).toBe(
      "gitlab.example.com: answered 502",
    );
    const github = {
      ...refused,
      reason: { code: "no_longer_awaited" as const, params: { platform: "github" }, message: "" },
    };
    expect(keptErrorText(github)).toBe(
      "The run no longer waits for a review on GitHub: nothing was written.",
    );
    expect(
      keptErrorText({ ...github, reason: { ...github.reason, params: { platform: "gitlab" } } }),
    ).toBe("The deployment no longer waits for an approval on GitLab: nothing was written.");
  });
});

describe("why a chat's webhook did not take a message", () => {
  const refused = (http: string, said = "") => ({
    code: "remote" as const,
    message: `outbox entry 1a2b: hooks.slack.com refused the message (HTTP ${http}) … relm outbox retry 1a2b`,
    problems: [],
    reason: {
      code: "webhook_refused" as const,
      params: { host: "hooks.slack.com", http, said },
      message: "…",
    },
  });
  it("says what the answer means and what to do, with what the platform said", () => {
    setLocale("en");
    expect(keptErrorText(refused("404", "no_service"))).toBe(
      "hooks.slack.com refused the message (HTTP 404: “no_service”): the webhook no longer exists. Remove it and add it again with a new URL.",
    );
    expect(keptErrorText(refused("403"))).toMatch(/\(HTTP 403\): the webhook was revoked/);
    expect(keptErrorText(refused("400", "invalid_payload"))).toBe(
      "hooks.slack.com refused the message (HTTP 400: “invalid_payload”).",
    );
    setLocale("fr");
    expect(keptErrorText(refused("410"))).toBe(
      "hooks.slack.com a refusé le message (HTTP 410)\u00a0: le webhook n’existe plus. Supprimez-le et ajoutez-le de nouveau avec une nouvelle URL.",
    );
    expect(keptErrorText(refused("400", "invalid_payload"))).toBe(
      "hooks.slack.com a refusé le message (HTTP 400\u00a0: «\u00a0invalid_payload\u00a0»).",
    );
    const failed = {
      ...refused("500"),
      reason: { ...refused("500").reason, code: "webhook_failed" as const },
    };
    expect(keptErrorText(failed)).toBe("hooks.slack.com a échoué (HTTP 500).");
    expect(keptErrorText(failed)).not.toContain("relm");
    setLocale("en");
  });
});

describe("why a sync with a remote failed", () => {
  const failed = (
    code: "offline" | "remote",
    reason: ReasonCode,
    params: Record<string, string>,
  ) => ({
    code,
    message: "the English the command line prints (relm remote add NAME URL --token-stdin)",
    problems: [],
    reason: { code: reason, params, message: "…" },
  });
  const usb = "/media/marie/USB";
  it("says what is wrong with the folder and what to do, in English and in French", () => {
    setLocale("en");
    const offline = failed("offline", "remote_offline", {
      path: usb,
      detail: "No such file or directory (os error 2)",
    });
    expect(keptErrorText(offline)).toBe(
      `The remote folder ${usb} cannot be reached (No such file or directory (os error 2)): is the drive mounted, or was the folder moved? Relm works offline and syncs when it can.`,
    );
    const readOnly = failed("remote", "remote_refused", {
      doing: "write",
      path: `${usb}/replicas/1a2b/00000002.relmseg`,
      detail: "Read-only file system (os error 30)",
      cause: "read_only",
    });
    expect(keptErrorText(readOnly)).toMatch(
      /^Relm could not write \/media\/marie\/USB\/replicas\/1a2b\/00000002\.relmseg: the folder is read-only for this user\./,
    );
    setLocale("fr");
    expect(keptErrorText(offline)).toBe(
      `Le dossier distant ${usb} est injoignable (No such file or directory (os error 2))\u00a0: le disque est-il monté, le dossier a-t-il été déplacé\u202f? Relm travaille hors ligne et synchronise dès qu’il le peut.`,
    );
    expect(keptErrorText(readOnly)).toMatch(
      /^Relm n’a pas pu écrire \/media\/marie\/USB\/replicas\/1a2b\/00000002\.relmseg\u00a0: le dossier est en lecture seule/,
    );
    const full = failed("remote", "remote_refused", { ...readOnly.reason.params, cause: "full" });
    expect(keptErrorText(full)).toMatch(/\u00a0: le disque est plein\. Libérez de la place/);
    const plain = failed("remote", "remote_refused", {
      doing: "create_folder",
      path: `${usb}/replicas`,
      detail: "Input/output error (os error 5)",
    });
    expect(keptErrorText(plain)).toBe(
      `Relm n’a pas pu créer le dossier ${usb}/replicas (Input/output error (os error 5)).`,
    );
    const link = failed("remote", "remote_link", { path: `${usb}/replicas` });
    expect(keptErrorText(link)).toBe(
      `${usb}/replicas est un lien symbolique, et Relm ne suit jamais de lien dans un dépôt distant\u00a0: supprimez le lien.`,
    );
    setLocale("en");
  });

  it("says why a folder could not be joined from, counted in the reader's words", () => {
    const unreadable = failed("remote", "workspace_unreadable", {
      location: usb,
      incomplete: "1",
      ignored: "0",
      quarantined: "2",
    });
    setLocale("en");
    expect(keptErrorText(unreadable)).toBe(
      `No workspace Relm can verify could be read from ${usb} (1 file still being copied, 0 left aside, 2 events set aside): wait until the folder is fully synced, then join again.`,
    );
    setLocale("fr");
    expect(keptErrorText(unreadable)).toBe(
      `Aucun espace de travail que Relm puisse vérifier n’a pu être lu dans ${usb} (1 fichier encore en cours de copie, 0 laissé de côté, 2 événements mis à l’écart)\u00a0: attendez que le dossier soit entièrement synchronisé, puis rejoignez de nouveau.`,
    );
    const none = failed("remote", "no_workspace_there", { location: usb });
    expect(keptErrorText(none)).not.toMatch(/relm (remote|sync)/);
    setLocale("en");
  });

  it("says why a file could not be written, and why a subscription's file is refused", () => {
    const file = "/home/marie/agenda/prod.ics";
    const denied = failed("remote", "cannot_write", {
      path: file,
      detail: "Permission denied (os error 13)",
      cause: "read_only",
    });
    setLocale("en");
    expect(keptErrorText(denied)).toBe(
      `${file} could not be written: the folder is read-only for this user. Choose a folder you can write to.`,
    );
    const problem = (reason: string): FieldProblem => ({
      field: "path",
      code: "bad_file",
      params: { value: file, reason },
      message: "the CLI's English",
    });
    expect(problemText(problem("taken"))).toBe(
      `${file} is the file of another subscription already: choose another file.`,
    );
    setLocale("fr");
    expect(keptErrorText(denied)).toBe(
      `${file} n’a pas pu être écrit\u00a0: le dossier est en lecture seule pour cet utilisateur. Choisissez un dossier où vous pouvez écrire.`,
    );
    expect(problemText(problem("not_ics"))).toBe(
      "Un abonnement au calendrier est un fichier .ics\u00a0: terminez le nom du fichier par .ics.",
    );
    // A reason this version does not word: the general wording, never the CLI's English.
    expect(problemText(problem("newer"))).toBe(`${file} ne peut pas être tenu à jour.`);
    setLocale("en");
  });

  it("says what is wrong with a typed rule, in the reader's language", () => {
    const rule = (reason: string | null, params: Record<string, string> = {}): FieldProblem => ({
      field: "rrule",
      code: "bad_rule",
      params: { ...(reason ? { reason } : {}), detail: "the reader's English", ...params },
      message: "the CLI's English",
    });
    const month = rule("range", { part: "BYMONTH", value: "13", min: "1", max: "12" });
    setLocale("en");
    expect(problemText(month)).toBe("BYMONTH takes whole numbers from 1 to 12; “13” is not one.");
    expect(problemText(rule("frequency", { value: "FORTNIGHTLY" }))).toBe(
      "“FORTNIGHTLY” is not a frequency: write FREQ= followed by HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY.",
    );
    setLocale("fr");
    expect(problemText(month)).toBe(
      "BYMONTH prend des nombres entiers de 1 à 12\u202f; «\u00a013\u00a0» n’en est pas un.",
    );
    expect(problemText(rule("by_frequency", { part: "BYWEEKNO", frequency: "MONTHLY" }))).toBe(
      "BYWEEKNO ne s’emploie pas avec FREQ=MONTHLY.",
    );
    // A mistake this version does not word: the general sentence, with the reader's words.
    expect(problemText(rule(null))).toBe(
      "Cette règle n’est pas utilisable. Le lecteur de règles répond (en anglais)\u00a0: the reader's English",
    );
    setLocale("en");
  });

  it("says what git was doing and what the host said, without the command line", () => {
    const url = "https://git.example.com/ops/relm.git";
    setLocale("en");
    const who = failed("remote", "git_who", {
      doing: "fetch",
      url,
      said: "terminal prompts disabled",
    });
    expect(keptErrorText(who)).toBe(
      `Relm could not fetch from ${url}: the host asks who is calling. Remove the remote and add it again with an access token, or set up a git credential helper or an SSH key.`,
    );
    expect(keptErrorText(who)).not.toContain("relm remote");
    const push = failed("remote", "git_failed", {
      doing: "push",
      url,
      said: "fatal: remote error: access denied or repository not exported",
    });
    expect(keptErrorText(push)).toBe(
      `Relm could not push to ${url}: “fatal: remote error: access denied or repository not exported”.`,
    );
    setLocale("fr");
    expect(keptErrorText(push)).toBe(
      `Relm n’a pas pu envoyer vers ${url}\u00a0: «\u00a0fatal: remote error: access denied or repository not exported\u00a0».`,
    );
    const rewritten = failed("remote", "history_rewritten", {
      url,
      commit: "4f2a9c81d0e3",
      branch: "main",
    });
    expect(keptErrorText(rewritten)).toMatch(
      /^L’historique de https:\/\/git\.example\.com\/ops\/relm\.git a été réécrit\u00a0: le commit 4f2a9c81d0e3, que cet ordinateur a reçu, n’est plus dans la branche main/,
    );
    const offline = failed("offline", "git_unreachable", { doing: "fetch", url, said: "" });
    expect(keptErrorText(offline)).toBe(
      `Relm n’a pas pu récupérer depuis ${url}. Relm travaille hors ligne et synchronise dès que l’hôte répond.`,
    );
    setLocale("en");
  });

  it("words every thing the sync's sources say git or a folder was doing, in both languages", () => {
    // `refused_file("read", …)`, `failure("push", …)`, `self.ok(&[…], "fetch")`.
    const sources = import.meta.glob("../../../src-tauri/crates/relm-sync/src/*.rs", {
      query: "?raw",
      import: "default",
      eager: true,
    });
    const found = new Set<string>();
    for (const text of Object.values(sources) as string[]) {
      for (const m of text.matchAll(/(?:refused_file\(\s*|failure\(|\],\s*)"([a-z_]+)"[,)]/g))
        found.add(m[1]!);
    }
    for (const d of ["read", "write", "create_folder", "fetch", "push", "set_up"])
      expect(found, d).toContain(d);
    const worded = Object.keys(en).filter((k) => k.startsWith("remote.doing."));
    expect([...found].map((d) => `remote.doing.${d}`).sort()).toEqual(worded.sort());
    for (const k of worded) expect(fr[k as MessageKey], k).not.toBe(en[k as MessageKey]);
  });
});

describe("why this computer signs nothing", () => {
  const refusal = (code: ReasonCode, params: Record<string, string>) => ({
    code: "clock" as const,
    message: "the command line's English (run `relm sync`)",
    problems: [],
    reason: { code, params, message: "…" },
  });
  const ahead = refusal("clock_off_remote", {
    clock: "2028-12-04T09:00:00Z",
    remote: "usb",
    location: "/media/usb",
    remote_clock: "2026-12-04T09:00:00Z",
    offset_ms: String(731 * 86_400_000),
    direction: "ahead",
    max: "10",
  });
  it("says how far the clock is off, from which remote, in the reader's words and zone", () => {
    setLocale("en");
    expect(keptErrorText(ahead)).toMatch(
      /^This computer’s clock reads .+2028.+, but the remote usb stamps files at .+2026.+: 731 days ahead, more than the workspace allows \(10 min\)\. Relm signs nothing until the clock is right: set it, then sync again\.$/,
    );
    setLocale("fr");
    expect(keptErrorText(ahead)).toMatch(/\u00a0: 731\sjours d’avance, plus que l’espace/);
    const behind = refusal("clock_behind", { who: "", offset_ms: "5400000" });
    expect(keptErrorText(behind)).toMatch(/est daté de 90\sminutes plus tard/);
    const other = refusal("clock_behind", { who: "1a2b-3c4d", offset_ms: "7200000" });
    expect(keptErrorText(other)).toMatch(
      /le membre 1a2b-3c4d a signé un événement daté de 2\sheures/,
    );
    expect(keptErrorText(other)).not.toMatch(/relm/);
    setLocale("en");
  });

  it("says where to restore a missing key, and words each backup problem", () => {
    setLocale("en");
    const missing = refusal("key_missing", { fingerprint: "1a2b-3c4d", keyring: "kernel" });
    expect(keptErrorText(missing)).toBe(
      "This computer’s keyring does not hold this identity’s private key (1a2b-3c4d): restore it from its backup file in Settings.",
    );
    const bad = (reason: string, more: Record<string, string> = {}): FieldProblem => ({
      field: reason === "wrong_passphrase" ? "passphrase" : "file",
      code: "bad_backup",
      params: { reason, ...more },
      message: "the backup could not be decrypted: …",
    });
    expect(problemText(bad("wrong_passphrase"))).toBe("Wrong passphrase for this backup.");
    setLocale("fr");
    expect(problemText(bad("other_workspace", { workspace: "Acme" }))).toBe(
      "Cette sauvegarde est celle d’un autre espace de travail (Acme).",
    );
    for (const r of ["not_a_backup", "damaged", "format", "malformed", "not_member"])
      expect(problemText(bad(r, { detail: "x" })), r).not.toBe(
        "Ce fichier ne permet pas de restaurer l’identité.",
      );
    setLocale("en");
  });
});
