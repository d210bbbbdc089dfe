// Forms on the real app: every error of a submit at once, beside its field, in the UI's
// language and in a person's words; the focus on the first; what was typed kept; nothing stored.
// And what managers and auditors do in the app: every remedy a verdict proposes, members and
// roles, the release list, the audit trail.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  check,
  cli,
  dataDir,
  errorOf,
  find,
  inFrench,
  screenshot,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

/** Put `value` in the form's field `name` as typing or a paste would (an input event). */
async function fill(b, name, value) {
  await b.execute(
    (n, v) => {
      const el = document.querySelector(`[data-testid=release-form] [name=${n}]`);
      el.value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    name,
    value,
  );
}

/** The new-release form, opened, with `fields` filled in (name → text). */
async function newRelease(b, fields) {
  await find(b, "[data-testid=workspace-name]");
  await b.execute(() => (location.hash = "#/releases/new"));
  const form = await find(b, "[data-testid=release-form]");
  for (const [name, value] of Object.entries(fields)) await fill(b, name, value);
  return form;
}

const focused = (b) => b.execute(() => document.activeElement?.getAttribute("name") ?? null);

test("the release form shows every error of a submit beside its field, in English and French", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Forms", "--name", "Grace", "--email", "grace@example.com");
  const before = cli(dir, "status").events;
  await withApp("form-errors", dir, async (b) => {
    const form = await newRelease(b, {
      service: "ledger-api",
      version: "two point three",
      title: "Quarter close",
      environments: "prod",
      start: "2027-03-19T18:00",
      end: "",
      tz: "Mars/Olympus",
    });
    await (await form.$("button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "tz")) !== null, "the zone's error");
    // All three at once, each beside its field, in a person's words.
    assert.equal(
      await errorOf(b, "version"),
      "“two point three” is not a version: use MAJOR.MINOR.PATCH, such as 1.4.0 or 2.0.0-rc.1.",
    );
    assert.equal(await errorOf(b, "end"), "Give the end of the window too.");
    assert.equal(
      await errorOf(b, "tz"),
      "“Mars/Olympus” is not a time zone: use a name such as Europe/Paris or America/New_York.",
    );
    // A date's first part carries the field's state (the parts follow the language's order).
    const control = (name) =>
      form.$(name === "end" ? "[data-field=end] input[data-part]" : `[name=${name}]`);
    for (const name of ["version", "end", "tz"]) {
      assert.equal(await (await control(name)).getAttribute("aria-invalid"), "true");
      assert.equal(await (await control(name)).getAttribute("aria-describedby"), `error-${name}`);
    }
    assert.equal(await (await form.$("[name=service]")).getAttribute("aria-invalid"), "false");
    // The focus is on the first field to correct; what was typed stays.
    await until(b, async () => (await focused(b)) === "version", "focus on the version");
    assert.equal(await (await form.$("[name=tz]")).getValue(), "Mars/Olympus");
    assert.equal(await (await form.$("[name=title]")).getValue(), "Quarter close");
    await screenshot(b, "form-errors-en");

    // In French, an end before the start.
    await inFrench(b);
    const fr = await newRelease(b, {
      service: "ledger-api",
      version: "2.3.0",
      title: "Clôture du trimestre",
      environments: "",
      start: "2027-03-19T18:00",
      end: "2027-03-19T17:00",
      tz: "Europe/Paris",
    });
    await (await fr.$("button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "end")) !== null, "the end's error");
    assert.equal(await errorOf(b, "end"), "La fin doit venir après le début.");
    // French dates are written day first.
    const order = await b.execute(() =>
      [...document.querySelectorAll("[data-field=start] input[data-part]")].map(
        (i) => i.dataset.part,
      ),
    );
    assert.deepEqual(order, ["day", "month", "year", "hour", "minute"]);
    assert.equal(
      await b.execute(() => document.querySelector("[data-field=start] [data-part=day]").value),
      "19",
    );
    assert.equal(
      await errorOf(b, "environments"),
      "Indiquez au moins un environnement, par exemple prod.",
    );
    await until(b, async () => (await focused(b)) === "environments", "focus on the environments");
    await screenshot(b, "form-errors-fr");
  });
  // Nothing was stored.
  assert.equal(cli(dir, "status").events, before);
});

test("the welcome form says what is missing beside each field", async () => {
  const dir = dataDir();
  await withApp("welcome-errors", dir, async (b) => {
    const form = await find(b, "[data-testid=create-form]");
    await (await form.$("input[name=email]")).setValue("grace at example");
    await (await form.$("button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "workspace")) !== null, "the workspace's error");
    assert.equal(await errorOf(b, "workspace"), "Fill this in.");
    assert.equal(await errorOf(b, "name"), "Fill this in.");
    assert.equal(await errorOf(b, "email"), "“grace at example” is not an e-mail address.");
    await until(b, async () => (await focused(b)) === "workspace", "focus on the first");
    // Joining from a folder typed without its root: the app has no current folder to read it.
    const joining = await find(b, "[data-testid=join-form]");
    await (await joining.$("input[name=remote]")).setValue("shared/relm");
    await (await joining.$("input[name=name]")).setValue("Grace");
    await (await joining.$("input[name=email]")).setValue("grace@example.com");
    await (await joining.$("button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "remote")) !== null, "the folder's error");
    assert.match(await errorOf(b, "remote"), /^“shared\/relm” is not a full path: /);
  });
  // No workspace was made.
  assert.throws(() => cli(dir, "status"), /no Relm workspace/);
});

test("every remedy of a blocked verdict is an action in the app, and doing them clears the gate", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Remedies", "--name", "Ann", "--email", "ann@example.com");
  const policy = join(dir, "policy.toml");
  writeFileSync(
    policy,
    `[policy]
name = "Remedies"

[[environments]]
name = "staging"
tier = "staging"

[[environments]]
name = "prod"
tier = "production"

[[rules]]
kind = "evidence"
when = { tiers = ["production"] }
items = ["tests passed"]

[[rules]]
kind = "rollback"
when = { tiers = ["production"] }
rehearsal_from_risk = "high"

[[rules]]
kind = "promotion"
when = { tiers = ["production"] }
`,
  );
  cli(dir, "policy", "apply", policy, "--note", "remedies as actions");
  const id = cli(
    dir,
    "release",
    "create",
    "--service",
    "api",
    "--version",
    "5.0.0",
    "--env",
    "staging",
    "--env",
    "prod",
    "--risk",
    "high",
    "--title",
    "Risky",
    "--rollback-plan",
    "redeploy 4.9.0",
  ).id;
  await withApp("remedies", dir, async (b) => {
    await b.execute((i) => (location.hash = `#/releases/${i}`), id);
    const verdict = await find(b, "[data-testid=verdict]");
    await until(
      b,
      async () => (await verdict.getAttribute("data-outcome")) === "blocked",
      "blocked",
    );
    // The app shows actions, not commands.
    const text = await (await find(b, "[data-testid=gates]")).getText();
    assert.doesNotMatch(text, /relm (release|approve)/, "no CLI command in the app");
    await screenshot(b, "remedies");

    // Rehearsal: a dialog; evidence that is no digest is refused beside it; fixed, recorded.
    await (await find(b, "[data-action=rehearse] button")).click();
    const rehearsal = await find(b, "[data-testid=rehearsal-dialog]");
    await (await rehearsal.$("input[name=evidence]")).setValue("sha256:abc");
    await (await rehearsal.$("[data-testid=record]")).click();
    const why = await find(b, "[data-error=evidence]");
    assert.match(await why.getText(), /sha256/);
    await screenshot(b, "rehearsal-dialog");
    await (await rehearsal.$("input[name=evidence]")).setValue("https://ci.example.com/runs/41");
    await (
      await rehearsal.$("textarea[name=note]")
    ).setValue("rolled back in staging in 6 minutes");
    await (await rehearsal.$("[data-testid=record]")).click();
    await rehearsal.waitForExist({ reverse: true });
    await until(
      b,
      async () =>
        (await (await find(b, "[data-rule=rollback]")).getAttribute("data-status")) === "pass",
      "rehearsed",
    );

    // Deployment to staging, for the promotion rule.
    await (await find(b, "[data-action=deploy] button")).click();
    const deployment = await find(b, "[data-testid=deployment-dialog]");
    assert.match(await deployment.getText(), /staging/);
    await (await deployment.$("[data-testid=record]")).click();
    await deployment.waitForExist({ reverse: true });
    await until(
      b,
      async () =>
        (await (await find(b, "[data-rule=promotion]")).getAttribute("data-status")) === "pass",
      "promoted",
    );

    // Evidence: a link to the form, which opens on a new evidence row.
    await (await find(b, "[data-action=edit] a")).click();
    await until(
      b,
      async () => b.execute(() => document.activeElement?.closest("[data-list=evidence]") !== null),
      "the form starts on the evidence",
    );
    const row = await find(b, "[data-list=evidence] .row");
    const cells = await row.$$("input");
    await cells[0].setValue("tests passed");
    await cells[1].setValue("https://ci.example.com/runs/42");
    await (await find(b, "[data-testid=release-form] button[type=submit]")).click();
    await find(b, "[data-testid=verdict]");
    await until(
      b,
      async () =>
        (await (await find(b, "[data-rule=evidence]")).getAttribute("data-status")) === "pass",
      "evidence recorded",
    );
  });
  const v = check(dir, id, "prod");
  for (const rule of ["evidence", "rollback", "promotion"])
    assert.equal(v.rules.find((l) => l.rule === rule).status, "pass", rule);
});

test("an admin adds a member from a join request, changes roles and removes a member in Settings", async () => {
  const remote = dataDir();
  const ann = dataDir();
  cli(ann, "init", "--workspace", "Team", "--name", "Ann", "--email", "ann@example.com");
  cli(ann, "remote", "add", "usb", remote);
  cli(ann, "sync");
  const cat = dataDir();
  cli(cat, "join", "--remote", remote, "--name", "Cat", "--email", "cat@example.com");
  cli(ann, "sync");
  await withApp("members", ann, async (b) => {
    await b.execute(() => (location.hash = "#/settings"));
    // Cat's request, with the roles to give her.
    const request = await find(b, "[data-testid=join-requests] [data-request=Cat]");
    await (await request.$("input[name=role-approver]")).click();
    await (await request.$("[data-testid=admit]")).click();
    const row = await find(b, "[data-testid=members] [data-member=Cat]");
    await until(
      b,
      async () => (await row.$("input[name=role-approver]").isSelected()) === true,
      "Cat is an approver",
    );
    await screenshot(b, "members");
    // No role at all: refused beside the member, nothing recorded.
    const events = cli(ann, "status").events;
    for (const r of ["release-manager", "approver"])
      await (await row.$(`input[name=role-${r}]`)).click();
    await (await row.$("[data-testid=save-roles]")).click();
    await until(b, async () => /at least one role/i.test(await row.getText()), "the refusal");
    assert.equal(cli(ann, "status").events, events);
    await (await row.$("input[name=role-auditor]")).click();
    await (await row.$("[data-testid=save-roles]")).click();
    await until(
      b,
      async () =>
        cli(ann, "member", "list")
          .find((m) => m.name === "Cat")
          ?.roles.join() === "auditor",
      "Cat is an auditor",
    );
    // A key that is not one: said beside the field.
    const add = await find(b, "[data-testid=add-member]");
    await (await add.$("input[name=key]")).setValue("ed25519:nope");
    await (await add.$("button[type=submit]")).click();
    await find(b, "[data-error=key]");

    // In French, refusals by the state of things are French too, without CLI commands: Cat's
    // key again, and a second remote named like the first.
    await inFrench(b);
    const catKey = cli(ann, "member", "list").find((m) => m.name === "Cat").public_key;
    const again = await find(b, "[data-testid=add-member]");
    await (await again.$("input[name=key]")).setValue(catKey);
    await (await again.$("input[name=name]")).setValue("Cat");
    await (await again.$("input[name=email]")).setValue("cat@example.com");
    await (await again.$("button[type=submit]")).click();
    await until(
      b,
      async () => /Cette clé \([0-9a-f-]+\) est déjà membre\./.test(await b.$("main").getText()),
      "the refusal, in French",
    );
    await again.scrollIntoView();
    await screenshot(b, "add-member-fr");
    const remoteForm = await find(b, "[data-testid=add-remote]");
    // A folder typed without its root is said beside the folder: the app has no current one.
    await (await remoteForm.$("input[name=remote-name]")).setValue("cle");
    await (await remoteForm.$("input[name=remote-folder]")).setValue("partage/relm");
    await (await remoteForm.$("button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "folder")) !== null, "the folder's problem");
    assert.match(
      await errorOf(b, "folder"),
      /^«\u00a0partage\/relm\u00a0» n’est pas un chemin complet/,
    );
    await (await remoteForm.$("input[name=remote-name]")).setValue("usb");
    await (await remoteForm.$("input[name=remote-folder]")).setValue(remote);
    await (await remoteForm.$("button[type=submit]")).click();
    const beside = await find(b, "[data-error=name]");
    await until(
      b,
      async () =>
        (await beside.getText()) ===
        "Un dépôt distant nommé usb existe déjà\u202f; choisissez un autre nom.",
      "beside the name, in French",
    );
    assert.doesNotMatch(await b.$("main").getText(), /relm |`/);
    assert.equal(cli(ann, "status").events, events + 1, "only the roles were recorded");
  });
  const catNow = cli(ann, "member", "list").find((m) => m.name === "Cat");
  assert.deepEqual(catNow.roles, ["auditor"]);
});

test("the release list matches names whatever their case, counts them, and keeps its filters when coming back", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  const expected = cli(dir, "release", "list", "--service", "payments-api", "--limit", "500")
    .releases.length;
  assert.ok(expected > 1);
  await withApp("lists", dir, async (b) => {
    const rows = () => b.$$("[data-testid=release-table] tbody tr");
    await b.execute(() => (location.hash = "#/releases"));
    // In a 1024 px window every column of the whole demo list is in view (its longest service
    // names included): the type and environments go under the title rather than behind a
    // scrollbar at the foot of the list.
    const all = cli(dir, "release", "list", "--limit", "100").releases.length;
    await until(b, async () => (await rows()).length === all, "the first page of releases");
    await b.setWindowSize(1024, 768);
    await until(
      b,
      () =>
        b.execute(() => {
          const card = document.querySelector("[data-testid=release-table]").parentElement;
          return card.scrollWidth <= card.clientWidth;
        }),
      "the table fits",
    );
    const first = await (await rows())[0].$("td.title .narrow");
    assert.ok(await first.isDisplayed(), "type and environments under the title");
    assert.match(await first.getText(), /^(Standard|Normal|Emergency) · /);
    await b.setWindowSize(1280, 800);
    // The rest on asking, below the first hundred, in the CLI's order (newest first).
    const ids = cli(dir, "release", "list", "--limit", "1000").releases.map((r) => r.id);
    assert.ok(ids.length > all, "the demo holds more than a page");
    await (await find(b, "[data-testid=release-more]")).click();
    await until(b, async () => (await rows()).length === ids.length, "every release");
    assert.deepEqual(
      await b.execute(() =>
        [...document.querySelectorAll("[data-testid=release-table] tbody tr a")].map((a) =>
          a.getAttribute("href").replace("#/releases/", ""),
        ),
      ),
      ids,
    );
    assert.equal(
      await (await find(b, "[data-testid=release-count]")).getText(),
      `${ids.length} shown of ${ids.length}`,
    );
    assert.equal((await b.$$("[data-testid=release-more]")).length, 0, "nothing more to load");
    const service = await find(b, "#first-filter");
    await service.setValue("PAYMENTS-API");
    await until(b, async () => (await rows()).length === expected, "payments-api's releases");
    assert.equal(
      await (await find(b, "[data-testid=release-count]")).getText(),
      `${expected} shown of ${expected}`,
    );
    await (await (await rows())[0].$("a")).click();
    await find(b, "[data-testid=verdict]");
    await b.back();
    await until(b, async () => (await rows()).length === expected, "the same list");
    assert.equal(await (await find(b, "#first-filter")).getValue(), "PAYMENTS-API");
    // The page opens at its top.
    assert.equal(await b.execute(() => document.querySelector("main").scrollTop), 0);

    // The Reviews page lists every review signed off, as the CLI does.
    const signed = cli(dir, "review", "list").reviews.filter((r) => r.status === "signed").length;
    assert.ok(signed > 0, "the demo has signed reviews");
    await b.execute(() => (location.hash = "#/reviews"));
    await until(
      b,
      async () => (await b.$$("[data-testid=reviews-signed] tbody tr")).length === signed,
      "the signed reviews",
    );
    // Each part is read a page at a time and says how many it shows of how many.
    assert.equal(
      await (await find(b, "[data-testid=reviews-signed] [data-count]")).getText(),
      `${signed} shown of ${signed}`,
    );
  });
});

test("the audit page narrows the history to a release, shows edits as before → after and flags overrides", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Audit", "--name", "Ann", "--email", "ann@example.com");
  const make = (version, title) =>
    cli(
      dir,
      "release",
      "create",
      "--service",
      "api",
      "--version",
      version,
      "--env",
      "prod",
      "--title",
      title,
    ).id;
  const id = make("1.0.0", "First title");
  make("1.0.1", "Another release");
  cli(
    dir,
    "release",
    "update",
    id,
    "--title",
    "Second title",
    "--start",
    "2027-03-19T14:00",
    "--end",
    "2027-03-19T15:00",
    "--tz",
    "Asia/Singapore",
  );
  cli(dir, "release", "status", id, "planned");
  cli(dir, "release", "status", id, "approved", "--note", "the board signed on paper");
  await withApp("audit", dir, async (b) => {
    await b.execute((i) => (location.hash = `#/audit?release=${i}`), id);
    const rows = () => b.$$("[data-testid=audit-log] tbody tr");
    // Only this release's trail: created, edited, planned, approved.
    await until(b, async () => (await rows()).length === 4, "the release's four events");
    const edit = await find(b, "[data-testid=audit-log] tr[data-kind='release.updated']");
    const edited = await edit.getText();
    assert.match(edited, /Title\s+“First title”\s+→\s+“Second title”/);
    // A window in words, in its own zone, named: no JSON, no raw ISO time.
    assert.match(
      edited,
      /Planned window\s+—\s+→\s+Mar 19, 2027, 2:00\s?–\s?3:00\s?PM GMT\+8 \(Asia\/Singapore\)/,
    );
    assert.doesNotMatch(edited, /\d{4}-\d\d-\d\dT|[{}"]/);
    const override = await find(b, "[data-testid=audit-log] tr[data-flags=override]");
    assert.match(await override.getText(), /Override/);
    assert.match(await override.getText(), /the board signed on paper/);
    await screenshot(b, "audit-trail");
    // Flagged only, across every release: the override alone.
    await (await find(b, "[data-testid=audit-filters] input[name=release]")).clearValue();
    await (await find(b, "[data-testid=audit-filters] input[name=flagged]")).click();
    await until(b, async () => (await rows()).length === 1, "the override alone");
    // Each row links to its release.
    await (await find(b, "[data-testid=audit-release]")).click();
    await find(b, "[data-testid=release-title]");
  });
});

test("an environment the policy does not know is asked about before it is kept", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Typos", "--name", "Grace", "--email", "grace@example.com");
  await withApp("unknown-env", dir, async (b) => {
    const form = await newRelease(b, {
      service: "ledger-api",
      version: "2.3.0",
      title: "Typo",
      environments: "staging, prd",
    });
    await (await form.$("button[type=submit]")).click();
    await until(b, async () => (await errorOf(b, "environments")) !== null, "the question");
    assert.equal(
      await errorOf(b, "environments"),
      "“prd” is not an environment of the policy: did you mean “prod”? Save again to keep “prd”.",
    );
    assert.equal(cli(dir, "release", "list").releases.length, 0, "nothing saved yet");
    // Saving again keeps what was typed.
    await (await form.$("button[type=submit]")).click();
    await find(b, "[data-testid=release-title]");
  });
  assert.deepEqual(cli(dir, "release", "list").releases[0].environments, ["staging", "prd"]);
});
