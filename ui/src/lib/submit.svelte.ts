// A form's submit, as every dialog does it: the backend's refusal placed beside the fields it is
// about (and the rest above the buttons), the form busy while the backend works, the focus on
// the first error.

import { focusFirstError, type FormErrors } from "./problems";

export class Submit {
  /** Problems by field, as `invalid` and `FieldError` read them. */
  errors = $state<Record<string, string>>({});
  /** What no field of the form is about. */
  general = $state<string | null>(null);
  busy = $state(false);
  /** The form (`bind:this`), whose first error takes the focus. */
  form = $state<HTMLElement>();

  /** `place` turns a refusal into the form's errors (`formErrors` with the form's fields). */
  constructor(private readonly place: (e: unknown) => FormErrors) {}

  /** Run `work`: true when the backend accepted it, else its problems are shown. */
  async run(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.errors = {};
    this.general = null;
    try {
      await work();
      return true;
    } catch (e) {
      const shown = this.place(e);
      this.errors = shown.fields;
      this.general = shown.general;
      this.busy = false;
      await focusFirstError(this.form);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** A problem found before asking the backend (a field left empty), shown the same way. */
  async refuse(fields: Record<string, string>): Promise<void> {
    this.errors = fields;
    this.general = null;
    await focusFirstError(this.form);
  }
}
