/**
 * Per-hostname **Strict** validation (issue #17 §1, like `openssl verify -x509_strict`) at every door: a client
 * certificate without the Authority Key Identifier RFC 5280 requires (made by openssl with
 * `authorityKeyIdentifier=none`) passes by default, and is refused through the real gateway over TLS and by Test mTLS
 * once Strict is on; off again lets it in. The domain refuses bad input, unknown hostnames and viewers, and audits.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditFilterSchema, listAuditEvents } from "@/lib/domain/audit";
import { getStrictSettings, updateStrictSetting } from "@/lib/domain/hostnames/strict";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor, viewerActor } from "../helpers/actors";
import { ossl } from "../pki/openssl";
import { configureSeedGateway, curl, generateGatewayPki, startOrigin, until, type ClientCert, type GatewayPki } from "./gateway-fixtures";

const HOST = "strict.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;
let noAki: ClientCert;

beforeAll(async () => {
  pki = generateGatewayPki();
  // A version 3 client certificate of the seed's intermediate without an Authority Key Identifier.
  const d = pki.dir;
  writeFileSync(path.join(d, "no-aki.cnf"), "[ext]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=none\n");
  ossl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "no-aki.key", "-out", "no-aki.csr", "-subj", "/CN=John Doe"], d);
  ossl(["x509", "-req", "-in", "no-aki.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-set_serial", "4242", "-days", "30", "-extfile", "no-aki.cnf", "-extensions", "ext", "-out", "no-aki.pem"], d);
  noAki = { cert: path.join(d, "no-aki.pem"), key: path.join(d, "no-aki.key") };
  origin = await startOrigin();
  await configureSeedGateway(pki, HOST, origin.url);
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-strict-")), hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
});

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

const status = async (cert: ClientCert) => (await curl({ host: HOST, port: gw.port, cacert, cert, paths: ["/"] })).status;
const tester = async (cert: ClientCert) => {
  const t = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(cert.cert, "utf8") });
  if (!t.ok) throw new Error(JSON.stringify(t.error));
  return t.value;
};

describe("Strict validation per hostname", () => {
  it("refuses a certificate without an Authority Key Identifier at the gateway and in Test mTLS only while on", async () => {
    expect(await status(noAki)).toBe(200);
    expect((await tester(noAki)).decision).toBe("allow");
    expect(await getStrictSettings([HOST])).toEqual([{ hostname: HOST, strict: false }]);

    const on = await updateStrictSetting(adminActor, { hostname: HOST.toUpperCase(), strict: true });
    expect(on).toMatchObject({ ok: true, value: { hostname: HOST, strict: true } });
    await until(async () => (await status(noAki)) === 403, 5000, "Strict at the gateway");
    expect(await status(pki.client)).toBe(200); // a version 1 certificate: no extensions to require
    const refused = await tester(noAki);
    expect(refused.decision).not.toBe("allow");
    expect(JSON.stringify(refused)).toContain("Authority Key Identifier");

    expect(await updateStrictSetting(adminActor, { hostname: HOST, strict: false })).toMatchObject({ ok: true });
    await until(async () => (await status(noAki)) === 200, 5000, "Strict off at the gateway");
    expect((await tester(noAki)).decision).toBe("allow");

    const events = JSON.stringify(await listAuditEvents(auditFilterSchema.parse({ resourceType: "mtls_hostname_settings" })));
    expect(events).toContain("mtls_hostname_settings.strict");
  });

  it("refuses bad input, unknown hostnames and viewers", async () => {
    expect(await updateStrictSetting(adminActor, { hostname: HOST, strict: "yes" })).toMatchObject({ ok: false, error: { kind: "validation", message: "strict must be true or false" } });
    expect(await updateStrictSetting(adminActor, { strict: true })).toMatchObject({ ok: false, error: { kind: "validation", fieldErrors: { hostname: ["Hostname is required"] } } });
    expect(await updateStrictSetting(adminActor, { hostname: "nowhere.example.com", strict: true })).toMatchObject({
      ok: false,
      error: { message: "nowhere.example.com is not an associated hostname of any mTLS certificate." },
    });
    const viewer = await updateStrictSetting(viewerActor, { hostname: HOST, strict: true });
    expect(viewer.ok).toBe(false);
    expect(await getStrictSettings([HOST])).toEqual([{ hostname: HOST, strict: false }]);
  });
});
