/** Debian's Chromium driven by playwright-core (scripts/install-browser.sh installs it; nothing is downloaded). */
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const launchChromium = () =>
  chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

/**
 * Opens a workflow in the Temporal Web UI with the UI's codec setting "include cross-origin
 * credentials" on, after logging in to the service's admin UI (or not), and reports how the codec
 * endpoint answered and whether the workflow's input was shown decoded.
 */
export async function viewInTemporalUi(opts: {
  apiBase: string;
  workflowUrl: string;
  codecEndpoint: string;
  admin?: { email: string; password: string };
  /** Where to save a screenshot of the workflow page once the codec answered. */
  screenshot?: string;
}): Promise<{ codecStatuses: number[]; inputDecoded: boolean }> {
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
    page.on('response', (r) => r.url().startsWith(`${opts.codecEndpoint}/decode`) && codecStatuses.push(r.status()));
    await page.goto(opts.workflowUrl);
    // The UI keeps its codec settings per browser, in localStorage (what its settings dialog writes).
    await page.evaluate(
      [
        `localStorage.setItem('endpoint', ${JSON.stringify(JSON.stringify(opts.codecEndpoint))})`,
        "localStorage.setItem('includeCredentials', 'true')",
        "localStorage.setItem('overrideRemoteCodecConfiguration', 'true')",
      ].join(';'),
    );
    await page.reload();
    await page.getByText('Event History').first().waitFor();
    const deadline = Date.now() + 15_000;
    while (codecStatuses.length === 0 && Date.now() < deadline) await page.waitForTimeout(200);
    // Decoded, the candidate workflow's input is JSON naming the opportunity; encrypted, it is not.
    // (the UI renders a moment after the codec answered, so this waits for it)
    const inputDecoded = await page.getByText('"opportunityId"').first().waitFor({ timeout: 8_000 }).then(() => true, () => false);
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
    return { codecStatuses, inputDecoded };
  } finally {
    await browser.close();
  }
}
