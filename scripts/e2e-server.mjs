#!/usr/bin/env node
// The server e2e runs against: the production build on a fresh data directory with a seeded admin.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(root, process.env.E2E_TMP || ".tmp", "e2e-data");
rmSync(dataDir, { recursive: true, force: true });
process.env.PORTCULLIS_DATA_DIR = dataDir;
process.env.PORT = process.env.E2E_PORT || "3100";
process.env.HOSTNAME = "127.0.0.1";
// The enforcement gateway runs too (specs send real mTLS requests through it, e.g. for access-log rows), on the
// console's port + 1000 unless GATEWAY_PORT is set (e2e/helpers/gateway.ts computes the same port).
process.env.GATEWAY_PORT ||= String(Number(process.env.PORT) + 1000);
process.env.GATEWAY_HOST ||= "127.0.0.1";
process.env.PORTCULLIS_ADMIN_EMAIL ||= "admin@portcullis.test";
process.env.PORTCULLIS_ADMIN_PASSWORD ||= "e2e-admin-password-1";
delete process.env.DATABASE_URL;
await import("./start.mjs");
