// What a release contains, in the real app: an SBOM npm wrote is attached from the release page
// through the system's file dialog; the page lists its packages, what changed since the
// previous version (an upgrade, two downgrades, a package added) and the licence the policy
// denies; a bad file is refused beside the button; the search finds which releases ship a
// package.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import {
  answerFileDialog,
  cli,
  createRelease,
  dataDir,
  find,
  inFrench,
  screenshot,
  stopDriver,
  until,
  withApp,
} from "./harness.mjs";

after(stopDriver);

const CORPUS = resolve(import.meta.dirname, "../corpus/sbom");

/** What `npm sbom` writes for the fixture project `project`, saved under `dir`. */
function npmSbom(project, dir) {
  const out = execFileSync("npm", ["sbom", "--package-lock-only", "--sbom-format", "cyclonedx"], {
    cwd: join(CORPUS, project),
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  const file = join(dir, `${project}.cdx.json`);
  writeFileSync(file, out);
  return file;
}

test("an SBOM attached in the app shows its packages, the diff and a licence finding", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Shop", "--name", "Ada", "--email", "ada@example.com");
  // A policy that denies the WTFPL (left-pad's licence) in production.
  const policy = execFileSync(join(resolve(import.meta.dirname, "../.."), "target/debug/relm"), [
    "--data-dir",
    dir,
    "policy",
    "export",
  ]).toString();
  const file = join(dir, "policy.toml");
  writeFileSync(
    file,
    `${policy}\n[[rules]]\nid = "contents"\nkind = "sbom"\nwhen = { tiers = ["production"] }\ndeny_licenses = ["WTFPL"]\n`,
  );
  cli(dir, "policy", "apply", file, "--note", "no WTFPL");
  const create = (version) =>
    createRelease(dir, "shop", version, "prod", "--component", `web|${version}`);
  const v1 = create("1.0.0");
  cli(dir, "sbom", "attach", v1, "--component", "web", npmSbom("npm-shop-1", dir));
  const v2 = create("1.1.0");
  const sbom = npmSbom("npm-shop-2", dir);
  const bad = join(dir, "package.json");
  writeFileSync(bad, '{"name": "shop", "version": "1.1.0"}');
  await withApp("contents", dir, async (b) => {
    await b.execute((id) => (location.hash = `#/releases/${id}`), v2);
    const panel = await find(b, "[data-testid=contents]");
    await until(b, async () => /No SBOM attached yet/.test(await panel.getText()), "no SBOM yet");
    // A file that is not an SBOM: refused, said beside the button.
    await (await find(b, "[data-testid=sbom-attach-button]")).click();
    await answerFileDialog(bad);
    await until(
      b,
      async () =>
        /neither CycloneDX/.test(
          (await b.execute(() => document.querySelector("[data-error=file]")?.textContent)) ?? "",
        ),
      "the refusal beside the button",
    );
    // The SBOM npm wrote.
    await (await find(b, "[data-testid=sbom-attach-button]")).click();
    await answerFileDialog(sbom);
    const text = () => b.execute(() => document.querySelector("[data-testid=contents]").innerText);
    await until(b, async () => /lodash/.test(await text()), "the packages listed");
    const shown = await text();
    assert.match(shown, /Since shop 1\.0\.0/);
    assert.match(shown, /↑ lodash 4\.17\.20 → 4\.17\.21/);
    assert.match(shown, /↓ is-number 7\.0\.0 → 6\.0\.0/);
    assert.match(shown, /\+ debug 2\.6\.9/);
    assert.match(
      await (await find(b, "[data-testid=sbom-findings]")).getText(),
      /left-pad 1\.3\.0 \(web\): WTFPL/,
    );
    // Which releases ship lodash: both versions.
    await (await find(b, "[data-testid=sbom-where] input[name=package]")).setValue("lodash");
    await (await find(b, "[data-testid=sbom-where] button")).click();
    await until(
      b,
      async () => (await b.$$("[data-testid=sbom-where-list] li")).length === 2,
      "two releases ship lodash",
    );
    await screenshot(b, "release-contents");
    // In French: the panel's words, typeset as French asks.
    await inFrench(b);
    await b.execute((id) => (location.hash = `#/releases/${id}`), v2);
    await until(b, async () => /Depuis shop 1\.0\.0/.test(await text()), "the panel in French");
    const fr = await text();
    assert.match(fr, /Licences que la politique refuse/);
    assert.match(fr, /left-pad 1\.3\.0 \(web\)\u00a0: WTFPL/);
    assert.match(fr, /1 ajouté, 0 retiré, 1 mis à jour, 2 revenus en arrière, 1 inchangé/);
    // A refused file, said in French beside the button.
    await (await find(b, "[data-testid=sbom-attach-button]")).click();
    await answerFileDialog(bad);
    await until(
      b,
      async () =>
        /package\.json n’est ni du CycloneDX ni du SPDX/.test(
          (await b.execute(() => document.querySelector("[data-error=file]")?.textContent)) ?? "",
        ),
      "the refusal in French",
    );
    await b.execute(() => document.querySelector("[data-testid=sbom-diff]").scrollIntoView());
    await screenshot(b, "release-contents-fr");
  });
  // On record: the attachment, signed; the gate names the denied licence.
  const show = cli(dir, "sbom", "show", v2);
  assert.equal(show.components[0].packages.length, 5);
  let verdict;
  try {
    execFileSync(join(resolve(import.meta.dirname, "../.."), "target/debug/relm"), [
      "--data-dir",
      dir,
      "--json",
      "check",
      "--release",
      v2,
      "--env",
      "prod",
    ]);
  } catch (e) {
    verdict = JSON.parse(e.stdout.toString());
  }
  const line = verdict.rules.find((l) => l.rule === "contents");
  assert.match(line.reason, /left-pad 1\.3\.0 \(WTFPL\)/);
});

test("what was odd in an attached SBOM stays listed beside the button, in the reader's language", async () => {
  const dir = dataDir();
  cli(dir, "init", "--workspace", "Shop", "--name", "Ada", "--email", "ada@example.com");
  const id = createRelease(dir, "shop", "2.0.0", "prod", "--component", "web|2.0.0");
  // A CycloneDX document a careless generator wrote: a package twice, a purl that is not one,
  // a package without a name.
  const odd = join(dir, "odd.cdx.json");
  const lib = { name: "lodash", version: "4.17.21", purl: "pkg:npm/lodash@4.17.21" };
  writeFileSync(
    odd,
    JSON.stringify({
      bomFormat: "CycloneDX",
      specVersion: "1.6",
      components: [
        lib,
        lib,
        { name: "zod", version: "3.0.0", purl: "npm/zod@3" },
        { version: "1" },
      ],
    }),
  );
  await withApp("contents-notes", dir, async (b) => {
    const attach = async () => {
      await b.execute((r) => (location.hash = `#/releases/${r}`), id);
      await (await find(b, "[data-testid=sbom-attach-button]")).click();
      await answerFileDialog(odd);
      const notes = await find(b, "[data-testid=sbom-notes]", 20000);
      return b.execute((n) => n.innerText, notes);
    };
    const en = await attach();
    assert.match(en, /How the SBOM of web was read/);
    assert.match(en, /pkg:npm\/lodash@4\.17\.21 is listed more than once; it is kept once\./);
    assert.match(en, /zod: its purl “npm\/zod@3” is malformed; the package is kept without it\./);
    assert.match(en, /Technical detail: package `zod`: purl `npm\/zod@3` is malformed \(/);
    assert.match(en, /A package without a name: left out\./);
    // The packages read are listed; the notes stay until closed.
    const panel = () => b.execute(() => document.querySelector("[data-testid=contents]").innerText);
    await until(b, async () => /zod/.test(await panel()), "the packages listed");
    await (await find(b, "[data-testid=sbom-notes] button")).click();
    await until(
      b,
      async () => !(await b.execute(() => !!document.querySelector("[data-testid=sbom-notes]"))),
      "the notes closed",
    );
    await inFrench(b);
    const fr = await attach();
    assert.match(fr, /Lecture de la SBOM de web\u00a0: ce qu’elle avait d’inhabituel/);
    assert.match(
      fr,
      /pkg:npm\/lodash@4\.17\.21 figure plusieurs fois\u202f; il est gardé une fois\./,
    );
    assert.match(fr, /zod\u00a0: son purl «\u00a0npm\/zod@3\u00a0» est mal formé/);
    assert.match(fr, /Un paquet sans nom\u00a0: écarté\./);
    await b.execute(() => document.querySelector("[data-testid=sbom-notes]").scrollIntoView());
    await screenshot(b, "release-contents-notes-fr");
  });
});
