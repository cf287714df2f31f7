/**
 * nginx for the parity and differential tests: find the binary (installing nginx-light with apt-get when running
 * as root), and run the exported configuration on a loopback port until stopped.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { until } from "./gateway-fixtures";

export function findNginx(): string | null {
  const which = () => {
    for (const p of ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]) {
      try {
        execFileSync(p, ["-v"], { stdio: "ignore" });
        return p;
      } catch {
        /* not there */
      }
    }
    return null;
  };
  const found = which();
  if (found || process.getuid?.() !== 0) return found;
  try {
    execFileSync("apt-get", ["install", "-y", "nginx-light"], { stdio: "ignore", timeout: 240_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } catch {
    return null;
  }
  return which();
}

export interface RunningNginx {
  log(): string;
  stop(): Promise<void>;
}

/** Writes `config` and `files` into `dir`, checks them with `nginx -t` and runs nginx in the foreground until `stop()`. */
export async function runNginx(bin: string, dir: string, port: number, config: string, files: { name: string; content: string }[]): Promise<RunningNginx> {
  writeFileSync(path.join(dir, "nginx.conf"), config);
  for (const f of files) writeFileSync(path.join(dir, f.name), f.content);
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const global = `daemon off; pid ${dir}/nginx.pid; user root;`;
  execFileSync(bin, ["-t", "-q", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", global], { stdio: "pipe" });
  const child: ChildProcess = spawn(bin, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", global], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d) => (log += String(d)));
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
          s.destroy();
          resolve(true);
        });
        s.on("error", () => resolve(false));
      }),
    10_000,
    "nginx to listen",
  );
  return {
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGQUIT");
      await exited;
    },
  };
}
