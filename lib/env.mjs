// @ts-check
/**
 * The environment, read and validated in one place (zod). Every variable that the web app, the gateway, the start
 * scripts and the CLI read is listed in ENV_SCHEMA; a bad value stops the start with one line that names the
 * variable and what is allowed (`Invalid environment variable GATEWAY_PORT="abc": expected a port number from 0 to
 * 65535.`) instead of failing later, somewhere else.
 *
 * Why a plain `.mjs` module with JSDoc types rather than a `.ts` file: `npm start` (scripts/start.mjs) and the server
 * it spawns (scripts/serve.mjs) are plain Node and must check the environment before anything else starts (before
 * `next build`, before Next.js loads). Importing a `.ts` module from them needs the tsx loader, which took 1.3–1.6 s
 * per start on the 2-core machine, against 0.15–0.2 s for this module with zod. TypeScript code imports this file as
 * it is (`allowJs`); the types come from the schema and `@ts-check` has tsc check the file.
 *
 * Use: `env()` in server code (parsed once, parsed again only when a listed variable changed, as tests do);
 * `exitOnInvalidEnv()` first thing in a start script; `parseEnv(record)` in tests.
 * An empty value counts as unset, as it always has (`PORT= npm start` serves on 3000).
 */
import { z } from "zod";

/** @param {unknown} v */
const blankToUndefined = (v) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/**
 * One variable: a string turned into a value by `parse`, or the issue `expected …` when `parse` returns undefined.
 * @template T
 * @param {string} expected what is allowed, completing "expected …"
 * @param {(raw: string) => T | undefined} parse
 */
function field(expected, parse) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((raw, ctx) => {
        const value = parse(raw.trim());
        if (value === undefined) {
          ctx.addIssue({ code: "custom", message: `expected ${expected}` });
          return z.NEVER;
        }
        return value;
      })
      .optional(),
  );
}

/** @param {number} min @param {number} max @param {string} [unit] */
const wholeNumber = (min, max, unit) =>
  field(`a whole number${unit ? ` of ${unit}` : ""} from ${min} to ${max}`, (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  });

const port = () => field("a port number from 0 to 65535", (raw) => (/^\d{1,5}$/.test(raw) && Number(raw) <= 65535 ? Number(raw) : undefined));

const text = () => z.preprocess(blankToUndefined, z.string().optional());

const FLAG_WORDS = new Map([
  ["1", true], ["true", true], ["yes", true], ["on", true],
  ["0", false], ["false", false], ["no", false], ["off", false],
]);
const flag = () => field("1, true, yes or on (or 0, false, no, off)", (raw) => FLAG_WORDS.get(raw.toLowerCase()));

/** @param {string[]} protocols @param {string} example @param {string} [what] */
const url = (protocols, example, what = "a URL") =>
  field(`${what} such as ${example}`, (raw) => {
    try {
      const u = new URL(raw);
      return protocols.includes(u.protocol) && (u.hostname !== "" || u.protocol.startsWith("postgres")) ? raw : undefined;
    } catch {
      return undefined;
    }
  });
const httpUrl = (/** @type {string} */ example) => url(["http:", "https:"], example);

const UNITS = /** @type {Record<string, number>} */ ({ s: 1, m: 60, h: 3600 });
/**
 * PORTCULLIS_API_RATE_LIMIT: "1200" (per 5 minutes), "1200/300" (per 300 s) or "100/1m"; undefined when malformed.
 * @param {string} raw
 * @returns {{ max: number; windowSeconds: number } | undefined}
 */
export function parseRateLimitSpec(raw) {
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*([smh])?\s*)?$/.exec(raw);
  if (!m) return undefined;
  const max = Number(m[1]);
  const windowSeconds = m[2] ? Number(m[2]) * UNITS[m[3] ?? "s"] : 300;
  return max >= 1 && windowSeconds >= 1 && Number.isSafeInteger(max) ? { max, windowSeconds } : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * PORTCULLIS_SECRET_KEY: 32 bytes in base64 (standard or URL-safe alphabet, padding optional), e.g. the output of
 * `openssl rand -base64 32`; undefined when it is not exactly that.
 * @param {string} raw
 * @returns {Buffer | undefined}
 */
export function parseSecretKey(raw) {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) return undefined;
  const key = Buffer.from(raw.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return key.length === 32 ? key : undefined;
}

/** Values nobody may read in a log: their problems are reported without the value. */
export const SECRET_VARIABLES = new Set([
  "DATABASE_URL",
  "PORTCULLIS_ADMIN_PASSWORD",
  "AUTH_SECRET",
  "NEXTAUTH_SECRET",
  "OIDC_CLIENT_SECRET",
  "PORTCULLIS_TOKEN",
  "PORTCULLIS_SECRET_KEY",
]);

export const ENV_SCHEMA = z
  .object({
    // Web app (scripts/start.mjs, scripts/serve.mjs)
    PORT: port(),
    HOSTNAME: text(),
    NEXT_DIST_DIR: text(),
    PORTCULLIS_FORCE_BUILD: flag(),
    PORTCULLIS_TRUST_PROXY: flag(),
    // Database
    PORTCULLIS_DATA_DIR: text(),
    PORTCULLIS_MIGRATIONS_DIR: text(),
    DATABASE_URL: url(["postgres:", "postgresql:"], "postgres://user:password@host:5432/database", "a PostgreSQL URL"),
    DATABASE_POOL_SIZE: wholeNumber(1, 1000),
    PORTCULLIS_ADMIN_EMAIL: field("an email address", (raw) => (EMAIL.test(raw) ? raw.toLowerCase() : undefined)),
    PORTCULLIS_ADMIN_PASSWORD: text(),
    // Sign-in
    AUTH_SECRET: text(),
    NEXTAUTH_SECRET: text(),
    NEXTAUTH_URL: httpUrl("https://portcullis.example.com"),
    OIDC_ISSUER: httpUrl("https://login.example.com/realms/main"),
    OIDC_CLIENT_ID: text(),
    OIDC_CLIENT_SECRET: text(),
    OIDC_NAME: text(),
    PORTCULLIS_LOGIN_MAX_FAILURES: wholeNumber(1, 1000),
    PORTCULLIS_ARGON2_CONCURRENCY: wholeNumber(1, 256),
    PORTCULLIS_ARGON2_QUEUE: wholeNumber(1, 100_000),
    // Console and API
    PORTCULLIS_URL: httpUrl("https://portcullis.example.com"),
    /** Base URL of the managed CA's published CRL (its issued certificates' CRL Distribution Point); default PORTCULLIS_URL */
    PORTCULLIS_CRL_BASE_URL: httpUrl("https://portcullis.example.com"),
    PORTCULLIS_API_RATE_LIMIT: field('requests per window: "1200" (per 5 minutes), "1200/300" (per 300 s) or "100/1m"', parseRateLimitSpec),
    PORTCULLIS_MAX_CERTIFICATES: wholeNumber(1, 100_000),
    // Encryption at rest of stored secrets (login methods' client secrets; lib/server/secret-box.ts)
    PORTCULLIS_SECRET_KEY: field("32 bytes in base64, e.g. the output of `openssl rand -base64 32`", parseSecretKey),
    PORTCULLIS_RETENTION_INTERVAL_MS: wholeNumber(1000, 2_147_483_647, "milliseconds"),
    PORTCULLIS_ALERT_INTERVAL_MS: wholeNumber(1000, 2_147_483_647, "milliseconds"),
    // Gateway
    GATEWAY_PORT: port(),
    GATEWAY_HOST: text(),
    GATEWAY_WORKERS: wholeNumber(1, 256),
    GATEWAY_CERT: text(),
    GATEWAY_KEY: text(),
    GATEWAY_ISSUER: httpUrl("https://gateway.example.com:8443"),
    GATEWAY_HANDSHAKE_TIMEOUT_MS: wholeNumber(100, 600_000, "milliseconds"),
    GATEWAY_HEADERS_TIMEOUT_MS: wholeNumber(100, 600_000, "milliseconds"),
    GATEWAY_REQUEST_TIMEOUT_MS: wholeNumber(100, 3_600_000, "milliseconds"),
    GATEWAY_ORIGIN_TIMEOUT_MS: wholeNumber(100, 3_600_000, "milliseconds"),
    GATEWAY_MAX_CONNECTIONS_PER_IP: wholeNumber(1, 1_000_000),
    GATEWAY_WORKER_ENTRY: text(),
    // Which engine terminates TLS: Portcullis itself (node, the default) or an nginx it supervises (lib/gateway/nginx-engine).
    GATEWAY_ENGINE: field("node or nginx", (raw) => (raw === "node" || raw === "nginx" ? raw : undefined)),
    /** the nginx binary of GATEWAY_ENGINE=nginx (default: /usr/sbin/nginx, then the PATH) */
    GATEWAY_NGINX_BIN: text(),
    OPENSSL: text(),
    // CLI (`portcullis test` against a running instance)
    PORTCULLIS_TOKEN: text(),
  })
  .superRefine((env, ctx) => {
    /** Variables that only work together: all set, or none. @param {string[]} names */
    const together = (names) => {
      const set = names.filter((n) => env[/** @type {keyof typeof env} */ (n)] !== undefined);
      if (set.length === 0 || set.length === names.length) return;
      const missing = names.filter((n) => !set.includes(n));
      ctx.addIssue({ code: "custom", path: [set[0]], message: `${set.join(" and ")} ${set.length === 1 ? "is" : "are"} set without ${missing.join(" and ")}: set all of ${names.join(", ")} or none`, params: { sentence: true } });
    };
    together(["PORTCULLIS_ADMIN_EMAIL", "PORTCULLIS_ADMIN_PASSWORD"]);
    together(["GATEWAY_CERT", "GATEWAY_KEY"]);
    together(["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]);
  });

/** @typedef {z.infer<typeof ENV_SCHEMA>} Env */

/** The variables ENV_SCHEMA reads. */
export const ENV_VARIABLES = /** @type {(keyof Env)[]} */ (Object.keys(ENV_SCHEMA.shape));

/** A bad environment: `message` is the one line to print. */
export class EnvError extends Error {
  /** @param {string} message @param {string[]} variables */
  constructor(message, variables) {
    super(message);
    this.name = "EnvError";
    /** The offending variables, first one first. */
    this.variables = variables;
  }
}

/** @param {string} name @param {unknown} raw */
function shown(name, raw) {
  if (SECRET_VARIABLES.has(name)) return `${name} (value not shown)`;
  const s = String(raw);
  return `${name}=${JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s)}`;
}

/**
 * Validate `source` (process.env by default); throws EnvError whose message is one line naming every bad variable.
 * @param {Record<string, string | undefined>} [source]
 * @returns {Env}
 */
export function parseEnv(source = process.env) {
  const input = Object.fromEntries(ENV_VARIABLES.map((k) => [k, source[k]]));
  const r = ENV_SCHEMA.safeParse(input);
  if (r.success) return r.data;
  const names = [];
  const parts = [];
  for (const issue of r.error.issues) {
    const name = String(issue.path[0]);
    names.push(name);
    const sentence = issue.code === "custom" && /** @type {{ params?: { sentence?: boolean } }} */ (issue).params?.sentence;
    parts.push(sentence ? issue.message : `${shown(name, source[name])}: ${issue.message}`);
  }
  const line = `Invalid environment variable${parts.length > 1 ? "s" : ""} ${parts.join("; ")}.`;
  throw new EnvError(line.replace(/[\r\n]+/g, " "), names);
}

/** @type {{ key: string; env: Env } | undefined} */
let cache;

/** The validated environment of this process; throws EnvError (one line) when a value is bad. */
export function env() {
  const key = ENV_VARIABLES.map((k) => process.env[k] ?? "\u0000").join("\u0001");
  if (cache?.key !== key) cache = { key, env: parseEnv(process.env) };
  return cache.env;
}

/**
 * For start scripts: check the environment before anything else starts; on a bad value print its one line to stderr
 * and exit with status 1.
 * @returns {Env}
 */
export function exitOnInvalidEnv() {
  try {
    return requireSecretKeyWithPostgres(env());
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

export const POSTGRES_NEEDS_SECRET_KEY =
  "PORTCULLIS_SECRET_KEY is not set: with PostgreSQL (DATABASE_URL) it is required, the same on every instance, to encrypt the managed CA's private key and other secrets at rest. Set it to 32 random bytes in base64 (for example the output of `openssl rand -base64 32`) and start again.";

/**
 * A server started on PostgreSQL needs PORTCULLIS_SECRET_KEY (the embedded database generates its own key file):
 * throws EnvError with one line otherwise. Start-up only; tests on PostgreSQL that never seal a secret need no key.
 * @param {Env} e
 * @returns {Env}
 */
export function requireSecretKeyWithPostgres(e) {
  if (e.DATABASE_URL && !e.PORTCULLIS_SECRET_KEY) throw new EnvError(POSTGRES_NEEDS_SECRET_KEY, ["PORTCULLIS_SECRET_KEY"]);
  return e;
}
