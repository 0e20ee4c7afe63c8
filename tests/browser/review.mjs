// Reviews one item in the Tamis console with the system Chromium and the keyboard alone:
// signs in, corrects the first field the page flags, validates with Enter, and takes the
// screenshots. Run by tests/console.rs; prints one JSON line: {"field", "value", "document_id"}.
// Environment: CONSOLE_URL, CONSOLE_USER, CONSOLE_PASSWORD, CORRECTED_VALUE, ARTIFACTS, CHROMIUM.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing environment variable ${k}`);
  return v;
};
const base = env("CONSOLE_URL");
const artifacts = env("ARTIFACTS");
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Root in CI containers cannot use Chromium's sandbox.
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "fr-FR" });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);

  // French from Accept-Language, then the switch to English (a cookie).
  await page.goto(`${base}/login`);
  if ((await page.getAttribute("html", "lang")) !== "fr") throw new Error("the login page is not in French for a French browser");
  await page.goto(`${base}/login?lang=en`);
  if ((await page.textContent("h1")).trim() !== "Sign in to Tamis") throw new Error("the language switch did not work");

  // Sign in with the keyboard: the login field has the focus.
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

  await page.goto(`${base}/dashboard`);
  // Let the live refresh run once.
  await page.waitForFunction(() => document.getElementById("m-updated").textContent !== "—", null, { timeout: 15000 });
  await page.screenshot({ path: `${artifacts}/dashboard.png`, fullPage: true });
  console.log(JSON.stringify({ field: field.slice(2), value, document_id: documentId.trim(), box_highlighted: highlighted }));
} finally {
  await browser.close();
}
