#!/usr/bin/env node
// `npm test`: the whole suite — type check, lint, unit + integration (PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set), the gateway suites again on the nginx engine, then Playwright e2e against the production
// build in Debian Chromium. `node scripts/test.mjs <step>` runs one step: static, vitest, nginx-engine, e2e.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureChromium } from "./ensure-chromium.mjs";
import { ensureNginx } from "./ensure-nginx.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function step(title, cmd, args, env = {}) {
  console.log(`\n=== ${title} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${title} failed (${secs}s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${title} (${secs}s)`);
}

const only = process.argv[2];
if (!only || only === "static") {
  step("Type check", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  step("Lint", bin("eslint"), [".", "--max-warnings=0"]);
}
if (!only || only === "vitest") {
  if (!process.env.TEST_DATABASE_URL) console.log("(TEST_DATABASE_URL is not set: integration tests run on PGlite only)");
  step("Unit and integration tests (vitest)", bin("vitest"), ["run"]);
}
/** The gateway's integration and security suites, run again with GATEWAY_ENGINE=nginx (the node engine is the default). */
const NGINX_ENGINE_SUITES = [
  "test/integration/gateway.test.ts",
  "test/integration/gateway-security.test.ts",
  "test/integration/gateway-security-limits.test.ts",
  "test/integration/gateway-service-tokens.test.ts",
  "test/integration/gateway-identity.test.ts",
  "test/integration/gateway-identity-login.test.ts",
  "test/integration/gateway-forwarding.test.ts",
  "test/integration/gateway-misdirected.test.ts",
  "test/integration/gateway-nginx-engine.test.ts",
  "test/integration/gateway-nginx-cache.test.ts",
];
if (!only || only === "nginx-engine") {
  const nginx = ensureNginx();
  if (nginx) step("Gateway suites on the nginx engine (GATEWAY_ENGINE=nginx, PGlite)", bin("vitest"), ["run", "--project", "pglite", ...NGINX_ENGINE_SUITES], { GATEWAY_ENGINE: "nginx", GATEWAY_NGINX_BIN: nginx });
  else console.log("\n(skipped: the gateway suites on the nginx engine — nginx is not installed and could not be installed (that needs root and apt-get); install nginx-light, or point GATEWAY_NGINX_BIN at an nginx binary)");
}
if (!only || only === "e2e") {
  const chromium = ensureChromium();
  step("End-to-end tests (Playwright, Chromium)", bin("playwright"), ["test", "-c", "e2e/playwright.config.ts"], { CHROMIUM_PATH: chromium });
}
console.log("\nAll tests passed.");
