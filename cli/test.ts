/** `portcullis test`: ask a running Portcullis whether a client certificate would be let in, and why. */
import { readFileSync } from "node:fs";
import { parseCommandArgs, UsageError, type Command } from "./command";

const HELP = `Usage: portcullis test [options] [CERT]

Test a client certificate against a hostname's mTLS certificates and the
policies of the application the request would reach, on a running Portcullis
(POST /api/v1/test-mtls).
CERT is a PEM file (the client certificate, optionally followed by its
intermediates) or a DER file. The certificate is not stored by the server.
Without CERT, --service-token or --email is tested alone (a client that sends
no certificate).

Options:
  --url URL            Portcullis base URL (default: $PORTCULLIS_URL or http://localhost:3000)
  --token TOKEN        API token (default: $PORTCULLIS_TOKEN); Read permission is enough
  --target-url URL     the address the client requests, e.g.
                       https://app.example.com/admin: its hostname and path
                       select the application (most specific path first)
  --hostname HOST      or: the hostname the client connects to (its
                       whole-host application)
  --application ID     or: the application (id or aud) to test against
  --at ISO             validate at this time (ISO 8601) instead of now
  --ip ADDRESS         the client's IP address, for IP range rules
  --sni NAME           the TLS server name the client sends, when it is not
                       the URL's hostname ("" for none): the gateway answers
                       421 Misdirected when their CAs differ
  --service-token ID   a service token (its ID or Client ID): test as if the
                       request sent its CF-Access-Client-Id and Client Secret
                       (a disabled or expired token gets 401)
  --email ADDRESS      test as if signed in at the gateway as this person
                       (Emails / Emails ending in rules); without it an
                       application whose policies use an email asks for a
                       sign-in
  --json               print the full result as JSON
  -h, --help           show this help

Exit status: 0 allowed, 3 blocked, 1 usage, network or server error.`;

interface Step { label: string; status: "pass" | "fail" | "skip"; detail: string; level: number }
interface Trace {
  hostname: string;
  url?: string;
  sni?: string;
  service_token?: { name: string; client_id: string; valid: boolean };
  email?: string;
  decision: "allow" | "deny";
  access_decision?: string;
  reason: string;
  application: { name: string; domain: string; path?: string | null } | null;
  applications_considered?: { name: string; domain: string; matched: boolean; why: string }[];
  policy: { name: string } | null;
  certificate: { valid: boolean; errors: { code: string; depth: number; message: string }[] };
  chain: { role: string; subject: string }[];
  steps: Step[];
  /** the headers the gateway would set on the request to the origin (absent from an older server) */
  origin_headers?: { name: string; value: string }[] | null;
}

function certificateInput(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return bytes[0] === 0x30 ? bytes.toString("base64") : bytes.toString("utf8");
}

const MARK = { pass: "✓ pass", fail: "✗ fail", skip: "- skip" } as const;

/** What the gateway would do (the result's `access_decision`). */
const GATEWAY = {
  allow: "Allow (passed to the origin)",
  block: "Block (403)",
  bypass: "Bypass (passed to the origin without checks)",
  service_auth: "Service Auth (passed to the origin)",
  no_application: "No application (403)",
  misdirected: "Misdirected (421)",
  unauthenticated: "Service token refused (401)",
  sign_in: "Sign-in required (302 to the login page; 401 for API clients)",
} as Record<string, string>;

const withPath = (a: { domain: string; path?: string | null }) => (a.path && !a.domain.endsWith(a.path) ? `${a.domain}${a.path}` : a.domain);

export function formatTrace(t: Trace): string {
  const lines = [`${t.decision === "allow" ? "Allowed" : "Blocked"}: ${t.reason}`];
  if (t.url) lines.push(`URL: ${t.url}`);
  lines.push(`Hostname: ${t.hostname}`);
  if (t.sni !== undefined) lines.push(`TLS server name (SNI): ${t.sni || "none sent"}`);
  if (t.service_token) lines.push(`Service token: "${t.service_token.name}" (${t.service_token.client_id})${t.service_token.valid ? "" : " — refused"}`);
  if (t.email) lines.push(`Signed in as: ${t.email}`);
  lines.push(`Application: ${t.application ? `"${t.application.name}" (${withPath(t.application)})` : "none"}`);
  if (t.access_decision) lines.push(`Decision: ${GATEWAY[t.access_decision] ?? t.access_decision}`);
  if (t.applications_considered?.length) {
    lines.push("Applications considered:");
    for (const a of t.applications_considered) lines.push(`  ${a.matched ? "✓ matched" : "- skipped"}  "${a.name}" (${a.domain}) — ${a.why}`);
  }
  if (t.chain.length) lines.push(`Chain: ${t.chain.map((c) => `${c.subject} [${c.role}]`).join(" → ")}`);
  for (const e of t.certificate.errors) lines.push(`error ${e.code} at depth ${e.depth}: ${e.message}`);
  lines.push("", "Steps:");
  for (const s of t.steps) lines.push(`${"  ".repeat(s.level + 1)}${MARK[s.status]}  ${s.label} — ${s.detail}`);
  if (t.origin_headers?.length) {
    lines.push("", "Headers sent to the origin:");
    for (const h of t.origin_headers) lines.push(`  ${h.name}: ${h.value}`);
  }
  return lines.join("\n");
}

export const testCommand: Command = {
  async run(args) {
    const parsed = parseCommandArgs(args, {
      url: { type: "string" },
      token: { type: "string" },
      "target-url": { type: "string" },
      hostname: { type: "string" },
      application: { type: "string" },
      at: { type: "string" },
      ip: { type: "string" },
      sni: { type: "string" },
      "service-token": { type: "string" },
      email: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    const { values: v, positionals } = parsed;
    if (v.help) {
      console.log(HELP);
      return 0;
    }
    const token = v.token ?? process.env.PORTCULLIS_TOKEN;
    if (!token) throw new UsageError("an API token is required (--token or PORTCULLIS_TOKEN)");
    const target = v["target-url"];
    if ([target, v.hostname, v.application].filter(Boolean).length !== 1) {
      throw new UsageError("give exactly one of --target-url URL, --hostname HOST or --application ID");
    }
    if (positionals.length > 1) throw new UsageError("give at most one certificate file (CERT)");
    if (!positionals.length && !v["service-token"] && !v.email) {
      throw new UsageError("give a certificate file (CERT), or test --service-token or --email without one");
    }
    const base = (v.url ?? process.env.PORTCULLIS_URL ?? "http://localhost:3000").replace(/\/+$/, "");
    let endpoint: URL;
    try {
      endpoint = new URL(`${base}/api/v1/test-mtls`);
    } catch {
      throw new UsageError(`--url: "${base}" is not a URL`);
    }
    const body = {
      ...(target ? { url: target } : v.hostname ? { hostname: v.hostname } : { application_id: v.application }),
      ...(positionals.length ? { certificate: certificateInput(positionals[0]) } : {}),
      ...(v.at ? { at: v.at } : {}),
      ...(v.ip ? { ip: v.ip } : {}),
      ...(v.sni !== undefined ? { sni: v.sni } : {}),
      ...(v["service-token"] ? { service_token_id: v["service-token"] } : {}),
      ...(v.email ? { email: v.email } : {}),
    };
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      console.error(`portcullis test: cannot reach ${endpoint.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
      return 1;
    }
    let json: { success?: boolean; errors?: { message: string }[]; result?: Trace } | null = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    if (!res.ok || !json?.success || !json.result) {
      const why = json?.errors?.map((e) => e.message).join("; ") || `HTTP ${res.status} ${res.statusText}`;
      console.error(`portcullis test: ${why}`);
      return 1;
    }
    console.log(v.json ? JSON.stringify(json.result, null, 2) : formatTrace(json.result));
    return json.result.decision === "allow" ? 0 : 3;
  },
};
