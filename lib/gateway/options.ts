/**
 * What the gateway is started with (`createGateway`: the port, server certificate, workers, engine, limits) and what
 * its request path is given besides (`createListener`: where configuration, tokens, sign-ins and CRLs come from and
 * where access-log rows go — this process's database, or the primary process over IPC), and the running gateway.
 */
import type { IncomingMessage } from "node:http";
import type { AccessLogEntry } from "../domain/access-log";
import type { ClientConnection } from "./connection";
import type { HostConfigSource, HostIndexSource, ServerIdentity } from "./context";
import type { CrlSource } from "./crl";
import type { IdentitySource } from "./identity/source";
import type { Signer } from "./jwt";
import type { GatewayLimits } from "./limits";
import type { ServiceTokenSeen, ServiceTokenSource } from "./service-token-auth";

export interface GatewayOptions {
  port: number;
  host?: string;
  identity: ServerIdentity;
  /** JWT issuer; default https://<request host>[:port] */
  issuer?: string;
  /** Processes serving the port: 1 (default) = this process; more = worker processes (see lib/gateway/cluster.ts). */
  workers?: number;
  /** Timeouts and the per-address connection cap; unset values come from the environment (lib/gateway/limits.ts). */
  limits?: Partial<GatewayLimits>;
  /** Who terminates TLS: this process (node, the default) or a supervised nginx (lib/gateway/nginx-engine). */
  engine?: "node" | "nginx";
  /**
   * nginx engine only: the unix socket the request path listens on in plain HTTP behind nginx (which terminated TLS
   * and passes the client certificate, TLS server name, client address and connection's request count).
   */
  socket?: string;
}

export interface Gateway {
  port: number;
  /** Drop all compiled hostname contexts (the config watcher calls this). */
  reload(): void;
  close(): Promise<void>;
}

export interface ListenerOptions extends GatewayOptions {
  signer: Signer;
  /** where per-hostname configuration comes from: the database, or the primary process over IPC */
  source: HostConfigSource;
  /** the configured hostnames: the database, or the primary process over IPC */
  index: HostIndexSource;
  /** where access-log rows go: recordAccess, or a batch sent to the primary process */
  sink: (entry: AccessLogEntry) => void;
  /** where a request for an unknown hostname is counted: recordUnknownHost, or counts sent to the primary */
  unknownSink: (hostname: string) => void;
  /** the service tokens: the database (default), or the primary process over IPC */
  tokens?: ServiceTokenSource;
  /** where a token's `last_seen_at` goes: the database (default), or the primary process over IPC */
  tokenSeen?: ServiceTokenSeen;
  /** login methods and pending sign-ins: the database (default), or the primary process over IPC */
  identitySource?: IdentitySource;
  /** the managed CA's published CRLs: the database (default), or the primary process over IPC */
  crls?: CrlSource;
  /** with `socket`: the connection nginx describes in its request headers (lib/gateway/nginx-engine/peer.ts) */
  connection?: (req: IncomingMessage) => ClientConnection;
}
