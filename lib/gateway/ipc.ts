/** Messages between the gateway primary (owns the database) and its worker processes (lib/gateway/cluster.ts). */
import type { HostConfig, ServerIdentity } from "./context";
import type { SigningKey } from "./jwt";
import type { GatewayServiceToken } from "../domain/service-tokens";
import type { GatewayLimits } from "./limits";
import type { IdentityCall } from "./identity/source";
import type { StoredCrl } from "../domain/managed-ca/publish";

export type ToWorker =
  | { t: "init"; port: number; host: string; identity: ServerIdentity; issuer: string | null; key: SigningKey; limits: GatewayLimits; socket?: string }
  | { t: "host"; id: number; config?: HostConfig; error?: string }
  | { t: "index"; id: number; hosts?: string[]; error?: string }
  | { t: "tokens"; id: number; tokens?: GatewayServiceToken[]; error?: string }
  /** the answer to an `identity` call (lib/gateway/identity/source) */
  | { t: "identity"; id: number; value?: unknown; error?: string }
  /** the answer to `need-crl`: the managed CA's stored CRL, or null */
  | { t: "crl"; id: number; crl?: StoredCrl | null; error?: string }
  | { t: "reload" }
  | { t: "close" };

export type ToPrimary =
  | { t: "hello" }
  | { t: "ready"; port: number }
  | { t: "failed"; message: string }
  | { t: "need"; id: number; hostname: string }
  | { t: "need-index"; id: number }
  /** every service token (lib/gateway/service-token-auth), once per configuration generation */
  | { t: "need-tokens"; id: number }
  /** login methods, saving or taking a pending sign-in (lib/gateway/identity/source `runIdentityCall`) */
  | { t: "identity"; id: number; call: IdentityCall }
  /** a managed CA's published CRL (lib/gateway/crl), by CA id */
  | { t: "need-crl"; id: number; caId: string }
  /** access-log rows as COPY text lines (lib/domain/access-log/line) and their certificates (SHA-256 hex, DER), each once */
  | { t: "log"; lines: string; rows: number; certs: [string, Uint8Array][] }
  /** a service token authenticated a request (at most once a minute per token): its last_seen_at */
  | { t: "token-seen"; id: string; at: number }
  /** requests for unknown hostnames, per UTC hour (ms), with the last hostname seen */
  | { t: "unknown"; counts: { hour: number; requests: number; sample: string }[] };
