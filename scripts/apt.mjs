// Debian packages the tests need (chromium, nginx): installed with apt-get when missing and running as root.
import { spawnSync } from "node:child_process";

export const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** `apt-get install -y --no-install-recommends pkg`, after an `apt-get update` if the first try fails; true on success. */
export function aptInstall(pkg) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => spawnSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], { stdio: "inherit", env }).status === 0;
  if (install()) return true;
  spawnSync("apt-get", ["update"], { stdio: "inherit", env });
  return install();
}
