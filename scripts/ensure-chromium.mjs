#!/usr/bin/env node
// e2e needs Debian's Chromium (no browser downloads here). Install it with apt when missing and we are root.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { aptInstall, isRoot } from "./apt.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (!isRoot()) {
    console.error(`Chromium is missing: run \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH) and re-run the tests.`);
    process.exit(1);
  }
  console.log("[test] installing Debian chromium with apt-get (one time)…");
  const installed = aptInstall("chromium");
  if (!installed || !existsSync(CHROMIUM)) {
    console.error("Could not install chromium with apt-get; install it by hand: apt-get install -y chromium");
    process.exit(1);
  }
  console.log(execFileSync(CHROMIUM, ["--version"]).toString().trim());
  return CHROMIUM;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
