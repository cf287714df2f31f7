/**
 * A gateway worker process (started by lib/gateway/cluster.ts). It never opens the database: the hostname
 * configuration, the set of configured hostnames, the service tokens and the signing key come from the primary over IPC, and access-log
 * rows go back to it in batches (every 250 ms, or 200 rows), with the per-hour counts of requests for unknown
 * hostnames. The sign-in flow's login methods and pending sign-ins are asked for over IPC too (`identity` calls).
 */
import type { AccessLogEntry } from "../domain/access-log";
import type { HostConfig, HostConfigSource, HostIndexSource } from "./context";
import type { GatewayServiceToken } from "../domain/service-tokens";
import type { StoredCrl } from "../domain/managed-ca/publish";
import type { CrlSource } from "./crl";
import type { ServiceTokenSource } from "./service-token-auth";
import { forwardingIdentitySource, type IdentityCall } from "./identity/source";
import type { ToPrimary, ToWorker } from "./ipc";
import { signerFromKey } from "./jwt";
import { chainSha256 } from "./decide";
import { LogBatch } from "./log-batch";
import { createListener, type Gateway } from "./server";

const LOG_BATCH = 200;
/**
 * A batch goes to the primary after this long (or at LOG_BATCH rows). Each IPC message costs the primary about
 * 0.3 ms of CPU to receive (measured under the bench's keep-alive load, where a batch is one or two folded rows);
 * the primary writes to the database once a second anyway (lib/domain/access-log/write).
 */
const LOG_FLUSH_MS = 250;

const send = (m: ToPrimary): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(m, undefined, undefined, () => resolve());
  });

const batch = new LogBatch(chainSha256);
let timer: NodeJS.Timeout | null = null;
/** Send what was collected; resolves once the messages are written to the IPC channel. */
function flushLog(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  return Promise.all(batch.take().map(send)).then(() => undefined);
}
function sink(entry: AccessLogEntry) {
  batch.add(entry);
  if (batch.size >= LOG_BATCH) void flushLog();
  else timer ??= setTimeout(() => void flushLog(), LOG_FLUSH_MS);
}
function unknownSink(hostname: string) {
  batch.unknown(hostname);
  timer ??= setTimeout(() => void flushLog(), LOG_FLUSH_MS);
}

let nextId = 0;
const pending = new Map<number, { resolve: (c: HostConfig) => void; reject: (e: Error) => void }>();
const pendingIndex = new Map<number, { resolve: (hosts: string[]) => void; reject: (e: Error) => void }>();
const pendingIdentity = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const pendingCrls = new Map<number, { resolve: (crl: StoredCrl | null) => void; reject: (e: Error) => void }>();
const pendingTokens = new Map<number, { resolve: (tokens: GatewayServiceToken[]) => void; reject: (e: Error) => void }>();
const source: HostConfigSource = (hostname) =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    send({ t: "need", id, hostname });
  });
const index: HostIndexSource = () =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pendingIndex.set(id, { resolve, reject });
    send({ t: "need-index", id });
  });

const tokens: ServiceTokenSource = () =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pendingTokens.set(id, { resolve, reject });
    send({ t: "need-tokens", id });
  });

const crls: CrlSource = (caId) =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pendingCrls.set(id, { resolve, reject });
    send({ t: "need-crl", id, caId });
  });

const identitySource = forwardingIdentitySource(
  (call: IdentityCall) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pendingIdentity.set(id, { resolve, reject });
      send({ t: "identity", id, call });
    }),
);

let gateway: Gateway | null = null;

process.on("message", (m: ToWorker) => {
  switch (m.t) {
    case "init":
      signerFromKey(m.key)
        .then((signer) => createListener({ port: m.port, host: m.host, identity: m.identity, issuer: m.issuer ?? undefined, limits: m.limits, ...(m.socket ? { socket: m.socket } : {}), signer, source, index, sink, unknownSink, tokens, tokenSeen: (id: string, at: number) => void send({ t: "token-seen", id, at }), identitySource, crls }))
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
    case "index": {
      const p = pendingIndex.get(m.id);
      pendingIndex.delete(m.id);
      if (p) {
        if (m.hosts) p.resolve(m.hosts);
        else p.reject(new Error(m.error ?? "no hostname index"));
      }
      break;
    }
    case "tokens": {
      const p = pendingTokens.get(m.id);
      pendingTokens.delete(m.id);
      if (p) {
        if (m.tokens) p.resolve(m.tokens);
        else p.reject(new Error(m.error ?? "no service tokens"));
      }
      break;
    }
    case "crl": {
      const p = pendingCrls.get(m.id);
      pendingCrls.delete(m.id);
      if (p) {
        if (m.error === undefined) p.resolve(m.crl ?? null);
        else p.reject(new Error(m.error));
      }
      break;
    }
    case "identity": {
      const p = pendingIdentity.get(m.id);
      pendingIdentity.delete(m.id);
      if (p) {
        if (m.error === undefined) p.resolve(m.value);
        else p.reject(new Error(m.error));
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
