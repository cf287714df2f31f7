/**
 * The console's nginx export is generated once per configuration: the same configuration gives the cached export
 * back, and any change of what the export reads (a new application, a hostname setting, a blocked certificate, a
 * policy edit) shows on the very next request, without waiting for a notification or a poll.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { blockCertificate } from "@/lib/domain/blocked-certificates";
import { updateHostnameSettings } from "@/lib/domain/hostnames";
import { createPolicy, updatePolicy } from "@/lib/domain/policies";
import { nginxExportForPage } from "@/lib/export/cached";
import { buildNginxExport } from "@/lib/export/nginx";
import { adminActor } from "../helpers/actors";
import { configureSeedGateway, generateGatewayPki, type GatewayPki } from "./gateway-fixtures";

const HOST = "export-cache.example.com";
const OPTIONS = { filesDir: "/etc/nginx/portcullis", listen: "443" };
let pki: GatewayPki;
let policyId = "";

async function ok<T>(p: Promise<{ ok: boolean; value?: T }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as T;
}

/** The page's export must always equal a fresh build of the configuration as it is now. */
async function expectCurrent() {
  const out = await nginxExportForPage(OPTIONS);
  expect(out).toEqual(await buildNginxExport(OPTIONS));
  return out;
}

describe("nginx export for the console page (cached per configuration)", () => {
  beforeAll(async () => {
    pki = generateGatewayPki();
    policyId = (await configureSeedGateway(pki, HOST, "http://127.0.0.1:9")).policyId;
  });

  it("gives the same export back while the configuration is unchanged, and builds per option set", async () => {
    const first = await expectCurrent();
    expect(first.hostnames).toContain(HOST);
    expect(await nginxExportForPage(OPTIONS)).toBe(first);
    const other = await nginxExportForPage({ filesDir: "/srv/pc", listen: "8443" });
    expect(other).not.toBe(first);
    expect(other.config).toContain("listen 8443 ssl;");
    expect(other.config).toContain("/srv/pc/");
    expect(await nginxExportForPage(OPTIONS)).toBe(first);
  });

  it("shows a new application on the next request", async () => {
    const before = await nginxExportForPage(OPTIONS);
    await ok(createApplication(adminActor, { name: "Cache test second", domain: `${HOST}/second`, policies: [policyId], origin_url: "http://127.0.0.1:9" }));
    const after = await expectCurrent();
    expect(after).not.toBe(before);
    expect(after.config).toContain('"Cache test second"');
    expect(before.config).not.toContain('"Cache test second"');
  });

  it("shows a hostname setting, a policy edit and a blocked certificate on the next request", async () => {
    let last = (await expectCurrent()).config;
    await ok(updateHostnameSettings(adminActor, { settings: [{ hostname: HOST, client_certificate_forwarding: true, china_network: false }] }));
    let now = (await expectCurrent()).config;
    expect(now).not.toBe(last);
    expect(now).toContain("$ssl_client_escaped_cert");

    last = now;
    const everyone = await ok<{ id: string }>(createPolicy(adminActor, { name: "Cache test everyone", decision: "bypass", include: [{ everyone: {} }] }));
    await ok(updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "deny", include: [{ common_name: { common_name: "John Doe" } }] }));
    now = (await expectCurrent()).config;
    expect(now).not.toBe(last);
    expect(everyone.id).toBeTruthy();

    last = now;
    await ok(blockCertificate(adminActor, { certificate: readFileSync(path.join(pki.dir, "client.pem"), "utf8"), reason: "cache test" }));
    now = (await expectCurrent()).config;
    expect(now).not.toBe(last);
    expect(now).toContain("$pc_blocked");
  });
});
