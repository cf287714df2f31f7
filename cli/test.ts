/** `portcullis test`: ask a running Portcullis whether a client certificate would be let in, and why. */
import { readFileSync } from "node:fs";
import { parseCommandArgs, UsageError, type Command } from "./command";

const HELP = `Usage: portcullis test [options] CERT

Test a client certificate against a hostname's mTLS certificates and its
application's policies, on a running Portcullis (POST /api/v1/test-mtls).
CERT is a PEM file (the client certificate, optionally followed by its
intermediates) or a DER file. The certificate is not stored by the server.

Options:
  --url URL            Portcullis base URL (default: $PORTCULLIS_URL or http://localhost:3000)
  --token TOKEN        API token (default: $PORTCULLIS_TOKEN); Read permission is enough
  --hostname HOST      the hostname the client connects to
  --application ID     or: the application (id or aud) to test against
  --at ISO             validate at this time (ISO 8601) instead of now
  --json               print the full result as JSON
  -h, --help           show this help

Exit status: 0 allowed, 3 blocked, 1 usage, network or server error.`;

interface Step { label: string; status: "pass" | "fail" | "skip"; detail: string; level: number }
interface Trace {
  hostname: string;
  decision: "allow" | "deny";
  reason: string;
  application: { name: string; domain: string } | null;
  policy: { name: string } | null;
  certificate: { valid: boolean; errors: { code: string; depth: number; message: string }[] };
  chain: { role: string; subject: string }[];
  steps: Step[];
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

export function formatTrace(t: Trace): string {
  const lines = [
    `${t.decision === "allow" ? "Allowed" : "Blocked"}: ${t.reason}`,
    `Hostname: ${t.hostname}${t.application ? ` (application "${t.application.name}", ${t.application.domain})` : ""}`,
  ];
  if (t.chain.length) lines.push(`Chain: ${t.chain.map((c) => `${c.subject} [${c.role}]`).join(" → ")}`);
  for (const e of t.certificate.errors) lines.push(`error ${e.code} at depth ${e.depth}: ${e.message}`);
  lines.push("", "Steps:");
  for (const s of t.steps) lines.push(`${"  ".repeat(s.level + 1)}${MARK[s.status]}  ${s.label} — ${s.detail}`);
  return lines.join("\n");
}

export const testCommand: Command = {
  summary: "test a client certificate against a running Portcullis (allowed or blocked, and why)",
  async run(args) {
    const parsed = parseCommandArgs(args, {
      url: { type: "string" },
      token: { type: "string" },
      hostname: { type: "string" },
      application: { type: "string" },
      at: { type: "string" },
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
    if (!v.hostname === !v.application) throw new UsageError("give exactly one of --hostname HOST or --application ID");
    if (positionals.length !== 1) throw new UsageError("give exactly one certificate file (CERT)");
    const base = (v.url ?? process.env.PORTCULLIS_URL ?? "http://localhost:3000").replace(/\/+$/, "");
    let endpoint: URL;
    try {
      endpoint = new URL(`${base}/api/v1/test-mtls`);
    } catch {
      throw new UsageError(`--url: "${base}" is not a URL`);
    }
    const body = {
      ...(v.hostname ? { hostname: v.hostname } : { application_id: v.application }),
      certificate: certificateInput(positionals[0]),
      ...(v.at ? { at: v.at } : {}),
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
