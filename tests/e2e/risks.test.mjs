// The risk register in the real app: the table and the heat map on the demo register, a risk
// added through the form (every error beside its field, in French too), a mitigation planned,
// an acceptance refused for a past date then signed, and the register's filters.

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  answerFileDialog,
  cli,
  dataDir,
  errorOf,
  find,
  inFrench,
  screenshot,
  set,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

/** On a release's page: answers that make it critical (an irreversible migration, untested in
 *  staging), each signed as chosen; waits for the critical level. */
async function answerCritical(b, dir, id) {
  const level = await find(b, "[data-testid=risk-level]");
  await set(b, "[data-testid=questionnaire] select[name=answer-data_migration]", "irreversible");
  await until(
    b,
    async () => cli(dir, "risk", "assess", id).answers.data_migration === "irreversible",
    "the answer signed",
  );
  await set(b, "[data-testid=questionnaire] select[name=answer-tested_in_staging]", "no");
  await until(b, async () => (await level.getAttribute("data-level")) === "critical", "critical");
}

/** Change a release's level through the risk panel's dialog. */
async function changeLevel(b, value, reason) {
  await (await find(b, "[data-testid=change-level]")).click();
  await set(b, "[data-testid=risk-level-dialog] select[name=level]", value);
  if (reason) await set(b, "[data-testid=risk-level-dialog] textarea[name=reason]", reason);
  await (await find(b, "[data-testid=risk-level-dialog] button.primary")).click();
}

/** A workspace of Ann's with one ledger-api release: its data dir and the release's id. */
function ledgerRelease(version, title, environments, type, extra = []) {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Risque", "--name", "Ann", "--email", "ann@example.com");
  const envs = environments.flatMap((e) => ["--env", e]);
  const id = cli(
    dir,
    "release",
    "create",
    "--service",
    "ledger-api",
    "--version",
    version,
    ...envs,
    "--title",
    title,
    "--type",
    type,
    ...extra,
  ).id;
  return { dir, id };
}

test("the register shows every risk, its heat map narrows the table, and filters find by service", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  const all = cli(dir, "risk", "list");
  assert.ok(all.length >= 15, "the demo register");
  const open = all.filter((r) => r.status !== "closed");
  const counts = cli(dir, "status").risks;
  assert.ok(counts.active_high > 0 && counts.expiring_soon > 0 && counts.overdue_reviews > 0);
  await withApp("risks", dir, async (b) => {
    const rows = () => b.$$("[data-testid=risk-table] tbody tr");
    // The dashboard counts what needs attention, and each tile opens the register on it.
    await b.execute(() => (location.hash = "#/dashboard"));
    for (const [tile, n] of [
      ["active", counts.active_high],
      ["expiring", counts.expiring_soon],
      ["overdue", counts.overdue_reviews],
    ]) {
      const el = await find(b, `[data-testid=risk-tiles] [data-tile=${tile}]`);
      await until(b, async () => Number(await el.getAttribute("data-count")) === n, tile);
    }
    await (await find(b, "[data-testid=risk-tiles] [data-tile=overdue]")).click();
    await until(b, async () => (await rows()).length === counts.overdue_reviews, "overdue ones");
    assert.equal((await b.$$("[data-testid=overdue]")).length, counts.overdue_reviews);
    await (await find(b, "[data-testid=clear-filters]")).click();
    await b.execute(() => (location.hash = "#/risks"));
    await until(b, async () => (await rows()).length === all.length, "every risk");
    await screenshot(b, "risk-register");
    // A cell of the inherent map holds the risks at that position, and narrows the table.
    const top = all[0];
    const cell = await find(b, `[data-cell="${top.likelihood}-${top.impact}"]`);
    const inCell = all.filter((r) => r.likelihood === top.likelihood && r.impact === top.impact);
    assert.equal(Number(await cell.getAttribute("data-count")), inCell.length);
    await cell.click();
    await until(b, async () => (await rows()).length === inCell.length, "the cell's risks");
    assert.equal(await (await rows())[0].getAttribute("data-risk"), top.id);
    // The residual map puts a mitigated risk elsewhere.
    await (await find(b, "[data-side=residual]")).click();
    await until(b, async () => (await rows()).length === all.length, "the cell choice cleared");
    const residual = await find(
      b,
      `[data-cell="${top.residual_likelihood ?? top.likelihood}-${top.residual_impact ?? top.impact}"]`,
    );
    assert.ok(Number(await residual.getAttribute("data-count")) >= 1);
    // A column's header orders the table (in the store: the page shows 100 rows at a time).
    const firstTitle = async () => (await (await rows())[0].$("td.title a")).getText();
    const byTitle = cli(dir, "risk", "list", "--sort", "title")[0].title;
    await (await find(b, "[data-testid=risk-table] [data-sort=title]")).click();
    await until(b, async () => (await firstTitle()) === byTitle, "A to Z");
    await (await find(b, "[data-testid=risk-table] [data-sort=title]")).click();
    const lastTitle = cli(dir, "risk", "list", "--sort", "-title")[0].title;
    await until(b, async () => (await firstTitle()) === lastTitle, "Z to A");
    await (await find(b, "[data-testid=risk-table] [data-sort=score]")).click();
    await until(b, async () => (await firstTitle()) === all[0].title, "highest score first");
    // Filters: a service in any case, and the status as of now.
    await set(b, "[data-testid=risk-filters] input[name=service]", "PAYMENTS-API");
    const payments = cli(dir, "risk", "list", "--service", "payments-api").length;
    await until(b, async () => (await rows()).length === payments, "payments-api's risks");
    await set(b, "[data-testid=risk-filters] input[name=service]", "");
    await set(b, "[data-testid=risk-filters] select[name=status]", "open");
    const openNow = open.filter((r) => r.status === "open").length;
    await until(b, async () => (await rows()).length === openNow, "the open ones");
    // A lapsed acceptance shows as such, and the risk counts as open.
    const lapsed = all.find((r) => r.acceptance?.expired);
    assert.ok(lapsed, "the demo has a lapsed acceptance");
    await (await find(b, `[data-risk="${lapsed.id}"] a`)).click();
    await find(b, "[data-testid=expired]");
    assert.equal(
      await (await find(b, "[data-testid=risk-status]")).getAttribute("data-status"),
      "open",
    );
  });
});

test("a risk is added through the form, mitigated and accepted in the app, in French", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Registre", "--name", "Ann", "--email", "ann@example.com");
  // Léa owns a risk Ann (an approver) may accept.
  const remote = dataDir();
  cli(dir, "remote", "add", "share", remote);
  cli(dir, "sync");
  const lea = dataDir();
  cli(lea, "join", "--remote", remote, "--name", "Léa", "--email", "lea@example.com");
  cli(dir, "sync");
  const leaKey = cli(lea, "identity", "show").public_key;
  cli(dir, "member", "add", "--key", leaKey, "--role", "release-manager");
  cli(dir, "sync");
  cli(lea, "sync");
  const hers = cli(
    lea,
    "risk",
    "add",
    "--title",
    "Panne du prestataire de paiement",
    "--category",
    "operational",
    "--likelihood",
    "3",
    "--impact",
    "5",
  ).id;
  cli(lea, "sync");
  cli(dir, "sync");
  await withApp("risk-form", dir, async (b) => {
    await inFrench(b);
    // An empty submit: every error beside its field, in French, the focus on the first.
    await b.execute(() => (location.hash = "#/risks/new"));
    const form = await find(b, "[data-testid=risk-form]");
    const before = cli(dir, "status").events;
    await (await form.$("[data-testid=save-risk]")).click();
    await until(b, async () => (await errorOf(b, "title")) !== null, "the errors");
    assert.equal(await errorOf(b, "title"), "Dites ce qui pourrait mal tourner.");
    assert.match(await errorOf(b, "category"), /^Indiquez une catégorie/);
    assert.equal(await errorOf(b, "likelihood"), "Choisissez sa probabilité.");
    assert.equal(await b.execute(() => document.activeElement?.getAttribute("name")), "title");
    assert.equal(cli(dir, "status").events, before, "nothing stored");
    // Filled in: saved, and the page of the new risk opens.
    await set(b, "[data-testid=risk-form] [name=title]", "Migration irréversible du schéma");
    await set(b, "[data-testid=risk-form] [name=category]", "technical");
    await set(b, "[data-testid=risk-form] [name=likelihood]", "4");
    await set(b, "[data-testid=risk-form] [name=impact]", "4");
    await set(b, "[data-testid=risk-form] [name=services]", "ledger-api");
    await (await form.$("[data-testid=save-risk]")).click();
    await find(b, "[data-testid=risk-title]");
    assert.equal(await (await find(b, "[data-testid=score]")).getText(), "16");
    // A mitigation with its residual position.
    await (await find(b, "[data-testid=mitigate]")).click();
    const dialog = await find(b, "[data-testid=mitigate-dialog]");
    await set(
      b,
      "[data-testid=mitigate-dialog] [name=action]",
      "Script de retour testé en préproduction",
    );
    await set(b, "[data-testid=mitigate-dialog] [name=residual_likelihood]", "2");
    await (await dialog.$("[data-testid=record]")).click();
    await until(
      b,
      async () => (await (await find(b, "[data-testid=residual]")).getText()) === "8",
      "the residual score",
    );
    assert.equal(
      await (await find(b, "[data-testid=risk-status]")).getAttribute("data-status"),
      "mitigating",
    );
    // Ann owns this one: she is told another approver must accept it, and is not offered to.
    assert.equal(await (await b.$("[data-testid=accept]")).isExisting(), false);
    // Léa's risk: an acceptance for a past date is refused beside the date; then signed.
    await b.execute((id) => (location.hash = `#/risks/${id}`), hers);
    await (await find(b, "[data-testid=accept]")).click();
    const accept = await find(b, "[data-testid=accept-dialog]");
    await set(b, "[data-testid=accept-dialog] [name=reason]", "Dans l’appétence au risque");
    await set(b, "[data-testid=accept-dialog] [name=until]", "2020-01-31");
    await (await accept.$("[data-testid=record]")).click();
    await until(b, async () => (await errorOf(b, "until")) !== null, "the refusal");
    assert.equal(
      await errorOf(b, "until"),
      "«\u00a031 janv. 2020\u00a0» est déjà passé\u00a0: indiquez une date à venir.",
    );
    await screenshot(b, "risk-accept-fr");
    await set(b, "[data-testid=accept-dialog] [name=until]", "2099-12-31");
    await (await accept.$("[data-testid=record]")).click();
    await until(
      b,
      async () =>
        (await (await find(b, "[data-testid=risk-status]")).getAttribute("data-status")) ===
        "accepted",
      "accepted",
    );
    assert.match(await (await find(b, "[data-testid=acceptance]")).getText(), /^Accepté par Ann/);
  });
  const shown = cli(dir, "risk", "show", hers);
  assert.equal(shown.status, "accepted");
  assert.equal(shown.acceptance.expires_at, "2100-01-01T00:00:00Z");
});

test("answering the questionnaire on a release's page raises its level and says why", async () => {
  const { dir, id } = ledgerRelease("2.0.0", "New ledger schema", ["staging"], "standard");
  const high = cli(
    dir,
    "risk",
    "add",
    "--title",
    "Ledger schema cannot be rolled back",
    "--category",
    "technical",
    "--likelihood",
    "4",
    "--impact",
    "5",
    "--service",
    "ledger-api",
  ).id;
  await withApp("release-risk", dir, async (b) => {
    await b.execute((i) => (location.hash = `#/releases/${i}`), id);
    const level = await find(b, "[data-testid=risk-level]");
    await until(b, async () => (await level.getAttribute("data-level")) === "low", "low");
    // The linked high risk is named among the factors and listed with its link.
    await find(b, "[data-testid=risk-factors] [data-factor=linked_high_risks]");
    assert.match(await (await find(b, "[data-testid=linked-risks]")).getText(), /rolled back/);
    // An irreversible migration, untested: the questionnaire decides, critical.
    await answerCritical(b, dir, id);
    assert.match(
      await (await find(b, "[data-testid=risk-factors]")).getText(),
      /Does it change stored data or its schema\? Yes, irreversibly/,
    );
    await screenshot(b, "release-risk");
    // The same assessment as the CLI's.
    const a = cli(dir, "risk", "assess", id);
    assert.equal(a.level, "critical");
    assert.equal(a.method, "questionnaire");
    // Accepting the linked risk is for another approver; Ann owns it, so it stays linked.
    assert.equal(cli(dir, "risk", "show", high).status, "open");
  });
});

test("a release's page lists its ten highest linked risks, and the others on asking", async () => {
  const { dir, id } = ledgerRelease("2.1.0", "Ledger archive", ["staging"], "standard");
  // Twelve open risks of its service, each with a score of its own (likelihood × impact).
  const pairs = [
    [1, 1],
    [1, 2],
    [1, 3],
    [1, 4],
    [1, 5],
    [2, 3],
    [2, 4],
    [3, 3],
    [2, 5],
    [3, 4],
    [3, 5],
    [4, 4],
  ];
  for (const [likelihood, impact] of pairs) {
    cli(
      dir,
      "risk",
      "add",
      "--title",
      `Archive risk scored ${likelihood * impact}`,
      "--category",
      "technical",
      "--likelihood",
      String(likelihood),
      "--impact",
      String(impact),
      "--service",
      "ledger-api",
    );
  }
  await withApp("release-linked", dir, async (b) => {
    await b.execute((i) => (location.hash = `#/releases/${i}`), id);
    const titles = () =>
      b.execute(() =>
        [...document.querySelectorAll("[data-testid=linked-risks] li a")].map((a) => a.textContent),
      );
    await find(b, "[data-testid=linked-risks] li");
    const scores = (await titles()).map((t) => Number(/scored (\d+)/.exec(t)[1]));
    assert.deepEqual(scores, [16, 15, 12, 10, 9, 8, 6, 5, 4, 3]);
    const more = await find(b, "[data-testid=linked-more]");
    assert.match(await more.getText(), /^The 10 highest scores of 12\. Show all$/);
    await (await more.$("button")).click();
    await until(b, async () => (await titles()).length === 12, "every linked risk");
    assert.deepEqual((await titles()).slice(10), [
      "Archive risk scored 2",
      "Archive risk scored 1",
    ]);
    assert.equal(
      await b.execute(() => !!document.querySelector("[data-testid=linked-more]")),
      false,
    );
  });
});

test("the level the answers give changes the production verdict, and a hand raise too", async () => {
  const { dir, id } = ledgerRelease("3.0.0", "Ledger partitions", ["staging", "prod"], "normal", [
    "--rollback-plan",
    "Redeploy 2.9.4",
  ]);
  const rule = (b, id) =>
    b.execute(
      (r) =>
        document.querySelector(`[data-testid=gates] [data-rule="${r}"]`)?.dataset.status ?? null,
      id,
    );
  await withApp("release-level", dir, async (b) => {
    await b.execute((i) => (location.hash = `#/releases/${i}`), id);
    const level = await find(b, "[data-testid=risk-level]");
    // A normal change to production, never rehearsed: medium, so the high-risk rule waits
    // (listed among the rules that do not apply, folded away).
    await until(b, async () => (await level.getAttribute("data-level")) === "medium", "medium");
    await find(b, "[data-testid=verdict] ~ ul [data-rule=risk-register]");
    assert.equal(await rule(b, "risk-rehearsal"), null);

    // The header's level takes the reader to what decided it.
    await (await find(b, "[data-testid=release-level]")).click();
    await until(
      b,
      () =>
        b.execute(
          () =>
            document.querySelector("[data-testid=risk-panel]").getBoundingClientRect().top < 200,
        ),
      "the risk panel in view",
    );
    // Raised by hand to high: the header, the panel and the verdict follow.
    await changeLevel(b, "high");
    await until(b, async () => (await level.getAttribute("data-level")) === "high", "high");
    await find(b, "[data-testid=risk-raised]");
    assert.equal(
      await (await find(b, "[data-testid=release-level]")).getAttribute("data-level"),
      "high",
    );
    await until(b, async () => (await rule(b, "risk-rehearsal")) === "fail", "rehearsal needed");

    // Back to the assessment, then the questionnaire makes it critical: the critical rule now
    // applies, and its line says which answers decided.
    await changeLevel(b, "medium");
    await until(b, async () => (await level.getAttribute("data-level")) === "medium", "medium");
    await answerCritical(b, dir, id);
    await until(b, async () => (await rule(b, "risk-critical")) === "fail", "critical rule");
    const line = await find(b, '[data-testid=gates] [data-rule="risk-critical"]');
    await until(
      b,
      async () => /questionnaire score 45/.test(await line.getText()),
      "the deciding factors named",
    );

    // Ann owns the release: lowering it is another approver's decision, said in the dialog.
    await changeLevel(b, "medium", "rehearsed on a copy");
    const dialog = await find(b, "[data-testid=risk-level-dialog]");
    await until(
      b,
      async () => /another approver must lower its risk level/.test(await dialog.getText()),
      "the refusal said",
    );
    assert.equal(cli(dir, "risk", "assess", id).level, "critical");
  });
});

test("a register is imported from a spreadsheet's CSV in the app, bad rows said by line, and exported", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Registre", "--name", "Ann", "--email", "ann@example.com");
  // The files sit in the data dir: the file dialog lists it (opening and closing what it shows),
  // and the app's store, in its own folder, keeps its locks.
  const files = dir;
  const file = join(files, "registre.csv");
  // As Excel writes it in a French locale: semicolons, a byte-order mark, CRLF.
  writeFileSync(
    file,
    "\ufefftitle;category;likelihood;impact;services\r\n" +
      "Panne du prestataire de paiement;operational;3;5;payments-api\r\n" +
      "Trop probable;technical;9;2;\r\n" +
      '"Schéma irréversible; sans retour";technical;4;4;ledger\r\n',
  );
  writeFileSync(join(dir, "ui.json"), JSON.stringify({ locale: "fr", theme: "light" }));
  await withApp("risk-csv", dir, async (b) => {
    await b.execute(() => (location.hash = "#/risks"));
    await find(b, "[data-testid=import-csv]");
    await (await find(b, "[data-testid=import-csv]")).click();
    await answerFileDialog(file);
    const refused = await find(b, "[data-testid=import-refused]");
    await until(
      b,
      // Each bad row by its line, in French.
      async () =>
        /Ligne 3\s: likelihood\s: Indiquez un nombre de 1 à 5\./.test(await refused.getText()),
      "line 3",
    );
    assert.match(await refused.getText(), /Rien n’a été importé/);
    assert.equal(cli(dir, "risk", "list").length, 0, "nothing imported");
    await (await refused.$("button")).click();
    await until(b, async () => cli(dir, "risk", "list").length === 2, "the two good rows");
    await until(
      b,
      async () =>
        /Schéma irréversible; sans retour/.test(
          await (await find(b, "[data-testid=risk-table]")).getText(),
        ),
      "listed",
    );
    // Exported with semicolons, as a French spreadsheet reads it.
    const out = join(files, "export.csv");
    await (await find(b, "[data-testid=export-csv]")).click();
    await answerFileDialog(out);
    await until(b, async () => existsSync(out), "written");
    const text = readFileSync(out, "utf8");
    assert.ok(text.startsWith("\ufeffid;title;description;category"), text.slice(0, 80));
    assert.match(text, /"Schéma irréversible; sans retour"/);
  });
});

test("an approver's lowering lapses in the app when answers take the level above what was seen", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  // The demo's release an approver lowered from high to medium.
  const id = cli(dir, "release", "list", "--status", "planned", "--limit", "100").releases.find(
    (r) => cli(dir, "risk", "assess", r.id).lowered,
  ).id;
  await withApp("risk-lapsed", dir, async (b) => {
    await b.execute((i) => (location.hash = `#/releases/${i}`), id);
    await find(b, "[data-testid=risk-lowered]");
    const seen = cli(dir, "risk", "assess", id).lowered.from;
    await answerCritical(b, dir, id);
    const lapsed = await find(b, "[data-testid=risk-lapsed]");
    assert.match(await lapsed.getText(), /no longer applies: the level rose to Critical/);
    assert.equal(cli(dir, "risk", "assess", id).lapsed.from, seen);
  });
});

test("an admin puts members in teams in Settings", async () => {
  const dir = dataDir();
  cli(dir, "demo");
  const grace = cli(dir, "member", "list").find((m) => m.name === "Grace Kim");
  await withApp("teams", dir, async (b) => {
    await b.execute(() => (location.hash = "#/settings"));
    const input = `[data-testid=members] input[name="team-${grace.key_id}"]`;
    await find(b, input);
    await set(b, input, "audit");
    await until(
      b,
      async () =>
        cli(dir, "member", "list").find((m) => m.key_id === grace.key_id).team === "audit",
      "the team signed",
    );
    await (await find(b, "[data-testid=members]")).scrollIntoView();
    await screenshot(b, "settings-teams");
  });
});
