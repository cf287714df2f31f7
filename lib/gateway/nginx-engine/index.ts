/**
 * GATEWAY_ENGINE=nginx: nginx terminates TLS and client-certificate requests natively; every request reaches the
 * same request path as the node engine (lib/gateway/server.ts, deciding with lib/access) over a unix socket.
 *
 * Portcullis owns a private directory (mode 0700) holding the server certificate, the per-hostname CA and CRL
 * bundles, nginx.conf and the socket. A configuration change (watchConfig: notification or the 500 ms poll) drops
 * the request path's caches, rewrites the files and reloads nginx (no connection dropped). A configuration nginx
 * refuses (say, a CA it cannot load) is rewritten without the CA lists: clients are then asked for any certificate
 * and lib/access still decides.
 *
 * nginx keeps repeat fast-path decisions in its own cache (./decision-cache): every configuration change deletes
 * them at once and bumps the generation in the key (hence a rewrite and reload on every change), and the cached hits
 * nginx answers alone reach the access log through its hit log (./hit-log).
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { replaceFile } from "../files";
import { watchConfig } from "../../domain/core/config-events";
import { env } from "../../env.mjs";
import type { GatewayLimits } from "../limits";
import { createGateway, type Gateway, type GatewayOptions } from "../server";
import { renderNginxConfig, type NginxConfigInput } from "./config";
import { CACHE_DIR, HIT_LOG } from "./decision-cache";
import { tailHitLog } from "./hit-log";
import { loadNginxHosts, type NginxHostFiles } from "./hosts";
import { findNginxBinary, freePort, runNginx } from "./process";

/**
 * A private directory (mode 0700) for the decision cache and the hit log, on tmpfs (/dev/shm) when the host has one:
 * nginx opens and reads a cache file on every hit and appends to the hit log, which on a disk file system costs
 * journalled metadata and dirty-page write-back for data that lives 30 s. Otherwise the engine's own directory.
 */
function volatileDir(dir: string): string {
  const shm = "/dev/shm";
  try {
    if (!statSync(shm).isDirectory()) return dir;
    accessSync(shm, constants.W_OK | constants.X_OK);
    return mkdtempSync(path.join(shm, "portcullis-nginx-"));
  } catch {
    return dir;
  }
}

/** The configuration without the generation number (./decision-cache key). */
const withoutGeneration = (config: string) => config.replace(/set \$portcullis_key "g\d+\|/g, "");

export async function startNginxEngine(opts: GatewayOptions & { limits: GatewayLimits }, workers: number): Promise<Gateway> {
  const bin = findNginxBinary(env().GATEWAY_NGINX_BIN);
  const host = opts.host ?? "0.0.0.0";
  const port = opts.port || (await freePort(host));
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-"));
  const socket = path.join(dir, "gateway.sock");
  writeFileSync(path.join(dir, "server.crt"), opts.identity.cert);
  writeFileSync(path.join(dir, "server.key"), opts.identity.key, { mode: 0o600 });
  // nginx's decision cache and hit log (./decision-cache): tmpfs, or this 0700 directory.
  const shm = volatileDir(dir);
  const base: Omit<NginxConfigInput, "hosts" | "origins" | "generation"> = { dir, cacheDir: shm, host, port, socket, workers, limits: opts.limits };
  const cacheDir = path.join(shm, CACHE_DIR);
  mkdirSync(cacheDir, { mode: 0o700 });
  // Every configuration change: a new generation in the cache key, and the cached decisions deleted at once (nginx
  // treats a missing cache file as a miss), so none survives the change, even before nginx has reloaded.
  let generation = 1;
  const purge = () => {
    generation++;
    for (const f of readdirSync(cacheDir)) rmSync(path.join(cacheDir, f), { recursive: true, force: true });
  };
  // A CRL passing its nextUpdate can change decisions without a configuration change: purge then as well.
  let crlTimer: NodeJS.Timeout | null = null;

  let written = "";
  const write = (loaded: NginxHostFiles, withCas: boolean): string => {
    const hosts = withCas ? loaded.hosts : loaded.hosts.map((h) => ({ ...h, caFile: null }));
    // Whole files only (../files): nginx may be reading them (a reload in progress, `nginx -t`) while the next change
    // is written, and a bundle truncated in place makes it refuse the configuration ("no certificate or crl found").
    // Bundle names are their content's hash: one already there holds the same bytes and is left alone.
    if (withCas) for (const [name, content] of loaded.files) if (!existsSync(path.join(dir, name))) replaceFile(path.join(dir, name), content);
    if (crlTimer) clearTimeout(crlTimer);
    const wait = loaded.nextUpdate === null ? -1 : loaded.nextUpdate - Date.now();
    crlTimer = wait < 0 ? null : setTimeout(() => onChange(), Math.min(2 ** 31 - 1, wait + 1000));
    crlTimer?.unref();
    const config = renderNginxConfig({ ...base, hosts, origins: loaded.origins, generation });
    if (config !== written) replaceFile(path.join(dir, "nginx.conf"), config);
    return config;
  };

  let onChange = () => undefined as void;
  let backend: Gateway | null = null;
  try {
    write(await loadNginxHosts(), true);
    backend = await createGateway({ ...opts, engine: "node", port, socket, workers });
    const nginx = await runNginx(bin, dir, host, port).catch(async (e: Error) => {
      if (!/refused its configuration/.test(e.message)) throw e;
      console.error(`[gateway nginx] ${e.message}; asking for client certificates without CA lists`);
      write(await loadNginxHosts(), false);
      return runNginx(bin, dir, host, port);
    });
    written = (await import("node:fs")).readFileSync(path.join(dir, "nginx.conf"), "utf8");

    // One refresh at a time; a change during a refresh runs another after it.
    let running: Promise<void> | null = null;
    let again = false;
    const refresh = async (): Promise<void> => {
      const config = write(await loadNginxHosts(), true);
      if (config === written) return;
      // Only the generation changed (a policy, a token...): nothing nginx could refuse, so no `nginx -t` (a process
      // that loads every certificate again) on top of the reload.
      const sameFiles = withoutGeneration(config) === withoutGeneration(written);
      written = config;
      // Reloaded at once (nginx keeps its running configuration if it refuses the new one), then checked.
      nginx.reload();
      if (sameFiles) return;
      const problem = await nginx.test();
      if (problem) {
        console.error(`[gateway nginx] refused the new configuration (${problem}); asking for client certificates without CA lists`);
        written = write(await loadNginxHosts(), false);
        nginx.reload();
      }
    };
    onChange = () => {
      purge();
      if (running) {
        again = true;
        return;
      }
      running = refresh()
        .catch((e: Error) => console.error(`[gateway nginx] configuration not refreshed: ${e.message}`))
        .finally(() => {
          running = null;
          if (again) {
            again = false;
            onChange();
          }
        });
    };
    const hits = tailHitLog(path.join(shm, HIT_LOG), () => nginx.reopen());
    const unwatch = await watchConfig(onChange);
    const gw = backend;
    return {
      port,
      reload() {
        gw.reload();
        onChange();
      },
      async close() {
        await unwatch();
        if (crlTimer) clearTimeout(crlTimer);
        await nginx.stop();
        hits.close();
        await running;
        await gw.close();
        rmSync(dir, { recursive: true, force: true });
        rmSync(shm, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await backend?.close();
    try {
      unlinkSync(socket);
    } catch {
      /* never created */
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(shm, { recursive: true, force: true });
    throw e;
  }
}
