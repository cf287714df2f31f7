/**
 * Service-token authentication at the gateway: the `CF-Access-Client-Id` + `CF-Access-Client-Secret` request
 * headers (never forwarded to the origin: lib/gateway/headers.ts strips them), verified against the stored tokens,
 * judged by lib/access (`serviceTokenVerdict`: disabled, expired, rotated-out secret) and handed to the decision as
 * `serviceTokenId` or `credentialError` (401), so Service Token and Any Access Service Token rules match.
 *
 * Cost per request: every token (at most 50) is loaded once per configuration generation into a map by Client ID,
 * so a keep-alive request costs two header reads, a map lookup, one SHA-256 of the presented secret and two
 * constant-time compares; an unknown Client ID costs no query. A change to the tokens (create, rotate, refresh,
 * delete…) notifies the gateway (lib/domain/core/config-events), whose reload drops the map: the next request
 * loads the new state, within a second in every worker. Expiry and grace periods are compared with the request
 * time, so they need no reload.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { serviceTokenVerdict, type SecretMatch, type ServiceTokenVerdict } from "../access/service-token";
import { serviceTokensForGateway, type GatewayServiceToken } from "../domain/service-tokens";
import { LAST_SEEN_RESOLUTION_MS } from "../domain/service-tokens/seen";

export const CLIENT_ID_HEADER = "cf-access-client-id";
export const CLIENT_SECRET_HEADER = "cf-access-client-secret";

/** Where the tokens come from: the database, or the primary process over IPC (gateway workers). */
export type ServiceTokenSource = () => Promise<GatewayServiceToken[]>;

/** Told (at most once a minute per token) that a token authenticated a request: its `last_seen_at`. */
export type ServiceTokenSeen = (id: string, at: number) => void;

/** What a request presented, before any lookup. */
export type PresentedToken = { kind: "pair"; clientId: string; secret: string } | { kind: "ambiguous"; reason: string };

const CLIENT_ID_RE = /^[0-9a-f]{32}\.access$/;

/** One value of a header, or why there is not exactly one (repeated headers are ambiguous, never merged). */
function single(req: IncomingMessage, name: string): string | null | { error: string } {
  const distinct = req.headersDistinct?.[name];
  if (distinct && distinct.length > 1) return { error: `the ${name} header was sent ${distinct.length} times` };
  const v = req.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? { error: `the ${name} header was sent ${v.length} times` } : v.trim();
}

/**
 * The service-token credentials of a request: null when it sent neither header; `ambiguous` when it sent one
 * without the other, either of them twice, or an empty one (strict: 401, never ignored).
 */
export function presentedToken(req: IncomingMessage): PresentedToken | null {
  // Fast path: most requests send neither header.
  if (req.headers[CLIENT_ID_HEADER] === undefined && req.headers[CLIENT_SECRET_HEADER] === undefined) return null;
  const id = single(req, CLIENT_ID_HEADER);
  const secret = single(req, CLIENT_SECRET_HEADER);
  for (const v of [id, secret]) if (v !== null && typeof v === "object") return { kind: "ambiguous", reason: v.error };
  if (!id || !secret) {
    return { kind: "ambiguous", reason: "CF-Access-Client-Id and CF-Access-Client-Secret must be sent together, both non-empty" };
  }
  return { kind: "pair", clientId: (id as string).toLowerCase(), secret: secret as string };
}

interface Entry {
  token: GatewayServiceToken;
  current: Buffer;
  previous: Buffer | null;
}

const hexBuffer = (hex: string): Buffer => Buffer.from(hex, "hex");
const EMPTY = Buffer.alloc(32);

/** Per listener: the tokens of the current configuration generation, and the verification of presented ones. */
export class ServiceTokenAuth {
  private map: Map<string, Entry> | null = null;
  private loading: Promise<Map<string, Entry>> | null = null;
  private generation = 0;
  /** when each token was last reported seen (epoch ms), so the hot path calls `seen` once a minute per token */
  private reported = new Map<string, number>();

  constructor(
    private source: ServiceTokenSource = serviceTokensForGateway,
    private seen?: ServiceTokenSeen,
  ) {}

  /** Drop the loaded tokens (the configuration changed). */
  clear(): void {
    this.generation++;
    this.map = null;
    this.loading = null;
  }

  private load(): Promise<Map<string, Entry>> {
    if (this.loading) return this.loading;
    const gen = this.generation;
    const p = this.source().then((tokens) => {
      const map = new Map<string, Entry>();
      for (const t of tokens) map.set(t.clientId, { token: t, current: hexBuffer(t.secretHash), previous: t.previousSecretHash ? hexBuffer(t.previousSecretHash) : null });
      // Loaded from a configuration that changed meanwhile: serve this request with it, keep nothing.
      if (gen === this.generation) this.map = map;
      return map;
    });
    this.loading = p;
    p.catch(() => {
      if (this.loading === p) this.loading = null;
    });
    return p;
  }

  /** The verdict on presented credentials at `at` (ms): synchronous once the tokens are loaded. */
  verify(presented: PresentedToken, at: number): ServiceTokenVerdict | Promise<ServiceTokenVerdict> {
    if (presented.kind === "ambiguous") return { ok: false, token: null, reason: `ambiguous credentials: ${presented.reason}`, proven: false };
    if (!CLIENT_ID_RE.test(presented.clientId)) return { ok: false, token: null, reason: "the Client ID is not of the form <32 hex digits>.access", proven: false };
    if (this.map) return this.check(this.map, presented, at);
    return this.load().then((map) => this.check(map, presented, at));
  }

  private check(map: Map<string, Entry>, presented: { clientId: string; secret: string }, at: number): ServiceTokenVerdict {
    const e = map.get(presented.clientId);
    if (!e) return serviceTokenVerdict(null, "none", at);
    const h = createHash("sha256").update(presented.secret, "utf8").digest();
    // Both compares always run (constant time whichever secret matches, or none).
    const current = timingSafeEqual(h, e.current);
    const previous = timingSafeEqual(h, e.previous ?? EMPTY) && e.previous !== null;
    const match: SecretMatch = current ? "current" : previous ? "previous" : "none";
    const verdict = serviceTokenVerdict(e.token, match, at);
    if (verdict.ok && this.seen) {
      const last = this.reported.get(e.token.id);
      if (last === undefined || at - last >= LAST_SEEN_RESOLUTION_MS) {
        this.reported.set(e.token.id, at);
        this.seen(e.token.id, at);
      }
    }
    return verdict;
  }
}
