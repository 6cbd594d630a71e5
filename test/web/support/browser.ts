import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Response } from "playwright-core";
import { ROOT } from "../../e2e/support/platform";

/**
 * Chromium for the web tests: Debian's `chromium` package (`.ci/run` installs it), driven by
 * playwright-core (Playwright's own browser download cannot work here). COMPTOIR_CHROMIUM names
 * another binary.
 */
export const CHROMIUM = process.env.COMPTOIR_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = () => existsSync(CHROMIUM);

/** Screenshots of the screens a failing test was on (gitignored). */
export const SCREENSHOTS = join(ROOT, "test/web/screenshots");

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container: Chromium's sandbox needs user namespaces it may not have.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/** A request the test expects to fail, once: the declined card's 402, say. */
export interface ExpectedFailure {
  method: string;
  /** The path, without the query. */
  path: string;
  status: number;
}

/**
 * One visitor's tab, watched: every console error, uncaught exception, failed request and 4xx/5xx
 * answer is recorded, except the failures the test announces beforehand (`expectFailure`), each
 * matched once by method, path and status. `assertClean()` fails the test with what went wrong.
 */
export class Visitor {
  readonly problems: string[] = [];
  private readonly expected: (ExpectedFailure & { seen: boolean })[] = [];
  /** URLs of the responses that were expected failures: their console line is expected too. */
  private readonly excused = new Set<string>();
  private screen = "start";

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly testName: string,
  ) {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const url = message.location().url;
      if (url && this.excused.has(url) && /status of \d{3}/.test(message.text())) return;
      this.problems.push(`[${this.screen}] console error: ${message.text()} (${url})`);
    });
    page.on("pageerror", (error) => this.problems.push(`[${this.screen}] uncaught: ${error.message}`));
    page.on("requestfailed", (request) =>
      this.problems.push(
        `[${this.screen}] request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`,
      ),
    );
    page.on("response", (response) => this.onResponse(response));
  }

  /** A new tab in a fresh profile (nothing stored); `phone` for a 390 × 844 touch screen. */
  static async open(browser: Browser, baseURL: string, testName: string, options: { phone?: boolean } = {}) {
    const context = await browser.newContext({
      baseURL,
      locale: "fr-FR",
      viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
      hasTouch: options.phone === true,
      isMobile: options.phone === true,
    });
    const page = await context.newPage();
    // Generous: CI runs this beside the other suites on two cores.
    page.setDefaultTimeout(30_000);
    return new Visitor(context, page, testName);
  }

  private onResponse(response: Response) {
    const status = response.status();
    if (status < 400) return;
    const request = response.request();
    const path = new URL(response.url()).pathname;
    const match = this.expected.find(
      (e) => !e.seen && e.method === request.method() && e.path === path && e.status === status,
    );
    if (match) {
      match.seen = true;
      this.excused.add(response.url());
      return;
    }
    this.problems.push(`[${this.screen}] ${request.method()} ${response.url()} answered ${status}`);
  }

  /** Announces a failure the next steps will cause (matched once). */
  expectFailure(failure: ExpectedFailure) {
    this.expected.push({ ...failure, seen: false });
  }

  /**
   * One screen of the story: runs the step, then checks the screen with axe-core (no serious or
   * critical violation) and that nothing went wrong so far. On failure, a screenshot of the screen
   * goes to test/web/screenshots/<test>/<screen>.png.
   */
  async step(screen: string, run: () => Promise<void>, options: { axe?: boolean } = {}) {
    this.screen = screen;
    try {
      await run();
      if (options.axe !== false) await this.checkAccessibility();
      this.assertClean();
    } catch (error) {
      await this.screenshot(screen);
      throw error;
    }
  }

  async screenshot(screen: string) {
    const folder = join(SCREENSHOTS, this.testName.replace(/[^\w-]+/g, "-"));
    mkdirSync(folder, { recursive: true });
    await this.page.screenshot({ path: join(folder, `${screen}.png`), fullPage: true }).catch(() => {});
  }

  /** axe-core on the page as it is: fails on serious or critical violations, naming them. */
  async checkAccessibility() {
    const injected = await this.page.evaluate("typeof window.axe === 'object'");
    // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply.
    if (!injected) await this.page.evaluate(AXE_SOURCE);
    const violations = (await this.page.evaluate(
      `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })))`,
    )) as { id: string; impact: string; help: string; targets: string[] }[];
    if (violations.length > 0) {
      throw new Error(
        `[${this.screen}] accessibility (axe-core): ${violations
          .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.join(", ")}`)
          .join("; ")}`,
      );
    }
  }

  assertClean() {
    if (this.problems.length > 0) throw new Error(`the page had problems:\n  ${this.problems.join("\n  ")}`);
  }

  /** Every announced failure happened. */
  expectFailuresSeen() {
    const unmet = this.expected.filter((e) => !e.seen);
    if (unmet.length > 0) {
      throw new Error(
        `expected failures that did not happen: ${unmet.map((e) => `${e.method} ${e.path} ${e.status}`).join(", ")}`,
      );
    }
  }

  async close() {
    await this.context.close();
  }
}
