/**
 * Test mTLS by URL through the HTTP API and `portcullis test` (issue #13 part 2): the URL's path selects the
 * application, the most specific path first and on segment boundaries, and the answer names the application
 * with its path, the applications considered and the gateway's decision. The API runs as the real route
 * module behind a real HTTP server; the CLI is the real launcher (bin/portcullis.mjs) in a child process.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { adminActor } from "../helpers/actors";
import { startApiServer, type TestApiServer } from "../api/server";
import { generateTestPki, type TestPki } from "./test-mtls-pki";

const HOST = "paths.example.com";
const ROOT = path.resolve(__dirname, "../..");
let pki: TestPki;
let server: TestApiServer | undefined;
let base = "";
let secret = "";
const ids = { whole: "", admin: "", ops: "" };

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

beforeAll(async () => {
  pki = generateTestPki({ rootCN: "URL Root", intermediateCN: "URL Intermediate" });
  must(await createCertificate(adminActor, { name: "URL chain", certificate: pki.seed.chainPem, associated_hostnames: [HOST] }));
  const john = must(await createPolicy(adminActor, { name: "URL John Doe", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] })).id;
  const blockAll = must(await createPolicy(adminActor, { name: "URL block everyone", decision: "deny", include: [{ everyone: {} }] })).id;
  const office = must(await createPolicy(adminActor, { name: "URL office", decision: "non_identity", include: [{ ip: { ip: "10.0.0.0/8" } }] })).id;
  ids.whole = must(await createApplication(adminActor, { name: "URL whole host", domain: HOST, policies: [john] })).id;
  ids.admin = must(await createApplication(adminActor, { name: "URL admin", domain: `${HOST}/admin`, policies: [blockAll] })).id;
  ids.ops = must(await createApplication(adminActor, { name: "URL ops", domain: `${HOST}/ops`, policies: [office] })).id;

  const u = must(await createFirstAdmin({ email: "url-admin@test.example", name: "URL", password: "url-admin-password-1" }, null));
  const actor = { type: "user" as const, id: u.id, label: u.email, role: "admin" as const, permission: "edit" as const };
  secret = must(await createApiToken(actor, { name: "url tester", permission: "read" })).secret;

  // The route module behind a real HTTP server, as `next start` serves it.
  server = await startApiServer();
  base = server.origin;
});
afterAll(() => server?.close());

const api = async (body: unknown) => {
  const res = await fetch(`${base}/api/v1/test-mtls`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
};

/** `portcullis test …` as a user runs it; resolves with the exit code and both streams. */
const cli = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin/portcullis.mjs"), "test", "--url", base, "--token", secret, ...args],
      { cwd: ROOT, env: { ...process.env, PORTCULLIS_URL: "", PORTCULLIS_TOKEN: "" }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });

describe("POST /api/v1/test-mtls with a URL", () => {
  it("picks the most specific application for the path and says which ones it considered", async () => {
    const { status, json } = await api({ url: `https://${HOST}/admin/users`, certificate: pki.johnPem });
    expect(status).toBe(200);
    expect(json.result).toMatchObject({
      url: `https://${HOST}/admin/users`,
      hostname: HOST,
      path: "/admin/users",
      application: { id: ids.admin, name: "URL admin", path: "/admin" },
      access_decision: "block",
      decision: "deny",
      policy: { name: "URL block everyone" },
    });
    const considered = json.result.applications_considered as { id: string; matched: boolean; why: string }[];
    expect(considered.map((c) => c.id).sort()).toEqual([ids.whole, ids.admin, ids.ops].sort());
    expect(considered.filter((c) => c.matched).map((c) => c.id)).toEqual([ids.admin]);
  });

  it("matches paths on segment boundaries: /administrator is the whole-host application's", async () => {
    const { status, json } = await api({ url: `https://${HOST}/administrator`, certificate: pki.johnPem });
    expect(status).toBe(200);
    expect(json.result).toMatchObject({ application: { id: ids.whole, path: null }, access_decision: "service_auth", decision: "allow" });
    const admin = (json.result.applications_considered as { id: string; matched: boolean; why: string }[]).find((c) => c.id === ids.admin);
    expect(admin).toMatchObject({ matched: false });
    expect(admin?.why).toMatch(/does not cover/);
  });

  it("passes the client IP to IP range rules", async () => {
    const inside = await api({ url: `https://${HOST}/ops/`, certificate: pki.janePem, ip: "10.1.2.3" });
    expect(inside.json.result).toMatchObject({ application: { id: ids.ops }, access_decision: "service_auth", ip: "10.1.2.3" });
    const outside = await api({ url: `https://${HOST}/ops/`, certificate: pki.janePem, ip: "192.0.2.1" });
    expect(outside.json.result).toMatchObject({ application: { id: ids.ops }, access_decision: "block", decision: "deny" });
  });

  it("refuses a bad URL or client IP with a 400 naming the field", async () => {
    const bad = await api({ url: "app.example.com/admin", certificate: pki.johnPem });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ source: { pointer: "/url" } });
    expect(bad.json.errors[0].message).toContain("Enter a URL such as https://app.example.com/admin");
    const ip = await api({ url: `https://${HOST}/`, certificate: pki.johnPem, ip: "ten.one" });
    expect(ip.status).toBe(400);
    expect(ip.json.errors[0]).toMatchObject({ source: { pointer: "/ip" } });
  });
});

describe("the OpenAPI document", () => {
  it("documents POST /api/v1/test-mtls with url and ip, and every field the answer carries", async () => {
    const doc = buildOpenApiDocument();
    const item = doc.paths["/test-mtls"] as { servers: { url: string }[]; post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } };
    expect(item.servers[0].url).toBe("/api/v1");
    expect(item.post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/TestMtlsInput");
    const schemas = doc.components.schemas as Record<string, { required?: string[]; properties: Record<string, unknown> }>;
    expect(Object.keys(schemas.TestMtlsInput.properties)).toEqual(expect.arrayContaining(["url", "hostname", "application_id", "certificate", "at", "ip"]));
    const { json } = await api({ url: `https://${HOST}/admin`, certificate: pki.johnPem, ip: "10.0.0.1" });
    const documented = schemas.TestMtlsResult;
    for (const key of documented.required ?? []) expect(json.result, key).toHaveProperty(key);
    for (const key of Object.keys(json.result)) expect(documented.properties, `result.${key} is documented`).toHaveProperty(key);
  });
});

describe("portcullis test --target-url", () => {
  it("prints the application with its path and the decision, exit 3 when blocked", async () => {
    const r = await cli(["--target-url", `https://${HOST}/admin/users`, pki.johnPath]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`URL: https://${HOST}/admin/users`);
    expect(r.stdout).toContain(`Application: "URL admin" (${HOST}/admin)`);
    expect(r.stdout).toContain("Decision: Block (403)");
    expect(r.stdout).toMatch(/✓ matched {2}"URL admin"/);
    expect(r.stdout).not.toContain("Headers sent to the origin");
  });

  it("exit 0 when allowed; --ip reaches IP range rules; --json carries the whole result", async () => {
    const whole = await cli(["--target-url", `https://${HOST}/administrator`, pki.johnPath]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toContain(`Application: "URL whole host" (${HOST})`);
    expect(whole.stdout).toContain("Decision: Service Auth");
    // What the origin would receive is printed after the steps (the hostname forwards nothing extra here).
    expect(whole.stdout).toMatch(/\nHeaders sent to the origin:\n {2}x-forwarded-proto: https\n {2}x-forwarded-host: [^\n]+\n {2}cf-access-jwt-assertion: \(a JWT/);
    const ops = await cli(["--target-url", `https://${HOST}/ops`, "--ip", "10.9.9.9", "--json", pki.janePath]);
    expect(ops.code).toBe(0);
    expect(JSON.parse(ops.stdout)).toMatchObject({ application: { id: ids.ops, path: "/ops" }, access_decision: "service_auth" });
  });

  it("keeps --hostname, refuses two targets at once, and reports the server's field error", async () => {
    const host = await cli(["--hostname", HOST, pki.johnPath]);
    expect(host.code).toBe(0);
    expect(host.stdout).toContain(`Application: "URL whole host" (${HOST})`);
    const both = await cli(["--hostname", HOST, "--target-url", `https://${HOST}/admin`, pki.johnPath]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("give exactly one of --target-url URL, --hostname HOST or --application ID");
    const bad = await cli(["--target-url", "not a url", pki.johnPath]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Enter a URL such as https://app.example.com/admin");
  });
});
