import path from "node:path";
import { expect, test as setup } from "@playwright/test";
import { ADMIN, STATE, VIEWER } from "./credentials";
import { signIn } from "./helpers/auth";

/** Signs in the seeded admin, adds a viewer through Settings, and saves both sessions for the specs. */
setup("sign in as admin and viewer", async ({ browser }) => {
  const admin = await browser.newContext();
  const page = await admin.newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.context().storageState({ path: path.resolve(__dirname, "..", STATE.admin) });

  await page.goto("/settings");
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByLabel("Email", { exact: true }).fill(VIEWER.email);
  await page.getByLabel("Name", { exact: true }).fill("Vera Viewer");
  await page.getByLabel("Password", { exact: true }).fill(VIEWER.password);
  await page.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `User ${VIEWER.email} added` })).toBeVisible();
  await admin.close();

  const viewer = await browser.newContext();
  const vpage = await viewer.newPage();
  await signIn(vpage, VIEWER.email, VIEWER.password);
  await vpage.context().storageState({ path: path.resolve(__dirname, "..", STATE.viewer) });
  await viewer.close();
});
