#!/usr/bin/env node
// The gateway's nginx engine (and the nginx export's tests) need Debian's nginx. Install it with apt when missing
// and we are root; otherwise return null and let the caller say what is skipped.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { aptInstall, isRoot } from "./apt.mjs";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"];
const found = () => (process.env.GATEWAY_NGINX_BIN && existsSync(process.env.GATEWAY_NGINX_BIN) ? process.env.GATEWAY_NGINX_BIN : CANDIDATES.find((p) => existsSync(p)) ?? null);

export function ensureNginx() {
  const have = found();
  if (have || !isRoot()) return have;
  console.log("[test] installing Debian nginx-light with apt-get (one time)…");
  aptInstall("nginx-light");
  // The package starts its own service on port 80; the tests run their own instances.
  spawnSync("sh", ["-c", "command -v systemctl >/dev/null && systemctl stop nginx; pkill -x nginx"], { stdio: "ignore" });
  return found();
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureNginx() ?? "nginx is not installed");
