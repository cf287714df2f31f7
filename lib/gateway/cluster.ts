/**
 * The gateway as worker processes sharing one listening socket (node:cluster, SCHED_NONE: every worker accepts on
 * the same socket, as nginx workers do; no per-connection hand-off through this process).
 *
 * This process (the primary) owns the database — PGlite can be opened by one process only — so the workers never
 * open it: they ask the primary for a hostname's configuration (lib/gateway/context.ts HostConfig: CA PEMs, CRLs,
 * forwarding setting, applications with their policies) when they first see the hostname, get the installation's
 * JWT signing key once at start (every worker signs with the same key, so the JWKS is the same everywhere), and
 * send their access-log rows back in batches of COPY text lines, which the primary queues with recordAccessLines (and their counts of requests
 * for unknown hostnames, which it adds with recordUnknownHost). The set of configured hostnames is read once per
 * configuration generation here and shared with every worker, and so is the list of service tokens (all of them, at most
 * 50, for lib/gateway/service-token-auth). A configuration change
 * (watchConfig: notification or the 500 ms fingerprint poll) is pushed to every worker as a reload message, so it
 * takes effect in all of them within a second. A worker that dies is replaced.
 */
import { execFile } from "node:child_process";
import cluster, { type Worker } from "node:cluster";
import { existsSync } from "node:fs";
import path from "node:path";
import { flushAccessLog, recordAccessLines, recordUnknownHost } from "../domain/access-log";
import { watchConfig } from "../domain/core/config-events";
import { env } from "../env.mjs";
import { loadHostConfig, loadHostIndex, type HostConfig } from "./context";
import { loadSigningKey, type SigningKey } from "./jwt";
import { serviceTokensForGateway, type GatewayServiceToken } from "../domain/service-tokens";
import { recordServiceTokenSeen } from "../domain/service-tokens/seen";
import { databaseCrlSource } from "./crl";
import type { Gateway, GatewayOptions } from "./server";
import type { ToPrimary, ToWorker } from "./ipc";
import { resolveLimits } from "./limits";
import { databaseIdentitySource, runIdentityCall } from "./identity/source";
import { workerOpensslEnv } from "./openssl-tuning";

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * What the workers run: GATEWAY_WORKER_ENTRY (a TypeScript file) through tsx when it is set; otherwise the bundled
 * worker (scripts/gateway-worker-bundle.mjs, rebuilt here when a source changed), which has none of the per-use cost of
 * imported names that tsx's CommonJS output has on the request path. Without a bundle (esbuild missing, a build
 * error) lib/gateway/worker.ts runs through tsx, which behaves the same, and the reason is printed.
 */
async function workerScript(): Promise<{ exec: string; execArgv: string[] }> {
  const root = /*turbopackIgnore: true*/ process.cwd();
  const explicit = env().GATEWAY_WORKER_ENTRY;
  if (!explicit) {
    // A child process: the primary may be a bundled Next.js server, which must not load esbuild itself.
    const built = await new Promise<{ file: string } | { error: string }>((resolve) =>
      execFile(process.execPath, [path.join(root, "scripts", "gateway-worker-bundle.mjs"), "--if-stale"], { cwd: root, timeout: 60_000 }, (e, stdout, stderr) =>
        resolve(e ? { error: (String(stderr).trim() || e.message).split("\n").slice(0, 3).join(" ") } : { file: String(stdout).trim() }),
      ),
    );
    if ("file" in built && existsSync(built.file)) return { exec: built.file, execArgv: inheritedExecArgv() };
    console.error(`[gateway] workers run lib/gateway/worker.ts through tsx: no worker bundle (${"error" in built ? built.error : "no file"})`);
  }
  const file = explicit || path.join(root, "lib", "gateway", "worker.ts");
  if (!existsSync(file)) throw new Error(`gateway worker entry ${file} not found (run from the Portcullis directory, or set GATEWAY_WORKER_ENTRY)`);
  const argv = inheritedExecArgv();
  return { exec: file, execArgv: argv.some((a) => a.includes("tsx")) ? argv : [...argv, "--import", "tsx"] };
}

/** The primary's Node options (loaders, --cpu-prof…) without what would replace the worker's script (-e, -p). */
function inheritedExecArgv(): string[] {
  const inherited: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (["-e", "--eval", "-p", "--print", "--input-type"].includes(a)) i++;
    else if (!/^(--eval|--print|--input-type)=/.test(a)) inherited.push(a);
  }
  return inherited;
}

export async function startGatewayCluster(opts: GatewayOptions, count: number): Promise<Gateway> {
  if (!cluster.isPrimary) throw new Error("the gateway cluster must be started from the primary process");
  const key: SigningKey = await loadSigningKey();
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const script = await workerScript();
  cluster.setupPrimary({ exec: script.exec, args: [], execArgv: script.execArgv, serialization: "advanced" });
  // One TLS 1.3 session ticket per handshake instead of OpenSSL's two (./openssl-tuning).
  const opensslEnv = workerOpensslEnv();

  const workers = new Set<Worker>();
  let port = 0;
  let closing = false;
  let crashes = 0;
  // One database read per hostname per configuration generation, shared by the workers.
  let configs = new Map<string, Promise<HostConfig>>();
  let index: Promise<string[]> | null = null;
  let tokens: Promise<GatewayServiceToken[]> | null = null;

  const send = (w: Worker, m: ToWorker) => {
    if (w.isConnected()) w.send(m, undefined, () => undefined);
  };
  const broadcast = (m: ToWorker) => workers.forEach((w) => send(w, m));
  const reload = () => {
    configs = new Map();
    index = null;
    tokens = null;
    broadcast({ t: "reload" });
  };

  function hostIndex(): Promise<string[]> {
    if (!index) {
      const p = loadHostIndex();
      index = p;
      p.catch(() => {
        if (index === p) index = null;
      });
    }
    return index;
  }

  /** Every service token, one database read per configuration generation shared by the workers. */
  function serviceTokens(): Promise<GatewayServiceToken[]> {
    if (!tokens) {
      const p = serviceTokensForGateway();
      tokens = p;
      p.catch(() => {
        if (tokens === p) tokens = null;
      });
    }
    return tokens;
  }

  function hostConfig(hostname: string): Promise<HostConfig> {
    const map = configs;
    let p = map.get(hostname);
    if (!p) {
      p = loadHostConfig(hostname);
      map.set(hostname, p);
      p.catch(() => map.delete(hostname));
      if (map.size > 10_000) map.delete(map.keys().next().value as string);
    }
    return p;
  }

  function fork(): Promise<number> {
    // Workers asking for the same address and port share one socket. With port 0 that is the first worker's random
    // port as long as one of them still holds it; a worker started when none is left asks for that port by number.
    const listenOn = workers.size > 0 || !port ? opts.port : port;
    return new Promise((resolve, reject) => {
      // UV_TCP_SINGLE_ACCEPT: libuv accepts one connection per wake-up and yields, so a burst of new connections is
      // spread over the workers instead of one worker taking them all (as nginx's default multi_accept off does).
      const w = cluster.fork({ PORTCULLIS_GATEWAY_WORKER: "1", UV_TCP_SINGLE_ACCEPT: process.env.UV_TCP_SINGLE_ACCEPT ?? "1", ...opensslEnv });
      workers.add(w);
      let started = false;
      const timer = setTimeout(() => {
        if (!started) {
          reject(new Error(`gateway worker did not start within ${START_TIMEOUT_MS / 1000} s`));
          w.process.kill("SIGKILL");
        }
      }, START_TIMEOUT_MS);
      w.on("message", (m: ToPrimary) => {
        switch (m.t) {
          case "hello":
            // Sent once the worker listens for messages (an ES module worker drops messages sent before that).
            send(w, { t: "init", port: listenOn, host: opts.host ?? "0.0.0.0", identity: { cert: opts.identity.cert, key: opts.identity.key }, issuer: opts.issuer ?? null, key, limits: resolveLimits(opts.limits), ...(opts.socket ? { socket: opts.socket } : {}) });
            break;
          case "ready":
            started = true;
            clearTimeout(timer);
            resolve(m.port);
            break;
          case "failed":
            clearTimeout(timer);
            reject(new Error(m.message));
            break;
          case "need":
            hostConfig(m.hostname).then(
              (config) => send(w, { t: "host", id: m.id, config }),
              (e: Error) => send(w, { t: "host", id: m.id, error: e.message }),
            );
            break;
          case "need-index":
            hostIndex().then(
              (hosts) => send(w, { t: "index", id: m.id, hosts }),
              (e: Error) => send(w, { t: "index", id: m.id, error: e.message }),
            );
            break;
          case "need-tokens":
            serviceTokens().then(
              (list) => send(w, { t: "tokens", id: m.id, tokens: list }),
              (e: Error) => send(w, { t: "tokens", id: m.id, error: e.message }),
            );
            break;
          case "identity":
            // Login methods and pending sign-ins for a worker's sign-in flow (the database is this process's).
            runIdentityCall(databaseIdentitySource, m.call).then(
              (value) => send(w, { t: "identity", id: m.id, value }),
              (e: Error) => send(w, { t: "identity", id: m.id, error: e.message }),
            );
            break;
          case "need-crl":
            databaseCrlSource(m.caId).then(
              (crl) => send(w, { t: "crl", id: m.id, crl }),
              (e: Error) => send(w, { t: "crl", id: m.id, error: e.message }),
            );
            break;
          case "log":
            recordAccessLines(m.lines, m.rows, m.certs);
            break;
          case "token-seen":
            recordServiceTokenSeen(m.id, m.at);
            break;
          case "unknown":
            for (const c of m.counts) recordUnknownHost(c.sample, c.hour, c.requests);
            break;
        }
      });
      w.on("exit", (code, signal) => {
        workers.delete(w);
        clearTimeout(timer);
        if (!started) {
          reject(new Error(`gateway worker exited during start-up (${signal ?? `code ${code}`})`));
          return;
        }
        if (closing) return;
        // Replace it; back off if workers keep dying.
        crashes++;
        console.error(`[gateway] worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
        const delay = Math.min(10_000, 200 * 2 ** Math.min(crashes, 6));
        setTimeout(() => {
          if (!closing) fork().then(() => (crashes = Math.max(0, crashes - 1))).catch((e: Error) => console.error(`[gateway] worker restart failed: ${e.message}`));
        }, delay).unref();
      });
    });
  }

  async function stopAll(): Promise<void> {
    closing = true;
    await Promise.all(
      [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const timer = setTimeout(() => w.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
            w.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            if (w.isConnected()) send(w, { t: "close" });
            else w.process.kill("SIGTERM");
          }),
      ),
    );
  }

  const unwatch = await watchConfig(reload);
  try {
    // The first worker binds (port 0 picks a port); the others share its socket.
    const first = fork();
    const rest = Array.from({ length: count - 1 }, () => fork());
    port = await first;
    await Promise.all(rest);
  } catch (e) {
    await stopAll();
    await unwatch();
    throw e;
  }

  return {
    port,
    reload,
    async close() {
      await unwatch();
      await stopAll();
      await flushAccessLog();
    },
  };
}
