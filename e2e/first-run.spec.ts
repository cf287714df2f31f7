import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

/**
 * First run on an empty instance: the same production build, started on its own port with an empty data
 * directory and no seeded admin, offers "Create the first admin" exactly once.
 */
const PORT = Number(process.env.E2E_FIRST_RUN_PORT || 3199);
const URL_ = `http://127.0.0.1:${PORT}`;
let server: ChildProcess;
let dataDir: string;

test.beforeAll(async () => {
  const root = path.resolve(__dirname, "..");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-first-run-"));
  const env = { ...process.env, PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: "production" } as NodeJS.ProcessEnv;
  delete env.PORTCULLIS_ADMIN_EMAIL;
  delete env.PORTCULLIS_ADMIN_PASSWORD;
  delete env.DATABASE_URL;
  server = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(PORT), "-H", "127.0.0.1"], { cwd: root, env, stdio: "ignore" });
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`${URL_}/api/health`).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("first-run server did not start");
});

test.afterAll(async () => {
  server?.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

test("an empty instance offers Create the first admin, validates it, signs in, and never offers it again", async ({ page, browser }) => {
  await page.goto(`${URL_}/settings`);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { level: 1, name: "Create the first admin" })).toBeVisible();

  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create the first admin" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Password must be at least 12 characters")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("not-an-email");

  await page.getByLabel("Email").fill("first@example.com");
  await page.getByLabel("Name").fill("First Admin");
  await page.getByLabel("Password").fill("first-admin-password");
  await page.getByRole("button", { name: "Create the first admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByRole("button", { name: "first@example.com" })).toBeVisible();

  const other = await browser.newPage();
  await other.goto(`${URL_}/login`);
  await expect(other.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(other.getByRole("button", { name: "Create the first admin" })).toHaveCount(0);
  await other.close();

  await page.goto(`${URL_}/audit-log`);
  await expect(page.getByRole("cell", { name: "user.create_first_admin" })).toBeVisible();
});
