/**
 * The client address in the audit log (and the sign-in throttle's key) comes from the socket unless
 * PORTCULLIS_TRUST_PROXY is set: the e2e server runs `npm start` (scripts/serve.mjs), where a client's
 * own X-Forwarded-For and X-Real-IP are replaced; a second instance on the same build with
 * PORTCULLIS_TRUST_PROXY=1 takes the left-most X-Forwarded-For entry.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { baseURL } from "./playwright.config";
import { ADMIN, STATE } from "./credentials";
import { expect, test } from "./fixtures";

const root = path.resolve(__dirname, "..");
const adminState = process.env.E2E_AUTH_DIR ? path.resolve(process.env.E2E_AUTH_DIR, "admin.json") : path.join(root, STATE.admin);
const TRUSTING_PORT = Number(process.env.E2E_TRUST_PROXY_PORT || Number(new URL(baseURL).port) + 57);

/** A failed password sign-in through next-auth, as a browser would post it, with extra headers. */
async function failSignIn(origin: string, email: string, headers: Record<string, string>) {
  const ctx = await pwRequest.newContext({ baseURL: origin });
  const { csrfToken } = await (await ctx.get("/api/auth/csrf")).json();
  const r = await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password: "not-the-password-1", json: "true" }, headers, maxRedirects: 0 });
  expect(r.status()).toBeLessThan(500);
  await ctx.dispose();
}

/** The audit log rows (as text) that mention `email`. */
async function auditRows(ctx: APIRequestContext, email: string): Promise<string[]> {
  const html = (await (await ctx.get("/audit-log?resourceType=session")).text()).replace(/<!-- -->/g, "");
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, " ")).filter((row) => row.includes(email));
}

test("without PORTCULLIS_TRUST_PROXY a forged X-Forwarded-For or X-Real-IP is not what the audit log records", async () => {
  const email = `xff-${randomBytes(4).toString("hex")}@portcullis.test`;
  await failSignIn(baseURL, email, { "X-Forwarded-For": "203.0.113.77", "X-Real-IP": "203.0.113.78" });
  await failSignIn(baseURL, email, { "X-Forwarded-For": "203.0.113.79, 203.0.113.80" });
  const admin = await pwRequest.newContext({ baseURL, storageState: adminState });
  const rows = await auditRows(admin, email);
  await admin.dispose();
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    expect(row).toContain("from 127.0.0.1");
    expect(row).not.toMatch(/203\.0\.113\./);
  }
});

test.describe("with PORTCULLIS_TRUST_PROXY=1", () => {
  let server: ChildProcess;
  let dataDir: string;
  let log = "";
  const origin = `http://127.0.0.1:${TRUSTING_PORT}`;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-trust-proxy-"));
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_DATA_DIR: dataDir, PORT: String(TRUSTING_PORT), HOSTNAME: "127.0.0.1", PORTCULLIS_TRUST_PROXY: "1" };
    env.PORTCULLIS_ADMIN_EMAIL = ADMIN.email;
    env.PORTCULLIS_ADMIN_PASSWORD = ADMIN.password;
    delete env.DATABASE_URL;
    // The same build the e2e server runs (scripts/start.mjs would rebuild when the sources changed).
    server = spawn(process.execPath, [path.join(root, "scripts/serve.mjs")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d) => (log += d));
    server.stderr!.on("data", (d) => (log += d));
    for (let i = 0; i < 240; i++) {
      if (await fetch(`${origin}/api/health`).then((r) => r.ok, () => false)) return;
      if (server.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the PORTCULLIS_TRUST_PROXY instance did not start:\n${log}`);
  });
  test.afterAll(async () => {
    server?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("the left-most X-Forwarded-For entry is recorded", async () => {
    const email = `xff-trusted-${randomBytes(4).toString("hex")}@portcullis.test`;
    await failSignIn(origin, email, { "X-Forwarded-For": "198.51.100.7, 10.0.0.1" });
    const admin = await pwRequest.newContext({ baseURL: origin });
    const { csrfToken } = await (await admin.get("/api/auth/csrf")).json();
    await admin.post("/api/auth/callback/credentials", { form: { csrfToken, email: ADMIN.email, password: ADMIN.password, json: "true" } });
    const rows = await auditRows(admin, email);
    await admin.dispose();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("from 198.51.100.7");
  });
});
