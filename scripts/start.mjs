#!/usr/bin/env node
// `npm start`: check the environment (lib/env.mjs: a bad value stops here with one line), build when the sources
// changed since the last build, then serve on PORT/HOSTNAME.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnInvalidEnv } from "../lib/env.mjs";

const config = exitOnInvalidEnv();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const SOURCES = ["app", "components", "lib", "drizzle", "public", "proxy.ts", "instrumentation.ts", "next.config.mjs", "package-lock.json", "tsconfig.json", "postcss.config.mjs"];

function fingerprint() {
  const hash = createHash("sha256");
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!name.startsWith(".") && name !== "node_modules") walk(path.join(p, name));
    } else if (!/\.test\.tsx?$/.test(p)) {
      hash.update(`${p}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  SOURCES.forEach(walk);
  return hash.digest("hex");
}

const distDir = path.join(root, config.NEXT_DIST_DIR || ".next");
const stampFile = path.join(distDir, "portcullis-build-stamp");
const current = fingerprint();
const built = existsSync(path.join(distDir, "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === current;
if (!built || config.PORTCULLIS_FORCE_BUILD) {
  console.log("[portcullis] building (sources changed since the last build)…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stampFile, current);
}

const port = String(config.PORT ?? 3000);
const host = config.HOSTNAME || "0.0.0.0";
const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
// scripts/serve.mjs is `next start` plus the real client address (X-Forwarded-For is not taken from the client).
const child = spawn(process.execPath, [path.join(root, "scripts/serve.mjs")], {
  stdio: ["inherit", "pipe", "inherit"],
  env: { ...process.env, PORT: port, HOSTNAME: host, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
});
let announced = false;
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready|started server/i.test(String(chunk))) {
    announced = true;
    console.log(`\n  Portcullis is running at http://${shown}:${port}\n`);
  }
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
