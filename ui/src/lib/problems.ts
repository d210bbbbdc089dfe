// Bad input, worded in the UI's language and placed beside its field.
//
// The backend reports every problem of a submit at once, each with the field it is about
// (`end`, or a list's cell `components.1.digest`), a closed code and its parameters. This module
// turns them into text per field for a form; `focusFirstError` then takes the reader to the
// first one. A problem with the code `other` has no wording here and shows the backend's.

import { tick } from "svelte";
import { BackendError } from "./backend";
import { i18n, t } from "./i18n.svelte";
import { en, type MessageKey } from "./messages";
import type { FieldProblem, ProblemCode } from "./types";

/** The message of each code; every code the backend can send must be here (tsc checks it). */
const wording: Record<Exclude<ProblemCode, "other">, MessageKey> = {
  required: "problem.required",
  bad_name: "problem.bad_name",
  too_long: "problem.too_long",
  too_short: "problem.too_short",
  bad_char: "problem.bad_char",
  bad_version: "problem.bad_version",
  unknown_zone: "problem.unknown_zone",
  bad_time: "problem.bad_time",
  ambiguous_time: "problem.ambiguous_time",
  nonexistent_time: "problem.nonexistent_time",
  end_not_after_start: "problem.end_not_after_start",
  bad_digest: "problem.bad_digest",
  bad_email: "problem.bad_email",
  unknown_choice: "problem.unknown_choice",
  out_of_range: "problem.out_of_range",
  bad_key: "problem.bad_key",
  unchanged: "problem.unchanged",
};

/** The field part of a key: `components.1.digest` → `digest`. */
function leaf(field: string): string {
  return field.split(".").pop() ?? field;
}

/** A problem in the UI's language. A field may have its own wording of a code
 *  (`problem.required.environments`), else the code's general one. */
export function problemText(p: FieldProblem): string {
  if (p.code === "other") return p.message;
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p.params)) params[k] = /^\d+$/.test(v) ? Number(v) : v;
  const specific = `${wording[p.code]}.${leaf(p.field)}`;
  return t(specific in en ? (specific as MessageKey) : wording[p.code], params);
}

/** What a form shows for a failed submit: a text per field it has (the first problem of
 *  each), and the rest, if any, above the form. */
export interface FormErrors {
  fields: Record<string, string>;
  general: string | null;
}

export function formErrors(e: unknown, has: (field: string) => boolean): FormErrors {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  const problems = e instanceof BackendError ? e.problems : [];
  for (const p of problems) {
    if (!has(p.field)) rest.push(problemText(p));
    else fields[p.field] ??= problemText(p);
  }
  if (problems.length === 0) {
    // An error about one input (a folder that cannot be reached) goes beside it too.
    const field = e instanceof BackendError ? e.field : undefined;
    if (field && has(field)) fields[field] = errorText(e);
    else rest.push(errorText(e));
  }
  return { fields, general: rest.length ? rest.join("\n") : null };
}

/** Any error as one text: problems worded here; other errors say their kind in the UI's
 *  language before the backend's detail (which names paths, ids and commands). */
export function errorText(e: unknown): string {
  if (!(e instanceof BackendError)) return String(e);
  if (e.problems.length) return e.problems.map(problemText).join("\n");
  if (i18n.locale === "en") return e.message;
  return t("error.kind", { kind: t(`error.${e.code}` as MessageKey), detail: e.message });
}

/** Move the focus to the first field marked invalid in `root` (after the DOM shows them). */
export async function focusFirstError(root: HTMLElement | null | undefined): Promise<void> {
  await tick();
  const first = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
  first?.focus();
}

/** The attributes of a field that `errors` may mark invalid (see FieldError.svelte). */
export function invalid(
  errors: Record<string, string>,
  name: string,
): { "aria-invalid": boolean; "aria-describedby": string | undefined } {
  const bad = name in errors;
  return { "aria-invalid": bad, "aria-describedby": bad ? `error-${name}` : undefined };
}
