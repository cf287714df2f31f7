/** A service token's credentials: the Client ID and the Client Secret in Cloudflare's formats, and the stored hash. */
import { createHash, randomBytes } from "node:crypto";

export const CLIENT_ID_RE = /^[0-9a-f]{32}\.access$/;

export const newClientId = (): string => `${randomBytes(16).toString("hex")}.access`;
/** 32 random bytes as 64 hex characters (Cloudflare's Client Secret format). */
export const newClientSecret = (): string => randomBytes(32).toString("hex");
/**
 * Why a plain SHA-256 and not a password hash (argon2): the secret is 256 bits from the CSPRNG, so the stored hash
 * cannot be reversed by guessing (a slow hash only helps against low-entropy passwords), and the gateway checks it
 * on requests where a password hash's tens of milliseconds would cap throughput. API tokens are stored the same way.
 */
export const hashClientSecret = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex");
