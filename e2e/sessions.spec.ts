/**
 * Session revocation in the browser (issue #12, finding 9): "Sign out everywhere" in the user menu, and
 * "Delete user" in Settings → Users. Each test uses its own user so the shared admin and viewer sessions live on.
 */
import { expect, test, uniqueName } from "./fixtures";
import { signIn } from "./helpers/auth";

const PASSWORD = "e2e-sessions-password-1";

async function addUser(page: import("@playwright/test").Page, email: string, role: "Admin" | "Viewer") {
  await page.goto("/settings");
  await page.getByRole("button", { name: "Add user" }).click();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Role", { exact: true }).selectOption({ label: role });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `User ${email} added` })).toBeVisible();
}

test("Sign out everywhere ends the user's sessions in every browser", async ({ adminPage, browser }) => {
  const email = `${uniqueName("everywhere")}@portcullis.test`;
  await addUser(adminPage, email, "Viewer");
  const [one, two] = [await browser.newContext(), await browser.newContext()];
  const [p1, p2] = [await one.newPage(), await two.newPage()];
  await signIn(p1, email, PASSWORD);
  await signIn(p2, email, PASSWORD);
  await p1.getByRole("button", { name: email }).click();
  await p1.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(p1.getByRole("button", { name: "Sign in" })).toBeVisible();
  await p2.goto("/settings");
  await expect(p2).toHaveURL(/\/login/);
  // The admin who added the user is still signed in.
  await adminPage.goto("/settings");
  await expect(adminPage.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await one.close();
  await two.close();
});

test("Delete user: confirmed in a dialog, ends their session, and is not offered for yourself", async ({ adminPage: page, browser }) => {
  const email = `${uniqueName("leaver")}@portcullis.test`;
  await addUser(page, email, "Admin");
  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  await signIn(them, email, PASSWORD);

  await page.goto("/settings");
  const users = page.getByRole("table", { name: "Users" });
  await expect(users.getByRole("row").filter({ hasText: "(you)" }).getByRole("button", { name: /^Delete user/ })).toHaveCount(0);
  await users.getByRole("button", { name: `Delete user ${email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Delete ${email}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(users.getByRole("cell", { name: email, exact: true })).toBeVisible();
  await users.getByRole("button", { name: `Delete user ${email}` }).click();
  await dialog.getByRole("button", { name: "Delete user" }).click();
  await expect(users.getByRole("cell", { name: email, exact: true })).toHaveCount(0);

  await them.goto("/settings");
  await expect(them).toHaveURL(/\/login/);
  await theirs.close();
});
