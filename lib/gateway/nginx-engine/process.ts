/**
 * The supervised nginx of GATEWAY_ENGINE=nginx: found once (GATEWAY_NGINX_BIN, then the usual Debian paths), run in
 * the foreground as a child of Portcullis with its own prefix directory, reloaded with SIGHUP (what `nginx -s reload`
 * sends: new workers take the new configuration, old ones finish the requests they hold, no connection is dropped)
 * and restarted if it dies.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"];

/** The nginx binary, or an error whose message is the one line to show. */
export function findNginxBinary(configured: string | undefined): string {
  const tried = configured ? [configured] : CANDIDATES;
  for (const p of tried) {
    if (!existsSync(p)) continue;
    try {
      execFileSync(p, ["-v"], { stdio: "ignore", timeout: 10_000 });
      return p;
    } catch {
      /* not runnable */
    }
  }
  throw new Error(
    `GATEWAY_ENGINE=nginx needs nginx, which was not found at ${tried.join(", ")}: install it (apt-get install nginx-light) or set GATEWAY_NGINX_BIN to its path.`,
  );
}

export interface NginxProcess {
  /** Check the configuration with `nginx -t` (without blocking): null when nginx accepts it, else nginx's message. */
  test(): Promise<string | null>;
  reload(): void;
  /** reopen the log files (after the hit log was renamed: ./hit-log) */
  reopen(): void;
  stop(): Promise<void>;
}

/** Run nginx on `dir/nginx.conf` until `stop()`; resolves once it accepts connections on `port`. */
export async function runNginx(bin: string, dir: string, host: string, port: number): Promise<NginxProcess> {
  const conf = path.join(dir, "nginx.conf");
  // As root nginx would run its workers as nobody, who cannot open this directory's socket; another user runs them as itself.
  const global = `daemon off; pid ${dir}/nginx.pid;${process.getuid?.() === 0 ? " user root;" : ""}`;
  const args = ["-p", dir, "-c", conf, "-e", "stderr", "-g", global];
  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;

  // nginx outlives a parent that exits without closing the gateway (and would keep the port): stop it on the way out.
  const onExit = () => {
    const c = child as ChildProcess | null;
    if (c && c.exitCode === null) c.kill("SIGQUIT");
  };
  process.once("exit", onExit);
  const start = () => {
    const c = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    child = c;
    c.stderr?.on("data", (d: Buffer) => {
      for (const line of String(d).split("\n")) if (line.trim()) console.error(`[gateway nginx] ${line.trim()}`);
    });
    c.once("exit", (code, signal) => {
      if (stopping || child !== c) return;
      restarts++;
      console.error(`[gateway nginx] exited (${signal ?? `code ${code}`}); starting it again`);
      setTimeout(() => !stopping && start(), Math.min(10_000, 200 * 2 ** Math.min(restarts, 6))).unref();
    });
  };

  const testSync = (): string | null => {
    try {
      execFileSync(bin, ["-t", "-q", ...args], { stdio: "pipe", timeout: 30_000 });
      return null;
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      return (err.stderr ? String(err.stderr) : err.message).trim().split("\n").pop() ?? "nginx -t failed";
    }
  };

  const problem = testSync();
  if (problem) throw new Error(`GATEWAY_ENGINE=nginx: nginx refused its configuration: ${problem}`);
  start();
  const deadline = Date.now() + 15_000;
  const target = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.replace(/^\[|\]$/g, "");
  while (!(await canConnect(target, port))) {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null || Date.now() > deadline) {
      stopping = true;
      c?.kill("SIGKILL");
      throw new Error(`GATEWAY_ENGINE=nginx: nginx did not start listening on ${host}:${port}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  const test = () =>
    new Promise<string | null>((resolve) => {
      execFile(bin, ["-t", "-q", ...args], { timeout: 30_000 }, (err, _out, stderr) => resolve(err ? (String(stderr).trim().split("\n").pop() ?? err.message) : null));
    });

  return {
    test,
    reload: () => {
      child?.kill("SIGHUP");
    },
    reopen: () => {
      child?.kill("SIGUSR1");
    },
    async stop() {
      stopping = true;
      process.off("exit", onExit);
      const c = child as ChildProcess | null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once("exit", r));
      // SIGQUIT: graceful (the open requests finish); killed if that takes more than 5 s.
      c.kill("SIGQUIT");
      const timer = setTimeout(() => c.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/** A free TCP port on `host` (nginx cannot report the port it picked for `listen …:0`). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
