import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { setLocale } from "./i18n.svelte";
import { formErrors } from "./problems";
import { Submit } from "./submit.svelte";

const refusal = new BackendError({
  code: "validation",
  message: "name: required\nowner: unknown",
  problems: [
    { field: "name", code: "required", params: {}, message: "required" },
    { field: "owner", code: "other", params: {}, message: "the backend's own words" },
  ],
});

describe("a form's submit", () => {
  it("places a refusal's problems beside their fields and the rest above the buttons", async () => {
    setLocale("en");
    const s = new Submit((e) => formErrors(e, (f) => f === "name"));
    let busyWhileWorking = false;
    const done = await s.run(async () => {
      busyWhileWorking = s.busy;
      throw refusal;
    });
    expect(done).toBe(false);
    expect(busyWhileWorking).toBe(true);
    expect(s.busy).toBe(false);
    expect(s.errors).toEqual({ name: "Fill this in." });
    expect(s.general).toBe("the backend's own words");
  });

  it("clears the last submit's problems when the next goes through", async () => {
    const s = new Submit((e) => formErrors(e, () => true));
    await s.refuse({ file: "Choose a file." });
    expect(s.errors).toEqual({ file: "Choose a file." });
    expect(await s.run(async () => {})).toBe(true);
    expect(s.errors).toEqual({});
    expect(s.general).toBeNull();
  });
});
