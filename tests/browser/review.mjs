// Reviews one item in the Tamis console with the system Chromium and the keyboard alone:
// signs in, corrects the first field the page flags, validates with Enter, and takes the
// screenshots. On the login, review and dashboard pages it runs axe-core's WCAG 2 A/AA rules and
// fails on any serious or critical violation (reports in ARTIFACTS/axe-<page>.json).
// Run by tests/console.rs; prints one JSON line: {"field", "value", "document_id", "axe"}.
// Environment: CONSOLE_URL, CONSOLE_USER, CONSOLE_PASSWORD, CORRECTED_VALUE, ARTIFACTS, CHROMIUM.
// With ONLY=dashboard (and AGED_QUEUE, a viewer's login): the dashboard alone, once the age of
// AGED_QUEUE's oldest item shows; prints {"age", "axe"}.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing environment variable ${k}`);
  return v;
};
const base = env("CONSOLE_URL");
const artifacts = env("ARTIFACTS");
mkdirSync(artifacts, { recursive: true });

// WCAG 2.0, 2.1 and 2.2, levels A and AA (RGAA 4 follows WCAG 2.1 AA).
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const BLOCKING = ["serious", "critical"];
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const audits = {};

// Runs axe on the page as it stands. Injected through the DevTools protocol, which the console's
// Content-Security-Policy (no inline script) does not apply to. The report names rules and CSS
// selectors, never the page's text; `incomplete` lists what axe could not decide (for a person).
async function audit(page, name) {
  await page.evaluate(axeSource);
  const report = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    const brief = (v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
    });
    return { violations: r.violations.map(brief), incomplete: r.incomplete.map(brief), passes: r.passes.length };
  }, WCAG_TAGS);
  // A run that checked nothing would pass everything.
  if (report.passes === 0) throw new Error(`axe-core checked no rule on the ${name} page`);
  writeFileSync(`${artifacts}/axe-${name}.json`, JSON.stringify(report, null, 2));
  audits[name] = report.violations;
}

// The audit must be able to fail: a page with an unlabelled field and no language is caught.
async function auditSelfCheck(context) {
  const page = await context.newPage();
  await page.setContent('<html><head><title>t</title></head><body><main><input type="text"></main></body></html>');
  await page.evaluate(axeSource);
  const ids = await page.evaluate(async (tags) => (await window.axe.run(document, { runOnly: { type: "tag", values: tags } })).violations.map((v) => v.id), WCAG_TAGS);
  await page.close();
  if (!ids.includes("label") || !ids.includes("html-has-lang")) throw new Error(`axe-core missed known violations: ${ids}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Root in CI containers cannot use Chromium's sandbox.
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "fr-FR" });
  await auditSelfCheck(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  if (process.env.ONLY === "dashboard") {
    await dashboardWithAges(page);
  } else {
    await reviewOneItem(page);
  }
} finally {
  await browser.close();
}

// Signs in (a viewer lands on the dashboard), waits until the live refresh shows the age of the
// oldest item of AGED_QUEUE, and takes the dashboard screenshot. Prints {"age", "axe"}.
async function dashboardWithAges(page) {
  const queue = env("AGED_QUEUE");
  await page.goto(`${base}/login?lang=en`);
  await page.fill("#username", env("CONSOLE_USER"));
  await page.fill("#password", env("CONSOLE_PASSWORD"));
  await page.press("#password", "Enter");
  await page.waitForURL(/\/dashboard/);
  await page.waitForFunction(() => document.getElementById("m-updated").textContent !== "—", null, { timeout: 15000 });
  await page.waitForFunction((q) => /\d/.test(document.querySelector(`[data-age="${q}"]`).textContent), queue, { timeout: 30000 });
  await page.screenshot({ path: `${artifacts}/dashboard.png`, fullPage: true });
  await audit(page, "dashboard-ages");
  const age = (await page.textContent(`[data-age="${queue}"]`)).trim();
  console.log(JSON.stringify({ age, axe: verdict() }));
}

// Fails on a serious or critical WCAG violation; the rules each audited page broke otherwise.
function verdict() {
  const blocking = Object.entries(audits).flatMap(([name, vs]) =>
    vs.filter((v) => BLOCKING.includes(v.impact)).map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  );
  if (blocking.length > 0) throw new Error(`WCAG violations (axe-core):\n${blocking.join("\n")}`);
  return Object.fromEntries(Object.entries(audits).map(([name, vs]) => [name, vs.map((v) => `${v.id}:${v.impact}`)]));
}

// What the review page calls things: the title, each field's label and value, the type options,
// and the language of each reason's sentence (null: the page's own).
async function namesShown(page) {
  return page.evaluate(() => ({
    title: document.querySelector("h1").textContent.trim(),
    fields: [...document.querySelectorAll('form#decision label[for^="f-"]')].map((l) => ({
      name: l.htmlFor.slice(2),
      label: l.textContent.trim(),
      value: document.getElementById(l.htmlFor).value,
    })),
    types: [...document.querySelectorAll("#doc_type option")].map((o) => [o.value, o.textContent.trim()]),
    reasons: [...document.querySelectorAll("ul.reasons li > span")].map((s) => ({ lang: s.getAttribute("lang"), text: s.textContent.trim() })),
  }));
}

async function reviewOneItem(page) {
  // French from Accept-Language, then the switch to English (a cookie).
  await page.goto(`${base}/login`);
  if ((await page.getAttribute("html", "lang")) !== "fr") throw new Error("the login page is not in French for a French browser");
  await audit(page, "login");
  await page.goto(`${base}/login?lang=en`);
  if ((await page.textContent("h1")).trim() !== "Sign in to Tamis") throw new Error("the language switch did not work");

  // A wrong password first: the error is announced (role=alert) and the page stays accessible.
  await page.fill("#username", env("CONSOLE_USER"));
  await page.fill("#password", "not the password");
  await page.press("#password", "Enter");
  await page.waitForSelector("[role=alert]");
  await audit(page, "login-error");
  await page.goto(`${base}/login`);

  // Sign in with the keyboard: the login field has the focus. Chromium applies `autofocus` at a
  // rendering update after load, so wait for it (typing earlier lost keys on a loaded CI machine).
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "username");
  await page.keyboard.type(env("CONSOLE_USER"));
  await page.keyboard.press("Tab");
  await page.keyboard.type(env("CONSOLE_PASSWORD"));
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/review/);
  await page.waitForSelector("form#decision");
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  // Focusing the first flagged field may have scrolled; show the page from its top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}/review.png`, fullPage: false });
  await audit(page, "review");
  const shown = {};
  shown.en = await namesShown(page);

  // The same item in French (the held item comes back): types, fields and reasons named for
  // people, dates and amounts in French form. Then back to English for the rest of the walk.
  await page.goto(`${base}/review?lang=fr`);
  await page.waitForSelector("form#decision");
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}/review-fr.png`, fullPage: false });
  await audit(page, "review-fr");
  shown.fr = await namesShown(page);
  await page.goto(`${base}/review?lang=en`);
  await page.waitForSelector("form#decision");

  // The first flagged field has the focus; its box is highlighted on the page.
  const field = await page.evaluate(() => document.activeElement && document.activeElement.name);
  if (!field || !field.startsWith("f.")) throw new Error(`no field has the focus (${field})`);
  const highlighted = await page.evaluate(() => {
    const id = document.activeElement.getAttribute("data-box");
    const box = id && document.getElementById(id);
    return box ? box.classList.contains("active") : null;
  });
  const documentId = await page.textContent("dl.meta dd code");
  const value = env("CORRECTED_VALUE");
  await page.keyboard.press("Control+A");
  await page.keyboard.type(value);
  await page.screenshot({ path: `${artifacts}/review-correcting.png`, fullPage: false });
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/review\?done=1/);
  const flash = await page.textContent("[role=status]");
  if (!/Decision recorded/.test(flash)) throw new Error(`no confirmation after the decision: ${flash}`);
  await audit(page, "review-done");

  await page.goto(`${base}/dashboard`);
  // Let the live refresh run once.
  await page.waitForFunction(() => document.getElementById("m-updated").textContent !== "—", null, { timeout: 15000 });
  await page.screenshot({ path: `${artifacts}/dashboard.png`, fullPage: true });
  await audit(page, "dashboard");

  // After the review went through, so that a failure here leaves no item half decided.
  const axe = verdict();
  console.log(JSON.stringify({ field: field.slice(2), value, document_id: documentId.trim(), box_highlighted: highlighted, shown, axe }));
}
