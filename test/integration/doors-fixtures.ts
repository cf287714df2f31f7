/**
 * The tester's other doors for "every door agrees" tests: POST /api/v1/test-mtls served over HTTP from its route
 * handler (with a Read API token of a first admin), and `portcullis test` run through the real launcher against it.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { POST } from "@/app/api/v1/test-mtls/route";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";

const ROOT = path.resolve(__dirname, "../..");

export interface TestMtlsApi {
  base: string;
  token: string;
  close(): Promise<void>;
}

/** Serves POST /api/v1/test-mtls on 127.0.0.1 and creates a Read token for it (the database's first admin). */
export async function startTestMtlsApi(adminEmail: string): Promise<TestMtlsApi> {
  const u = await createFirstAdmin({ email: adminEmail, name: "Doors", password: "a-long-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  const t = await createApiToken({ type: "user", id: u.value.id, label: u.value.email, role: "admin", permission: "edit" }, { name: "doors", permission: "read" });
  if (!t.ok) throw new Error(t.error.message);
  const api = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const out = await POST(new Request(new URL(req.url ?? "/", "http://127.0.0.1"), { method: req.method, headers, body: Buffer.concat(chunks) }), { params: Promise.resolve({}) });
    res.writeHead(out.status, Object.fromEntries(out.headers));
    res.end(Buffer.from(await out.arrayBuffer()));
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    token: t.value.secret,
    close: () => new Promise<void>((r) => api.close(() => r())),
  };
}

/**
 * `portcullis test … --json CERT` against `api`: the result's access_decision, or "no JSON: <stderr>". `certFile`
 * null: no CERT (a service token or an email tested alone).
 */
export function cliAccessDecision(api: TestMtlsApi, args: string[], certFile: string | null): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin/portcullis.mjs"), "test", "--url", api.base, "--token", api.token, ...args, "--json", ...(certFile ? [certFile] : [])],
      { cwd: ROOT, env: { ...process.env, PORTCULLIS_URL: "", PORTCULLIS_TOKEN: "" }, timeout: 60_000 },
      (_err, stdout, stderr) => {
        try {
          resolve((JSON.parse(stdout) as { access_decision: string }).access_decision);
        } catch {
          resolve(`no JSON: ${stderr.trim()}`);
        }
      },
    );
  });
}
