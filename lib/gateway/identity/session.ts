/**
 * The sign-in session: the `CF_Authorization` cookie holding a JWT the gateway signed (lib/gateway/jwt.ts) with the
 * person's `email`, `aud` (the application's AUD tag), `iss`, `iat` and `exp` (the application's session duration).
 *
 * Verified per request with a cache: the first sight of a token costs one ES256 verification (jose); afterwards a
 * map lookup plus the expiry, audience and issuer comparisons, so a keep-alive request with the cookie costs about
 * what one without it does. Tokens that fail verification (tampered, foreign, expired) are remembered as invalid too,
 * so a client repeating a bad cookie costs no signature check either. Both maps are bounded.
 */
import { importJWK, jwtVerify, type JWTPayload } from "jose";
import type { Signer } from "../jwt";

export interface Session {
  /** the JWT itself (forwarded to the origin as Cf-Access-Jwt-Assertion) */
  token: string;
  email: string;
  sub: string;
  aud: readonly string[];
  iss: string;
  iat: number;
  /** epoch seconds */
  exp: number;
  idp: { id: string; type: string } | null;
}

const MAX_CACHED = 10_000;
const MAX_INVALID = 2_000;

function put<V>(map: Map<string, V>, key: string, value: V, max: number) {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

function sessionOf(token: string, p: JWTPayload): Session | null {
  if (p.type !== "app" || typeof p.email !== "string" || !p.email || typeof p.exp !== "number" || typeof p.iss !== "string") return null;
  const aud = typeof p.aud === "string" ? [p.aud] : Array.isArray(p.aud) ? p.aud : [];
  const idp = p.idp && typeof p.idp === "object" && typeof (p.idp as { id?: unknown }).id === "string" ? (p.idp as { id: string; type: string }) : null;
  return Object.freeze({ token, email: p.email, sub: typeof p.sub === "string" ? p.sub : "", aud, iss: p.iss, iat: typeof p.iat === "number" ? p.iat : 0, exp: p.exp, idp });
}

export class Sessions {
  private key: ReturnType<typeof importJWK>;
  private valid = new Map<string, Session>();
  private invalid = new Map<string, true>();

  constructor(signer: Signer) {
    this.key = importJWK(signer.jwks.keys[0], "ES256");
  }

  /**
   * The session a cookie value holds, if it is valid at `nowMs` for `issuer` (and, given, the audience `aud`):
   * synchronously from the cache, or a promise on a token's first sight. Never throws.
   */
  read(token: string, issuer: string, aud: string | null, nowMs: number): Session | null | Promise<Session | null> {
    const hit = this.valid.get(token);
    if (hit) return this.check(hit, issuer, aud, nowMs);
    if (this.invalid.has(token) || token.length > 8192) return null;
    return this.key
      .then((key) => jwtVerify(token, key, { algorithms: ["ES256"], currentDate: new Date(nowMs) }))
      .then(
        ({ payload }) => {
          const s = sessionOf(token, payload);
          if (!s) {
            put(this.invalid, token, true, MAX_INVALID);
            return null;
          }
          put(this.valid, token, s, MAX_CACHED);
          return this.check(s, issuer, aud, nowMs);
        },
        () => {
          put(this.invalid, token, true, MAX_INVALID);
          return null;
        },
      );
  }

  private check(s: Session, issuer: string, aud: string | null, nowMs: number): Session | null {
    if (s.exp * 1000 <= nowMs) {
      this.valid.delete(s.token);
      return null;
    }
    if (s.iss !== issuer) return null;
    if (aud !== null && !s.aud.includes(aud)) return null;
    return s;
  }

  /** Forget a token in this process (sign-out). */
  forget(token: string): void {
    this.valid.delete(token);
    put(this.invalid, token, true, MAX_INVALID);
  }

  clear(): void {
    this.valid.clear();
    this.invalid.clear();
  }
}
