/**
 * A gateway worker process (started by lib/gateway/cluster.ts). It never opens the database: the hostname
 * configuration and the signing key come from the primary over IPC, and access-log rows go back to it in batches
 * (every 100 ms, or 200 rows).
 */
import type { AccessLogEntry } from "../domain/access-log";
import type { HostConfig, HostConfigSource } from "./context";
import type { ToPrimary, ToWorker } from "./ipc";
import { signerFromKey } from "./jwt";
import { createListener, type Gateway } from "./server";

const LOG_BATCH = 200;
const LOG_FLUSH_MS = 100;

const send = (m: ToPrimary): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(m, undefined, undefined, () => resolve());
  });

let rows: AccessLogEntry[] = [];
let timer: NodeJS.Timeout | null = null;
function flushLog(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  if (!rows.length) return Promise.resolve();
  const batch = rows;
  rows = [];
  return send({ t: "log", rows: batch });
}
function sink(entry: AccessLogEntry) {
  rows.push(entry);
  if (rows.length >= LOG_BATCH) flushLog();
  else timer ??= setTimeout(() => void flushLog(), LOG_FLUSH_MS);
}

let nextId = 0;
const pending = new Map<number, { resolve: (c: HostConfig) => void; reject: (e: Error) => void }>();
const source: HostConfigSource = (hostname) =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    send({ t: "need", id, hostname });
  });

let gateway: Gateway | null = null;

process.on("message", (m: ToWorker) => {
  switch (m.t) {
    case "init":
      signerFromKey(m.key)
        .then((signer) => createListener({ port: m.port, host: m.host, identity: m.identity, issuer: m.issuer ?? undefined, signer, source, sink }))
        .then(
          (gw) => {
            gateway = gw;
            void send({ t: "ready", port: gw.port });
          },
          (e: Error) => {
            void send({ t: "failed", message: `gateway worker could not listen: ${e.message}` }).finally(() => process.exit(1));
          },
        );
      break;
    case "host": {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (p) {
        if (m.config) p.resolve(m.config);
        else p.reject(new Error(m.error ?? "no configuration"));
      }
      break;
    }
    case "reload":
      gateway?.reload();
      break;
    case "close":
      void (gateway?.close() ?? Promise.resolve())
        .then(flushLog)
        .finally(() => process.exit(0));
      break;
  }
});

void send({ t: "hello" });
