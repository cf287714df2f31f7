#!/usr/bin/env node
// Launcher: runs cli/main.ts through tsx (a runtime dependency), forwarding argv, stdio and exit code.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const tsx = pathToFileURL(require.resolve("tsx")).href;
const child = spawn(process.execPath, ["--import", tsx, join(root, "cli", "main.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
