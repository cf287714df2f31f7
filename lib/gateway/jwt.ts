/**
 * Access JWTs (CF_Authorization cookie / Cf-Access-Jwt-Assertion header), ES256-signed with a key generated once
 * per installation and kept in the settings table, so every gateway instance signs with the same key and the
 * JWKS at /cdn-cgi/access/certs verifies tokens from any of them.
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT, calculateJwkThumbprint, type JWK } from "jose";
import { getDb } from "../db/client";
import { ensureSetting } from "../db/settings";

const SETTING = "gateway_jwt_signing_key";
const ALG = "ES256";

export interface Signer {
  kid: string;
  jwks: { keys: JWK[] };
  sign(claims: AccessClaims, ttlSeconds: number): Promise<string>;
}

export interface AccessClaims {
  aud: string;
  iss: string;
  sub: string;
  /** the Common Name of a client certificate whose chain validated, or a service token's Client ID (as Cloudflare) */
  common_name?: string;
  policy_id?: string;
  /** the signed-in person's email (a session from the gateway's sign-in flow, lib/gateway/identity) */
  email?: string;
  /** the login method the session came from, as Cloudflare's `idp` claim */
  idp?: { id: string; type: string };
}

async function newKey(): Promise<{ kid: string; privateJwk: JWK }> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  return { kid, privateJwk: { ...privateJwk, kid, alg: ALG } };
}

/** The installation's signing key (private JWK), created on first use. Only the process that owns the database calls it. */
export interface SigningKey {
  kid: string;
  privateJwk: JWK;
}

export async function loadSigningKey(): Promise<SigningKey> {
  const db = await getDb();
  const candidate = await newKey();
  return ensureSetting(db, SETTING, () => candidate);
}

export async function loadSigner(): Promise<Signer> {
  return signerFromKey(await loadSigningKey());
}

/** A signer over a given key: gateway worker processes get the key from the primary, so every worker signs alike. */
export async function signerFromKey(stored: SigningKey): Promise<Signer> {
  const key = await importJWK(stored.privateJwk, ALG);
  const { d: _d, ...pub } = stored.privateJwk;
  void _d;
  const publicJwk: JWK = { ...pub, kid: stored.kid, alg: ALG, use: "sig" };
  return {
    kid: stored.kid,
    jwks: { keys: [publicJwk] },
    async sign(claims, ttlSeconds) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { type: "app" };
      if (claims.common_name !== undefined) payload.common_name = claims.common_name;
      if (claims.policy_id) payload.policy_id = claims.policy_id;
      if (claims.email !== undefined) payload.email = claims.email;
      if (claims.idp) payload.idp = claims.idp;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: ALG, kid: stored.kid, typ: "JWT" })
        .setAudience([claims.aud])
        .setIssuer(claims.iss)
        .setSubject(claims.sub)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + Math.max(1, Math.floor(ttlSeconds)))
        .sign(key);
    },
  };
}

/** A signed token and when to sign a new one instead (half its lifetime). */
export interface CachedJwt {
  token: string;
  renewAt: number;
}

/**
 * Access JWTs per key (application, identity, policy, issuer), reused until half their lifetime has passed: the
 * request path reads the cache without awaiting, and signs only on a miss. At most 10,000 keys (oldest dropped).
 */
export class JwtCache {
  private readonly jwts = new Map<string, CachedJwt>();

  constructor(private readonly signer: Signer) {}

  /** The token for `key` while it needs no renewal at `now` (ms), else undefined. */
  get(key: string, now: number): CachedJwt | undefined {
    const hit = this.jwts.get(key);
    return hit && hit.renewAt > now ? hit : undefined;
  }

  /** A freshly signed token, cached under `key`. */
  sign(key: string, claims: AccessClaims, ttl: number): Promise<CachedJwt> {
    return this.signer.sign(claims, ttl).then((token) => {
      const signed = { token, renewAt: Date.now() + (ttl * 1000) / 2 };
      this.jwts.set(key, signed);
      if (this.jwts.size > 10_000) this.jwts.delete(this.jwts.keys().next().value as string);
      return signed;
    });
  }

  clear(): void {
    this.jwts.clear();
  }
}
