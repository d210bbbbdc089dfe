// The release calendar planned in the app: freezes and maintenance windows added, changed and
// removed; a calendar client's file imported; the calendar written out as an .ics file. Every
// change is checked against what the command line reads from the same data folder.

import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Key } from "webdriverio";
import {
  answerFileDialog,
  cli,
  createRelease,
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

const ROOT = join(import.meta.dirname, "../..");

/** Open the calendar on March 2027 in UTC, whatever today is and wherever the machine is. */
async function march(b) {
  await b.execute(() => (location.hash = "#/calendar?date=2027-03-15"));
  await (await find(b, "[data-view=month]")).click();
  await (await find(b, "select[name=zone]")).selectByAttribute("value", "UTC");
  const title = await find(b, "[data-testid=calendar-month]");
  await until(b, async () => (await title.getAttribute("data-month")) === "2027-03", "March");
}

/** Press `key` `times` times with Shift held, in one action (WebDriver lets go of every key
 *  at the end of each). */
async function withShift(b, key, times) {
  let keys = b.action("key").down(Key.Shift);
  for (let i = 0; i < times; i++) keys = keys.down(key).up(key);
  await keys.up(Key.Shift).perform();
}

/** Press at `from` and move to `to` (points in the viewport), holding the pointer down: a nudge
 *  at the end makes the last position an event of its own. */
async function holdAcross(b, from, to) {
  await b
    .action("pointer")
    .move({ origin: "viewport", ...from })
    .down()
    .move({ origin: "viewport", ...to, duration: 100 })
    .move({ origin: "viewport", x: to.x + 1, y: to.y, duration: 50 })
    .perform(true);
}

/** Put `value` in the open form's field `name` as typing would. */
const fill = (b, form, name, value) => set(b, `[data-testid=${form}] [name=${name}]`, value);

const day = async (b, d) => (await find(b, `[data-day="${d}"]`)).getHTML();

test("a release manager adds, changes and removes a freeze in the app, in French, each mistake said beside its field", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Cal", "--name", "Ann", "--email", "ann@example.com");
  createRelease(
    dir,
    "api",
    "2.0.0",
    "prod",
    "--start",
    "2027-03-19T19:00",
    "--end",
    "2027-03-19T20:00",
    "--tz",
    "UTC",
  );
  await withApp("calendar-edit", dir, async (b) => {
    await inFrench(b);
    await march(b);
    await (await find(b, "[data-testid=add-entry]")).click();
    const form = await find(b, "[data-testid=entry-form]");
    // Every mistake at once, each beside its field, in French.
    await fill(b, "entry-form", "name", "");
    await fill(b, "entry-form", "start", "2027-03-19T18:00");
    await fill(b, "entry-form", "end", "2027-03-19T17:00");
    await fill(b, "entry-form", "tz", "Europe/Atlantide");
    await (await find(b, "[data-testid=save-entry]")).click();
    await until(b, async () => (await errorOf(b, "name")) !== null, "the name's problem");
    assert.equal(
      await errorOf(b, "name"),
      "Donnez un nom à l’entrée, par exemple «\u00a0Gel de fin d’année\u00a0».",
    );
    assert.match(
      await errorOf(b, "tz"),
      /«\u00a0Europe\/Atlantide\u00a0» n’est pas un fuseau horaire/,
    );
    assert.equal(await errorOf(b, "end"), "La fin doit venir après le début.");
    await fill(b, "entry-form", "name", "Gel de fin de trimestre");
    await fill(b, "entry-form", "tz", "UTC");
    await (await find(b, "[data-testid=save-entry]")).click();
    await until(b, async () => (await errorOf(b, "name")) === null, "the name accepted");
    assert.equal(await errorOf(b, "end"), "La fin doit venir après le début.");
    // A rule typed in that cannot repeat is said beside it, in French: what is mistaken.
    await fill(b, "entry-form", "end", "2027-03-22T06:00");
    await (await form.$("select[name=repeat]")).selectByAttribute("value", "custom");
    await fill(b, "entry-form", "rrule", "FREQ=FORTNIGHTLY");
    await (await find(b, "[data-testid=save-entry]")).click();
    await until(b, async () => (await errorOf(b, "rrule")) !== null, "the rule's problem");
    assert.equal(
      await errorOf(b, "rrule"),
      "«\u00a0FORTNIGHTLY\u00a0» n’est pas une fréquence\u00a0: écrivez FREQ= suivi de HOURLY, DAILY, WEEKLY, MONTHLY ou YEARLY.",
    );
    await fill(b, "entry-form", "rrule", "FREQ=YEARLY;BYMONTH=13");
    await (await find(b, "[data-testid=save-entry]")).click();
    await until(
      b,
      async () => (await errorOf(b, "rrule"))?.startsWith("BYMONTH"),
      "the second rule's problem",
    );
    assert.equal(
      await errorOf(b, "rrule"),
      "BYMONTH prend des nombres entiers de 1 à 12\u202f; «\u00a013\u00a0» n’en est pas un.",
    );
    await screenshot(b, "calendar-entry-errors-fr");
    assert.equal(cli(dir, "calendar", "entries").length, 0, "nothing recorded");
    // Right at last: a hard freeze every month, on prod only, until June.
    await (await form.$("select[name=repeat]")).selectByAttribute("value", "monthly");
    await fill(b, "entry-form", "until", "2027-06-30");
    await fill(b, "entry-form", "environments", "prod");
    await fill(b, "entry-form", "reason", "Clôture comptable");
    await (await find(b, "[data-testid=save-entry]")).click();
    await until(b, async () => cli(dir, "calendar", "entries").length === 1, "recorded");
    const [entry] = cli(dir, "calendar", "entries");
    assert.equal(entry.name, "Gel de fin de trimestre");
    assert.equal(entry.level, "hard");
    assert.equal(entry.tz, "UTC");
    assert.equal(entry.start, "2027-03-19T18:00");
    assert.equal(entry.rrule, "FREQ=MONTHLY;UNTIL=20270630T235959");
    assert.deepEqual(entry.scope.environments, ["prod"]);
    assert.equal(entry.reason, "Clôture comptable");
    // On the month, and the release inside it is a conflict now.
    await until(b, async () => /Gel de fin de trimestre/.test(await day(b, "2027-03-20")), "drawn");
    const conflicts = await find(b, "[data-testid=calendar-conflicts]");
    await until(b, async () => /api 2\.0\.0/.test(await conflicts.getText()), "the conflict");
    // Changed into a soft freeze: the form opens with what was recorded.
    await (await find(b, '[data-day="2027-03-20"] [data-entry="Gel de fin de trimestre"]')).click();
    await (await find(b, "[data-testid=edit-entry]")).click();
    const again = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await again.$("select[name=repeat]")).getValue(), "monthly");
    assert.equal(await (await again.$("[name=environments]")).getValue(), "prod");
    await (await again.$("select[name=kind]")).selectByAttribute("value", "soft");
    await screenshot(b, "calendar-entry-edit-fr");
    await (await find(b, "[data-testid=save-entry]")).click();
    await until(b, async () => cli(dir, "calendar", "entries")[0].level === "soft", "soft now");
    assert.equal(cli(dir, "calendar", "entries")[0].rrule, entry.rrule, "the rule kept");
    // Removed, after saying what it means; the release is free again.
    await (await find(b, '[data-day="2027-03-20"] [data-entry="Gel de fin de trimestre"]')).click();
    await (await find(b, "[data-testid=remove-entry]")).click();
    const ask = await find(b, "[data-testid=remove-entry-dialog]");
    assert.match(await ask.getText(), /Retirer «\sGel de fin de trimestre\s» \(Gel souple\)\s\?/);
    assert.match(await ask.getText(), /Son historique reste dans le registre\./);
    await screenshot(b, "calendar-remove-fr");
    await (await find(b, "[data-testid=confirm-remove]")).click();
    await until(b, async () => cli(dir, "calendar", "entries").length === 0, "removed");
    await until(b, async () => !/api 2\.0\.0/.test(await conflicts.getText()), "no conflict");
    const kinds = cli(dir, "audit", "log").map((e) => e.kind);
    for (const k of ["calendar.entry_added", "calendar.entry_updated", "calendar.entry_removed"])
      assert.ok(kinds.includes(k), `${k} signed`);
  });
});

test("a calendar client's file is imported in the app and the calendar is written out as .ics", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Cal", "--name", "Ann", "--email", "ann@example.com");
  const files = dataDir();
  // Written by Outlook: a weekly series with a moved and a cancelled occurrence.
  const outlook = join(files, "outlook.ics");
  copyFileSync(join(ROOT, "tests/corpus/ics/outlook-series-with-changes.ics"), outlook);
  const junk = join(files, "notes.ics");
  writeFileSync(junk, "hello world\n");
  await withApp("calendar-import", dir, async (b) => {
    await march(b);
    await (await find(b, "[data-testid=import-ics]")).click();
    const form = await find(b, "[data-testid=import-form]");
    // A file that is not a calendar is said beside the file, nothing imported.
    await (await find(b, "[data-testid=choose-file]")).click();
    await answerFileDialog(junk);
    await until(b, async () => (await (await form.$("[name=file]")).getValue()) === junk, "chosen");
    await (await find(b, "[data-testid=import-calendar]")).click();
    await until(b, async () => (await errorOf(b, "file")) !== null, "the file's problem");
    assert.match(await errorOf(b, "file"), /^Line 1 of the file cannot be read as a calendar: /);
    // A path typed without its folders: the app has no current folder to read it from.
    await fill(b, "import-form", "file", "outlook.ics");
    await (await find(b, "[data-testid=import-calendar]")).click();
    await until(
      b,
      async () => /full path/.test((await errorOf(b, "file")) ?? ""),
      "the typed path's problem",
    );
    assert.equal(
      await errorOf(b, "file"),
      "“outlook.ics” is not a full path: Relm has no current folder to read it from. Write the whole path, from the root, or choose it.",
    );
    assert.equal(cli(dir, "calendar", "entries").length, 0);
    // Outlook's file, as maintenance windows on prod.
    await fill(b, "import-form", "file", outlook);
    await (await form.$("select[name=kind]")).selectByAttribute("value", "window");
    await fill(b, "import-form", "environments", "prod");
    await screenshot(b, "calendar-import");
    await (await find(b, "[data-testid=import-calendar]")).click();
    const done = await find(b, "[data-testid=imported]");
    assert.match(await done.getText(), /Calendar imported: 1 entry added, 0 updated\./);
    const entries = cli(dir, "calendar", "entries");
    assert.equal(entries.length, 1);
    assert.equal(entries[0].kind, "window");
    assert.deepEqual(entries[0].scope.environments, ["prod"]);
    const name = entries[0].name;
    // A file read leniently says how, line by line, in the reader's language.
    await inFrench(b);
    await march(b);
    await (await find(b, "[data-testid=import-ics]")).click();
    const again = await find(b, "[data-testid=import-form]");
    await fill(b, "import-form", "file", join(ROOT, "tests/corpus/ics/no-end.ics"));
    await (await again.$("select[name=kind]")).selectByAttribute("value", "soft");
    await (await find(b, "[data-testid=import-calendar]")).click();
    const read = await find(b, "[data-testid=imported]");
    await until(b, async () => /4 entrées ajoutées/.test(await read.getText()), "imported");
    assert.match(
      await read.getText(),
      /Ligne 7\s: 2 événements n’ont ni DTEND ni DURATION\s: un événement sur la journée dure sa journée/,
    );
    assert.match(
      await read.getText(),
      /Ligne 20\s: 1 événement sur la journée finit quand il commence\s: lu comme durant sa journée\./,
    );
    await screenshot(b, "calendar-import-notes-fr");
    await b.execute(() => (location.hash = "#/settings"));
    await (await find(b, "[data-testid=language]")).selectByAttribute("value", "en");
    await until(
      b,
      async () => (await b.execute(() => document.documentElement.lang)) === "en",
      "back in English",
    );
    // An imported entry with exceptions is changed in its calendar, not in the form.
    const first = cli(dir, "calendar", "list", "--from", "2027-01-01", "--to", "2028-01-01").find(
      (o) => o.name === name,
    );
    await b.execute((d) => (location.hash = `#/calendar?date=${d}`), first.start_utc.slice(0, 10));
    await (
      await find(b, `[data-day="${first.start_utc.slice(0, 10)}"] [data-entry="${name}"]`)
    ).click();
    await find(b, "[data-testid=entry-from-file]");
    assert.equal(await b.$("[data-testid=edit-entry]").isExisting(), false);
    // The whole calendar written out, and read back by the command line's own reader.
    const out = join(files, "relm.ics");
    await (await find(b, "[data-testid=export-ics]")).click();
    await answerFileDialog(out);
    await until(b, async () => existsSync(out), "written");
    const text = readFileSync(out, "utf8");
    assert.match(text, /^BEGIN:VCALENDAR\r\n/);
    assert.ok(text.includes(`SUMMARY:${name}`), "the window exported");
    await screenshot(b, "calendar-imported");
    // The File menu's "New freeze or window…" leads here from any page, the form open.
    await b.execute(() => (location.hash = "#/risks"));
    await b.execute(() => (location.hash = "#/calendar/new"));
    await find(b, "[data-testid=entry-form]");
    assert.equal(await b.execute(() => location.hash), "#/calendar");
    // A double click on a day's free space opens it on that day.
    await (await find(b, "[data-testid=entry-form] button[type=button]")).click();
    await march(b);
    await (await find(b, '[data-day="2027-03-10"] .num')).doubleClick();
    const onDay = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await onDay.$("input[name=start]")).getValue(), "2027-03-10T18:00");
    // Days drawn across, right to left, from Friday to Wednesday: the form opens over them,
    // whole days; the days are marked while the pointer is down.
    await (await onDay.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    const friday = await find(b, '[data-day="2027-03-12"] .num');
    const wednesday = await find(b, '[data-day="2027-03-10"] .num');
    await b
      .action("pointer")
      .move({ origin: friday })
      .down()
      .move({ origin: wednesday, duration: 100 })
      .move({ origin: wednesday, x: 2, duration: 50 })
      .perform(true);
    const marked = await b.execute(() =>
      [...document.querySelectorAll(".day.drawn")].map((d) => d.dataset.day),
    );
    assert.deepEqual(marked, ["2027-03-10", "2027-03-11", "2027-03-12"]);
    await screenshot(b, "calendar-drawing");
    await b.action("pointer").up().perform();
    const drawn = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await drawn.$("input[name=start]")).getValue(), "2027-03-10T00:00");
    assert.equal(await (await drawn.$("input[name=end]")).getValue(), "2027-03-13T00:00");
    await screenshot(b, "calendar-drawn-entry");
    await (await drawn.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    // From the keyboard: the grid is one tab stop; the arrows go from day to day, Shift marks
    // days across, Escape lets the marks go, Enter opens the form over the days marked.
    await b.execute(() => document.querySelector('[data-day="2027-03-15"]').focus());
    const focused = () => b.execute(() => document.activeElement?.dataset.day ?? null);
    const selected = () =>
      b.execute(() =>
        [...document.querySelectorAll('.day[aria-selected="true"]')].map((d) => d.dataset.day),
      );
    await b.keys(["ArrowRight"]);
    assert.equal(await focused(), "2027-03-16");
    await b.keys(["ArrowDown"]);
    assert.equal(await focused(), "2027-03-23");
    await b.keys(["ArrowUp"]);
    await withShift(b, Key.ArrowRight, 2);
    assert.equal(await focused(), "2027-03-18");
    assert.deepEqual(await selected(), ["2027-03-16", "2027-03-17", "2027-03-18"]);
    assert.equal(
      await b.execute(() => document.activeElement?.getAttribute("aria-label")),
      "Thursday, March 18, 2027",
    );
    await b.keys(["Escape"]);
    assert.deepEqual(await selected(), []);
    await withShift(b, Key.ArrowLeft, 2);
    await screenshot(b, "calendar-keyboard-marked");
    await b.keys(["Enter"]);
    const keyed = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await keyed.$("input[name=start]")).getValue(), "2027-03-16T00:00");
    assert.equal(await (await keyed.$("input[name=end]")).getValue(), "2027-03-19T00:00");
    // In the week, times are drawn: Tuesday from 09:00 down into the 11:45 quarter-hour.
    await (await keyed.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    await (await find(b, "[data-view=week]")).click();
    const tuesday = await find(b, '[data-col="2027-03-16"]');
    const at = (minute) =>
      b.execute(
        (col, m) => {
          const r = col.getBoundingClientRect();
          return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + (m / 60) * 28 + 3) };
        },
        tuesday,
        minute,
      );
    const [nine, late] = [await at(9 * 60), await at(11 * 60 + 45)];
    await holdAcross(b, nine, late);
    const span = await find(b, '[data-col="2027-03-16"] [data-testid=drawn-span]');
    await screenshot(b, "calendar-week-drawing");
    assert.match(await b.execute((e) => e.textContent, span), /9:00.*12:00/);
    await b.action("pointer").up().perform();
    const timed = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await timed.$("input[name=start]")).getValue(), "2027-03-16T09:00");
    assert.equal(await (await timed.$("input[name=end]")).getValue(), "2027-03-16T12:00");
    // Escape lets a drawing go: no form.
    await (await timed.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    await holdAcross(b, nine, late);
    await find(b, "[data-testid=drawn-span]");
    await b.keys("Escape");
    await until(b, async () => (await b.$$("[data-testid=drawn-span]")).length === 0, "let go");
    await b.action("pointer").up().perform();
    assert.equal((await b.$$("[data-testid=entry-form]")).length, 0, "no form after Escape");
    // From the keyboard, the week's times are one tab stop: the cursor starts at 09:00 on the
    // week's first day (today is not in it); the arrows move it a day or a quarter-hour, Page
    // Down an hour, Shift marks the times across, Escape lets them go, Enter opens the form.
    await b.execute(() => document.querySelector("[data-testid=week-times]").focus());
    const cursorAt = () =>
      b.execute(() => document.querySelector("[data-testid=week-cursor]")?.dataset.at ?? null);
    await b.keys(["ArrowRight"]);
    assert.equal(await cursorAt(), "2027-03-16T0540");
    await b.keys(["PageDown"]);
    await withShift(b, Key.ArrowDown, 5);
    assert.equal(await cursorAt(), "2027-03-16T0675");
    const keyedSpan = await find(b, '[data-col="2027-03-16"] [data-testid=drawn-span]');
    assert.match(await b.execute((e) => e.textContent, keyedSpan), /10:00.*11:30/);
    // A screen reader hears the times marked, with their date and zone.
    assert.match(
      await b.execute(() => document.getElementById("week-cursor-said").textContent),
      /Mar 16, 2027.*10:00.*11:30.*UTC/,
    );
    await screenshot(b, "calendar-week-keyboard");
    await b.keys(["Escape"]);
    await until(b, async () => (await b.$$("[data-testid=drawn-span]")).length === 0, "unmarked");
    await withShift(b, Key.ArrowUp, 3);
    await b.keys(["Enter"]);
    const weekKeyed = await find(b, "[data-testid=entry-form]");
    // Marked upwards from 11:15: the quarter-hour the marks began in is in them.
    assert.equal(await (await weekKeyed.$("input[name=start]")).getValue(), "2027-03-16T10:30");
    assert.equal(await (await weekKeyed.$("input[name=end]")).getValue(), "2027-03-16T11:30");
    await (await weekKeyed.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    // On the timeline, time drawn on a lane is for its environment, by the hour: Tuesday from
    // 09:00 to 17:00 on prod (the lane of the imported window).
    await (await find(b, "[data-view=timeline]")).click();
    const track = await find(b, "[data-lane=prod] .track");
    // A lane for each environment the policy names, in promotion order, empty or not.
    assert.deepEqual(
      await b.execute(() =>
        [...document.querySelectorAll("[data-lane]")].map((l) => l.dataset.lane),
      ),
      ["dev", "test", "staging", "prod"],
    );
    const hourOfWeek = (h) =>
      b.execute(
        (el, h) => {
          const r = el.getBoundingClientRect();
          return { x: Math.round(r.left + (r.width * h) / (7 * 24)), y: Math.round(r.top + 8) };
        },
        track,
        h,
      );
    const [from, to] = [await hourOfWeek(24 + 9), await hourOfWeek(24 + 17)];
    await holdAcross(b, from, to);
    const lane = await find(b, "[data-lane=prod] [data-testid=drawn-span]");
    await screenshot(b, "calendar-timeline-drawing");
    assert.match(await b.execute((e) => e.textContent, lane), /9:00.*5:00/);
    await b.action("pointer").up().perform();
    const forProd = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await forProd.$("input[name=start]")).getValue(), "2027-03-16T09:00");
    assert.equal(await (await forProd.$("input[name=end]")).getValue(), "2027-03-16T17:00");
    assert.equal(await (await forProd.$("input[name=environments]")).getValue(), "prod");
    await (await forProd.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    // From the keyboard, on the lanes: the cursor starts at 09:00 on the week's first day on the
    // first lane; up and down go from lane to lane, Page Down a day, Shift and the arrows mark
    // hours on the lane, Enter opens the form for its environment.
    await b.execute(() => document.querySelector("[data-testid=calendar-timeline]").focus());
    const laneAt = () =>
      b.execute(() => {
        const c = document.querySelector("[data-testid=lane-cursor]");
        return c ? `${c.closest("[data-lane]").dataset.lane} ${c.dataset.at}` : null;
      });
    for (const k of ["ArrowDown", "ArrowDown", "ArrowDown", "PageDown"]) await b.keys([k]);
    assert.equal(await laneAt(), "prod 2027-03-16T09:00");
    await withShift(b, Key.ArrowRight, 3);
    const keyedLane = await find(b, "[data-lane=prod] [data-testid=drawn-span]");
    assert.match(await b.execute((e) => e.textContent, keyedLane), /9:00.*1:00/);
    assert.match(
      await b.execute(() => document.getElementById("lane-cursor-said").textContent),
      /^prod, .*Mar 16, 2027.*9:00.*1:00.*UTC/,
    );
    await screenshot(b, "calendar-timeline-keyboard");
    await b.keys(["Enter"]);
    const laneKeyed = await find(b, "[data-testid=entry-form]");
    assert.equal(await (await laneKeyed.$("input[name=start]")).getValue(), "2027-03-16T09:00");
    assert.equal(await (await laneKeyed.$("input[name=end]")).getValue(), "2027-03-16T13:00");
    assert.equal(await (await laneKeyed.$("input[name=environments]")).getValue(), "prod");
    await (await laneKeyed.$("button[type=button]")).click();
    await until(b, async () => (await b.$$("[data-testid=entry-form]")).length === 0, "closed");
    await (await find(b, "[data-view=month]")).click();
  });
});
