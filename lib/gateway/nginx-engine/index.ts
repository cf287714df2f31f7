/**
 * GATEWAY_ENGINE=nginx: nginx terminates TLS and client-certificate requests natively; every request reaches the
 * same request path as the node engine (lib/gateway/server.ts, deciding with lib/access) over a unix socket.
 *
 * Portcullis owns a private directory (mode 0700) holding the server certificate, the per-hostname CA and CRL
 * bundles, nginx.conf and the socket. A configuration change (watchConfig: notification or the 500 ms poll) drops
 * the request path's caches and, when the hostnames, CAs or CRLs changed, rewrites the files and reloads nginx
 * (well within a second; no connection dropped). A configuration nginx refuses (say, a CA it cannot load) is
 * rewritten without the CA lists: clients are then asked for any certificate and lib/access still decides.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { watchConfig } from "../../domain/core/config-events";
import { env } from "../../env.mjs";
import type { GatewayLimits } from "../limits";
import { createGateway, type Gateway, type GatewayOptions } from "../server";
import { renderNginxConfig, type NginxConfigInput } from "./config";
import { loadNginxHosts, type NginxHostFiles } from "./hosts";
import { findNginxBinary, freePort, runNginx } from "./process";

export async function startNginxEngine(opts: GatewayOptions & { limits: GatewayLimits }, workers: number): Promise<Gateway> {
  const bin = findNginxBinary(env().GATEWAY_NGINX_BIN);
  const host = opts.host ?? "0.0.0.0";
  const port = opts.port || (await freePort(host));
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-"));
  const socket = path.join(dir, "gateway.sock");
  writeFileSync(path.join(dir, "server.crt"), opts.identity.cert);
  writeFileSync(path.join(dir, "server.key"), opts.identity.key, { mode: 0o600 });
  const base: Omit<NginxConfigInput, "hosts" | "origins"> = { dir, host, port, socket, workers, limits: opts.limits };

  let written = "";
  const write = (loaded: NginxHostFiles, withCas: boolean): string => {
    const hosts = withCas ? loaded.hosts : loaded.hosts.map((h) => ({ ...h, caFile: null, crlFile: null }));
    if (withCas) for (const [name, content] of loaded.files) writeFileSync(path.join(dir, name), content);
    const config = renderNginxConfig({ ...base, hosts, origins: loaded.origins });
    if (config !== written) writeFileSync(path.join(dir, "nginx.conf"), config);
    return config;
  };

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
      written = config;
      // Reloaded at once (nginx keeps its running configuration if it refuses the new one), then checked.
      nginx.reload();
      const problem = await nginx.test();
      if (problem) {
        console.error(`[gateway nginx] refused the new configuration (${problem}); asking for client certificates without CA lists`);
        written = write(await loadNginxHosts(), false);
        nginx.reload();
      }
    };
    const onChange = () => {
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
        await nginx.stop();
        await running;
        await gw.close();
        rmSync(dir, { recursive: true, force: true });
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
    throw e;
  }
}
