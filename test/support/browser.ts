/** Debian's Chromium driven by playwright-core (scripts/install-browser.sh installs it; nothing is downloaded). */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { screenshotPath } from './screenshots';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const launchChromium = () =>
  chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

/**
 * Watches a page for what an admin would not notice (script errors, 5xx answers) and walks it: a walk
 * that fails says what the page showed (a screenshot in the temp folder, the errors seen, the main
 * text), and a walk that ends with errors seen fails too.
 */
export function watchPage(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('response', (r) => r.status() >= 500 && errors.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  return {
    errors,
    async walk(name: string, walkThrough: () => Promise<void>): Promise<void> {
      try {
        await walkThrough();
      } catch (err) {
        // what the admin would have seen, to tell a UI error from a slow server
        const failure = path.join(tmpdir(), `${name}-failure.png`);
        await page.screenshot({ path: failure, fullPage: true });
        const detail = `\npage ${page.url()} (screenshot ${failure}), script errors ${JSON.stringify(errors)}:\n${(await page.locator('main').innerText()).slice(0, 3000)}`;
        throw Object.assign(new Error(`${(err as Error).message}\n${detail}`), { stack: `${(err as Error).stack}\n${detail}` });
      }
      expect(errors).toEqual([]);
    },
  };
}

/** Chromium with one page at the admin UI's screenshot size, watched as above. */
export async function openWatchedPage() {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  return { browser, page, watched: watchPage(page) };
}

/**
 * Opens a workflow in the Temporal Web UI as the API serves it (`<api>/temporal/…`), after logging in
 * to the service's admin UI on the same origin (or not), with the UI's codec settings as the dev
 * server gives them — no "include cross-origin credentials": the codec endpoint is on the page's own
 * origin, so the browser sends the session cookie anyway. Reports the page's status, how the codec
 * endpoint answered and whether the workflow's input was shown decoded.
 */
export async function viewInTemporalUi(opts: {
  apiBase: string;
  workflowUrl: string;
  admin?: { email: string; password: string };
  /** A screenshot of the workflow page once the codec answered: its name (screenshots.ts), or an absolute path. */
  screenshot?: string;
}): Promise<{ pageStatus: number | undefined; codecStatuses: number[]; inputDecoded: boolean; includeCredentials: string | null }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    if (opts.admin) {
      await page.goto(`${opts.apiBase}/admin/`);
      await page.getByLabel('E-mail').fill(opts.admin.email);
      await page.getByLabel('Password').fill(opts.admin.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    }
    const codecStatuses: number[] = [];
    page.on('response', (r) => r.url().startsWith(`${opts.apiBase}/codec/decode`) && codecStatuses.push(r.status()));
    const answer = await page.goto(opts.workflowUrl);
    if (!answer?.ok()) return { pageStatus: answer?.status(), codecStatuses, inputDecoded: false, includeCredentials: null };
    await page.getByText('Event History').first().waitFor();
    const deadline = Date.now() + 15_000;
    while (codecStatuses.length === 0 && Date.now() < deadline) await page.waitForTimeout(200);
    // Decoded, the candidate workflow's input is JSON naming the opportunity; encrypted, it is not.
    // (the UI renders a moment after the codec answered, so this waits for it)
    const inputDecoded = await page.getByText('"opportunityId"').first().waitFor({ timeout: 8_000 }).then(() => true, () => false);
    // what the UI's codec settings dialog would have written had anyone turned the option on
    const includeCredentials = await page.evaluate("localStorage.getItem('includeCredentials')");
    if (opts.screenshot) await page.screenshot({ path: path.isAbsolute(opts.screenshot) ? opts.screenshot : screenshotPath(opts.screenshot) });
    return { pageStatus: answer.status(), codecStatuses, inputDecoded, includeCredentials: includeCredentials as string | null };
  } finally {
    await browser.close();
  }
}
