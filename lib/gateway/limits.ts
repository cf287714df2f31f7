/**
 * Connection limits of the gateway listener, so slow or numerous clients cannot hold its sockets: how long a TLS
 * handshake may take, how long the request headers and the whole request (body included: a body trickled in byte by
 * byte is cut off with 408) may take to arrive, how long the origin may take to start its answer (then 504), and
 * how many connections one client address may hold open at once (per process: with GATEWAY_WORKERS > 1 each worker applies the cap to the connections it
 * accepted). Read from the environment, validated with a clear error at start-up.
 */

export interface GatewayLimits {
  /** GATEWAY_HANDSHAKE_TIMEOUT_MS: TCP accept → finished TLS handshake */
  handshakeTimeoutMs: number;
  /** GATEWAY_HEADERS_TIMEOUT_MS: first byte of a request → complete headers */
  headersTimeoutMs: number;
  /** GATEWAY_MAX_CONNECTIONS_PER_IP: open connections per client address; more are closed at once */
  maxConnectionsPerIp: number;
  /** GATEWAY_REQUEST_TIMEOUT_MS: first byte of a request → its last body byte (slow bodies answered 408) */
  requestTimeoutMs: number;
  /** GATEWAY_ORIGIN_TIMEOUT_MS: request sent to the origin → its response headers (then 504) */
  originTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<GatewayLimits> = Object.freeze({
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  maxConnectionsPerIp: 256,
  requestTimeoutMs: 300_000,
  // Cloudflare's own origin timeout (its 524): long polls answer within it.
  originTimeoutMs: 100_000,
});

const RULES: Record<keyof GatewayLimits, { env: string; min: number; max: number; unit: string }> = {
  handshakeTimeoutMs: { env: "GATEWAY_HANDSHAKE_TIMEOUT_MS", min: 100, max: 600_000, unit: "milliseconds" },
  headersTimeoutMs: { env: "GATEWAY_HEADERS_TIMEOUT_MS", min: 100, max: 600_000, unit: "milliseconds" },
  maxConnectionsPerIp: { env: "GATEWAY_MAX_CONNECTIONS_PER_IP", min: 1, max: 1_000_000, unit: "connections" },
  requestTimeoutMs: { env: "GATEWAY_REQUEST_TIMEOUT_MS", min: 100, max: 3_600_000, unit: "milliseconds" },
  originTimeoutMs: { env: "GATEWAY_ORIGIN_TIMEOUT_MS", min: 100, max: 3_600_000, unit: "milliseconds" },
};

function check(key: keyof GatewayLimits, value: unknown, source: string): number {
  const r = RULES[key];
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < r.min || n > r.max || (typeof value === "string" && value.trim() === "")) {
    throw new Error(`${source} must be a whole number of ${r.unit} from ${r.min} to ${r.max}, got "${String(value)}"`);
  }
  return n;
}

/** The limits from the environment (unset = default), each validated. */
export function limitsFromEnv(env: Record<string, string | undefined> = process.env): GatewayLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(RULES) as (keyof GatewayLimits)[]) {
    const raw = env[RULES[key].env];
    if (raw !== undefined && raw.trim() !== "") out[key] = check(key, raw, RULES[key].env);
  }
  return out;
}

/** Explicit limits (options, tests) over the defaults, each validated. */
export function resolveLimits(given: Partial<GatewayLimits> | undefined, base: GatewayLimits = DEFAULT_LIMITS): GatewayLimits {
  const out = { ...base };
  for (const key of Object.keys(RULES) as (keyof GatewayLimits)[]) {
    if (given?.[key] !== undefined) out[key] = check(key, given[key], key);
  }
  return out;
}
