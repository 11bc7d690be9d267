import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureAdmin } from '../../src/api/admin/admin-users';
import { startAssessmentHarness, type AssessmentHarness, type AssessmentHarnessOptions } from './assessment-harness';
import { chromiumPath, openWatchedPage, type watchPage } from './browser';

/** An admin UI browser test's world: the whole product on real servers, an admin, and Debian's Chromium. */
export interface AdminUi {
  h: AssessmentHarness;
  browser: Browser;
  page: Page;
  watched: ReturnType<typeof watchPage>;
  /** Logs the admin in and waits for the integrations list. */
  logIn(): Promise<void>;
  /** Opens one of the integration's pages (`configuration`, `activity`, …) once logged in. */
  open(section: string): Promise<void>;
  close(): Promise<void>;
}

export async function startAdminUi(admin: { email: string; password: string }, harness: AssessmentHarnessOptions = {}): Promise<AdminUi> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: run bash scripts/install-browser.sh (or set CHROMIUM_PATH)`);
  const h = await startAssessmentHarness(harness);
  await ensureAdmin(h.stack.db, admin.email, admin.password);
  const { browser, page, watched } = await openWatchedPage();
  return {
    h,
    browser,
    page,
    watched,
    async logIn() {
      await page.goto(`${h.stack.baseUrl}/admin/`);
      await page.getByLabel('E-mail').fill(admin.email);
      await page.getByLabel('Password').fill(admin.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    },
    async open(section) {
      await page.goto(`${h.stack.baseUrl}/admin/#/integrations/${h.integration.id}/${section}`);
    },
    async close() {
      await browser.close();
      await h.close();
    },
  };
}

/**
 * Registers the suite's start and stop (beforeAll/afterAll) of an admin UI world; `ui` and `h` are
 * there once the suite's tests run.
 */
export function useAdminUi(admin: { email: string; password: string }, harness: AssessmentHarnessOptions = {}): { readonly ui: AdminUi; readonly h: AssessmentHarness } {
  let ui: AdminUi | undefined;
  beforeAll(async () => {
    ui = await startAdminUi(admin, harness);
  }, 90_000);
  afterAll(async () => {
    await ui?.close();
  });
  return {
    get ui() {
      return ui!;
    },
    get h() {
      return ui!.h;
    },
  };
}
