/**
 * The gateway's peers in bench/gateway.ts: what self-hosting teams put in front of internal apps with client
 * certificates. Caddy and HAProxy (Debian packages, installed with apt-get when missing and running as root; a service
 * the package starts is stopped) run as our own instances with their own configuration and port: each requires and
 * verifies the client certificate against the same CA chain, serves the same server certificate and reverse-proxies
 * to the same origin with keep-alive. nginx is found (or installed) the same way.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { sleep } from "./lib/timing";

/** The binary of a Debian package: found, or installed with apt-get (as root) and its service stopped. */
export function ensurePackage(pkg: string, bins: string[], service: string): string {
  const found = () => bins.find((b) => existsSync(b));
  const have = found();
  if (have) return have;
  if (process.getuid?.() !== 0) throw new Error(`${pkg} is not installed (run the bench as root to have it installed with apt-get, or apt-get install ${pkg})`);
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], { stdio: "ignore", timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  // The package's own service (systemd or init script) must not hold ports or CPU during the bench.
  for (const [cmd, args] of [["systemctl", ["disable", "--now", service]], ["service", [service, "stop"]]] as const) {
    try {
      execFileSync(cmd, args, { stdio: "ignore", timeout: 30_000 });
    } catch {
      /* no such service manager here */
    }
  }
  const bin = found();
  if (!bin) throw new Error(`${pkg} was installed but none of ${bins.join(", ")} exists`);
  return bin;
}

export interface PeerFiles {
  dir: string;
  /** server certificate and key (PEM files) — the gateway's */
  cert: string;
  key: string;
  /** the client CA chain (PEM) */
  ca: string;
  host: string;
  originPort: number;
}

async function listening(port: number, child: ChildProcess, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start: ${log().slice(-2000)}`);
    await sleep(50);
  }
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; log: () => string } {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"], env });
  let log = "";
  child.stderr?.on("data", (d) => (log = (log + String(d)).slice(-20_000)));
  return { child, log: () => log };
}

/** Caddy 2: TLS with client_auth require_and_verify against the CA chain, reverse_proxy to the origin (keep-alive by default). */
export async function startCaddy(bin: string, f: PeerFiles, port: number, cores: number): Promise<ChildProcess> {
  const dir = path.join(f.dir, "caddy");
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, "Caddyfile");
  writeFileSync(
    conf,
    [
      "{",
      "  admin off",
      "  auto_https off",
      "  log {",
      "    level ERROR",
      "  }",
      "}",
      `https://${f.host}:${port} {`,
      "  bind 127.0.0.1",
      `  tls ${f.cert} ${f.key} {`,
      "    client_auth {",
      "      mode require_and_verify",
      `      trusted_ca_cert_file ${f.ca}`,
      "    }",
      "  }",
      `  reverse_proxy 127.0.0.1:${f.originPort}`,
      "}",
      "",
    ].join("\n"),
  );
  const { child, log } = run(bin, ["run", "--config", conf, "--adapter", "caddyfile"], { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, GOMAXPROCS: String(cores) });
  await listening(port, child, "caddy", log);
  return child;
}

/** HAProxy: bind with `verify required` against the CA chain, the same certificate, a keep-alive backend to the origin. */
export async function startHaproxy(bin: string, f: PeerFiles, port: number, cores: number): Promise<ChildProcess> {
  const dir = path.join(f.dir, "haproxy");
  mkdirSync(dir, { recursive: true });
  const pem = path.join(dir, "server.pem");
  writeFileSync(pem, readFileSync(f.cert, "utf8").trim() + "\n" + readFileSync(f.key, "utf8").trim() + "\n", { mode: 0o600 });
  const conf = path.join(dir, "haproxy.cfg");
  writeFileSync(
    conf,
    [
      "global",
      `  nbthread ${cores}`,
      "  maxconn 8000",
      "  ssl-default-bind-options ssl-min-ver TLSv1.2",
      "defaults",
      "  mode http",
      "  option http-keep-alive",
      "  timeout connect 5s",
      "  timeout client 60s",
      "  timeout server 60s",
      "  timeout http-keep-alive 60s",
      "frontend portcullis_bench",
      `  bind 127.0.0.1:${port} ssl crt ${pem} ca-file ${f.ca} verify required`,
      "  default_backend origin",
      "backend origin",
      "  http-reuse always",
      `  server origin 127.0.0.1:${f.originPort} maxconn 1000`,
      "",
    ].join("\n"),
  );
  execFileSync(bin, ["-c", "-q", "-f", conf], { stdio: "pipe" });
  const { child, log } = run(bin, ["-db", "-f", conf], process.env);
  await listening(port, child, "haproxy", log);
  return child;
}
