import { expect, type Page } from "@playwright/test";

/** The access-log row of `host` whose client is `cn` (newest first), once the gateway's batch is written. */
export async function logRow(page: Page, host: string, cn: string) {
  const row = page.getByRole("row").filter({ hasText: host }).filter({ hasText: cn }).first();
  await expect(async () => {
    await page.goto(`/access-log?hostname=${encodeURIComponent(host)}`);
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  return row;
}
