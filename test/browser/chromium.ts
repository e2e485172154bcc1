/**
 * Headless Chromium for the report's tests: Debian's `chromium` package (or BALLAST_CHROMIUM),
 * driven by playwright-core, which downloads no browser of its own. Every page opens with every
 * request but the report's own file refused and recorded, and with console errors recorded.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type Page, chromium } from "playwright-core";
import { REPO_ROOT } from "../cli/helpers.js";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The browser to drive, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  const given = process.env["BALLAST_CHROMIUM"];
  if (given !== undefined && given !== "") return given;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Why the browser tests skip, or false to run them. CI must run them: there a missing browser is
 * an error, not a skip.
 */
export function skipReason(): string | false {
  if (chromiumPath() !== undefined) return false;
  const why = "chromium is not installed (apt-get install -y chromium, or set BALLAST_CHROMIUM to a Chromium binary)";
  if (process.env["CI"] === "true") throw new Error(`the browser tests must run in CI: ${why}`);
  return why;
}

export function launch(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) throw new Error("no chromium");
  return chromium.launch({ executablePath, headless: true });
}

/** Where the tests leave screenshots for a person to look at. */
export const TEST_OUTPUT = process.env["BALLAST_TEST_OUTPUT"] ?? join(REPO_ROOT, "test-output");

export interface OpenedReport {
  readonly page: Page;
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
  /** Every URL the page asked for besides its own file (each refused). */
  readonly requests: string[];
  /** Alerts, confirms and prompts the page opened (markup in a name would show up here). */
  readonly dialogs: string[];
}

/** Opens a report file at a tab, and waits until the page has drawn it. */
export async function openReport(browser: Browser, file: string, tab = "overview"): Promise<OpenedReport> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const own = pathToFileURL(file).href;
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === own || url.startsWith(`${own}#`)) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    const url = r.url();
    if (url !== own && !url.startsWith(`${own}#`) && !requests.includes(url)) requests.push(url);
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${own}#${tab}`);
  await page.waitForSelector("body[data-ready='1']");
  return { page, errors, requests, dialogs };
}
