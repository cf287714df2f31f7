/** Messages between the gateway primary (owns the database) and its worker processes (lib/gateway/cluster.ts). */
import type { AccessLogEntry } from "../domain/access-log";
import type { HostConfig, ServerIdentity } from "./context";
import type { SigningKey } from "./jwt";

export type ToWorker =
  | { t: "init"; port: number; host: string; identity: ServerIdentity; issuer: string | null; key: SigningKey }
  | { t: "host"; id: number; config?: HostConfig; error?: string }
  | { t: "reload" }
  | { t: "close" };

export type ToPrimary =
  | { t: "hello" }
  | { t: "ready"; port: number }
  | { t: "failed"; message: string }
  | { t: "need"; id: number; hostname: string }
  | { t: "log"; rows: AccessLogEntry[] };
