import { ADMIN, expect, test, VIEWER } from "./fixtures";
import { signIn } from "./helpers/auth";

const NAV = ["Overview", "Applications", "Policies", "Mutual TLS", "Test mTLS", "Audit log", "Settings"];

test.describe("shell", () => {
  test("sidebar contract: nav Main with the seven links and aria-current on the current page", async ({ adminPage: page }) => {
    await page.goto("/");
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const name of NAV) await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
    for (const name of NAV) {
      await nav.getByRole("link", { name, exact: true }).click();
      await expect(nav.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
      await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
    }
  });

  test("bad password shows an alert and is audited", async ({ page, adminPage }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("definitely-wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /./ })).toHaveText("Invalid email or password.");
    await expect(page).toHaveURL(/\/login/);
    await adminPage.goto("/audit-log?resourceType=session");
    await expect(adminPage.getByRole("cell", { name: "auth.sign_in_failed" }).first()).toBeVisible();
  });

  test("sign in and sign out through the user menu", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole("button", { name: ADMIN.email }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login/);
  });

  test("unauthenticated visitors are sent to sign-in, and callbackUrl cannot redirect off-site", async ({ page }) => {
    await page.goto("/audit-log");
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/login?callbackUrl=https://evil.example/steal");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    expect(new URL(page.url()).host).toBe(new URL(page.url()).host.replace("evil.example", ""));
  });

  test("viewer can open Settings but cannot add users or change roles", async ({ viewerPage: page }) => {
    await page.goto("/settings");
    await expect(page.getByText("You have read-only access")).toBeVisible();
    await expect(page.getByRole("button", { name: "Add user" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Change role/ })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /Reset password/ })).toHaveCount(0);
  });

  test("audit log shows sign-ins and the viewer's creation, and filters by resource type", async ({ adminPage: page }) => {
    await page.goto("/audit-log");
    await page.getByLabel("Resource type").selectOption("user");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByRole("cell", { name: "user.create", exact: true }).first()).toBeVisible();
    await expect(page.getByRole("cell", { name: "auth.sign_in", exact: true })).toHaveCount(0);
    await page.getByLabel("Resource type").selectOption("session");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByRole("cell", { name: "auth.sign_in", exact: true }).first()).toBeVisible();
    void VIEWER;
  });

  test("security headers are set on pages and the health endpoint reports the database", async ({ request }) => {
    const res = await request.get("/login");
    const h = res.headers();
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBeTruthy();
    const health = await (await request.get("/api/health")).json();
    expect(health).toMatchObject({ status: "ok", database: { reachable: true } });
  });
});
