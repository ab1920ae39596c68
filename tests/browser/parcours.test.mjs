// An agent's first visit in a real browser (Debian's Chromium, driven by playwright-core), over HTTPS with
// the server's self-signed certificate: login with the temporary password, forced change (AU-2), QF search
// by NIR (CO-1), logout. Also checks that no page breaks its own Content-Security-Policy.
//
// Run: PARTAGE_BIN=target/debug/partage node --test tests/browser/   (after `cargo build`);
// PARTAGE_CAPTURES=DIR keeps a screenshot of the QF page there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const bin = resolve(process.env.PARTAGE_BIN ?? "target/debug/partage");
const work = mkdtempSync(join(tmpdir(), "partage-browser-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `https://127.0.0.1:${port}`;
const env = { ...process.env, PARTAGE_DATABASE_URL: `sqlite://${work}/demo.sqlite`, PARTAGE_DATA_DIR: work };
let server;
let browser;
let agent;

/** The first agent habilitated to QF through a convention in force, and a NIR in his partner's competence. */
function pickAgent(jsonl) {
  const records = jsonl.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const inForce = new Set(records.filter((r) => r.type === "convention" && r.formalite_cnil_le && !r.fin_le).map((r) => r.numero));
  const user = records.find((r) => r.type === "utilisateur" && r.habilitations.length > 0 && r.habilitations.every((h) => inForce.has(h.convention) && h.bouquet === "QF"));
  const partner = records.find((r) => r.type === "partenaire" && r.caisse === user.caisse && r.numero_tiers === user.partenaire);
  const dossier = records.find((r) => r.type === "dossier" && r.caisse === user.caisse && partner.departements.includes(r.departement) && !r.opposition && r.allocataires[0].nir);
  return { user, dossier };
}

before(async () => {
  execFileSync(bin, ["demo", "--dossiers", "50", "--ecrire", join(work, "demo.jsonl")], { env, stdio: ["ignore", "ignore", "inherit"] });
  agent = pickAgent(readFileSync(join(work, "demo.jsonl"), "utf8"));
  execFileSync(bin, ["import", join(work, "demo.jsonl")], { env, stdio: ["ignore", "ignore", "inherit"] });
  server = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`], { env, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error("le serveur n'a pas démarré")), 30000);
    server.stderr.on("data", (d) => { if (String(d).includes("en service")) { clearTimeout(timer); ok(); } });
    server.on("exit", (code) => ko(new Error(`le serveur s'est arrêté (${code})`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

test("au_2_co_1_first_visit_changes_the_password_then_finds_a_qf_by_nir", async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "fr-FR" });
  const page = await context.newPage();
  const cspViolations = [];
  page.on("console", (m) => { if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text()); });

  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute("html", "lang"), "fr");
  await page.getByLabel(/caisse/i).fill(agent.user.caisse);
  await page.getByLabel(/identifiant/i).fill(agent.user.identifiant);
  const password = page.getByLabel(/mot de passe/i);
  await password.fill(agent.user.mot_de_passe_provisoire);
  await password.press("Enter");
  await page.waitForURL(/\/mot-de-passe/);

  // AU-2: nothing else is reachable before the change.
  await page.goto(`${base}/qf`);
  await page.waitForURL(/\/mot-de-passe/);

  const nouveau = "une phrase de passe du navigateur";
  await page.getByLabel(/actuel/i).fill(agent.user.mot_de_passe_provisoire);
  await page.getByLabel(/^nouveau/i).fill(nouveau);
  const confirmation = page.getByLabel(/confirm/i);
  await confirmation.fill(nouveau);
  await confirmation.press("Enter");
  await page.waitForURL(/\/qf/);

  const nir = page.getByLabel(/NIR/);
  await nir.fill(agent.dossier.allocataires[0].nir);
  await nir.press("Enter");
  await page.waitForLoadState("load");
  const text = await page.textContent("body");
  assert.match(text, /Coordonnées du dossier/);
  assert.match(text, /Montant du QF/);
  assert.ok(text.includes(agent.dossier.allocataires[0].nom_naissance), "the allocataire's name is shown");
  assert.ok(!page.url().includes(agent.dossier.allocataires[0].nir), "the NIR never goes into a URL");

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name.startsWith("__Host-"));
  assert.ok(session && session.httpOnly && session.secure && session.sameSite === "Strict", JSON.stringify(cookies));

  await page.screenshot({ path: join(process.env.PARTAGE_CAPTURES ?? work, "qf.png"), fullPage: true });
  assert.deepEqual(cspViolations, []);
  await context.close();
});

test("actors_a_staff_member_enters_the_back_office_changes_his_password_and_opens_every_section", async () => {
  const out = execFileSync(bin, ["personnels", "creer", "--caisse", agent.user.caisse, "--identifiant", "lmoreau",
    "--roles", "admin,habilitation,conventions,supervision", "--nom", "Moreau", "--prenom", "Lucie",
    "--email", "lucie.moreau@caisse.example.fr"], { env, encoding: "utf8" });
  const provisoire = out.trim().split(" ").pop();
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: "fr-FR" });
  const page = await context.newPage();
  const cspViolations = [];
  page.on("console", (m) => { if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text()); });

  await page.goto(`${base}/caisse`);
  await page.getByLabel(/code caisse/i).fill(agent.user.caisse);
  await page.getByLabel(/identifiant/i).fill("lmoreau");
  const password = page.getByLabel(/^mot de passe$/i);
  await password.fill(provisoire);
  await password.press("Enter");
  await page.waitForURL(/\/caisse\/mot-de-passe/);

  const nouveau = "une phrase de passe du personnel";
  await page.getByLabel(/actuel/i).fill(provisoire);
  await page.getByLabel(/^nouveau/i).fill(nouveau);
  const confirmation = page.getByLabel(/confirm/i);
  await confirmation.fill(nouveau);
  await confirmation.press("Enter");
  await page.waitForURL(/\/caisse\/tableau/);
  assert.match(await page.textContent("h1"), /Travaux en attente/);

  // Every section of the menu opens, as a page of the back office, without breaking its own policy.
  const sections = await page.$$eval("nav a", (links) => links.map((a) => a.getAttribute("href")));
  assert.ok(sections.length >= 5, JSON.stringify(sections));
  for (const href of sections) {
    const answer = await page.goto(`${base}${href}`);
    assert.equal(answer.status(), 200, href);
    assert.match(await page.textContent("header"), /Espace de la caisse/, href);
  }
  const session = (await context.cookies()).find((c) => c.name === "__Host-partage-caisse");
  assert.ok(session && session.httpOnly && session.secure && session.sameSite === "Strict");
  assert.deepEqual(cspViolations, []);
  await context.close();
});
