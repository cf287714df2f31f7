import { mkdtempSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { generateRoot } from "../../e2e/helpers/certs";
import { Pki } from "../../test/pki/openssl";
import { ContextCache, type HostConfig } from "./context";

describe("ContextCache TLS contexts", () => {
  it("builds one TLS context per trust store, shared by the hostnames with the same CAs and CRLs, until the configuration changes", async () => {
    const server = generateRoot("/CN=gateway.test");
    const [caA, caB] = [generateRoot("/CN=Bench CA A"), generateRoot("/CN=Bench CA B")];
    const trust: Record<string, string[]> = { "a1.test": [caA.pem], "a2.test": [caA.pem], "b1.test": [caB.pem], "none.test": [] };
    const source = async (host: string): Promise<HostConfig> => ({ cas: trust[host], crls: [], forwarding: false, apps: [] });
    const cache = new ContextCache({ cert: server.pem, key: server.keyPem }, source, async () => Object.keys(trust));
    const [a1, a2, b1, none] = await Promise.all(["a1.test", "a2.test", "b1.test", "none.test"].map((h) => cache.get(h)));
    expect(a1.secureContext).toBe(a2.secureContext);
    expect(b1.secureContext).not.toBe(a1.secureContext);
    expect(none.secureContext).toBe(cache.defaultContext);
    expect(a1.secureContext).not.toBe(cache.defaultContext);
    cache.clear();
    const again = await cache.get("a2.test");
    expect(again.secureContext).not.toBe(a1.secureContext);
    expect((await cache.get("a1.test")).secureContext).toBe(again.secureContext);
  });
});

describe("ContextCache TLS contexts and revocation", () => {
  it("leave the CRLs out of the handshake: OpenSSL checks no revocation there (lib/pki decides it for every request)", async () => {
    const p = new Pki(mkdtempSync(path.join(os.tmpdir(), "portcullis-ctx-crl-")));
    const ca = p.root("ca", { subj: "/CN=Context CA" });
    const leaf = p.issue("leaf", ca, { subj: "/CN=Revoked client" });
    p.revoke(ca, leaf.cert);
    const crl = readFileSync(p.crl(ca, "ca"), "utf8");
    const server = generateRoot("/CN=gateway.test");
    const source = async (): Promise<HostConfig> => ({ cas: [readFileSync(ca.cert, "utf8")], crls: [crl], forwarding: false, apps: [] });
    const cache = new ContextCache({ cert: server.pem, key: server.keyPem }, source, async () => ["crl.test"]);
    const ctx = await cache.get("crl.test");
    const srv = tls.createServer({ SNICallback: (_n, cb) => cb(null, ctx.secureContext), cert: server.pem, key: server.keyPem, requestCert: true, rejectUnauthorized: false });
    const verdict = new Promise<{ error: string | null; peer: string }>((resolve) =>
      srv.on("secureConnection", (s: tls.TLSSocket) => {
        resolve({ error: s.authorizationError ? String(s.authorizationError) : null, peer: s.getPeerX509Certificate()?.subject ?? "" });
        s.end();
      }),
    );
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const { port } = srv.address() as AddressInfo;
    const c = tls.connect({ host: "127.0.0.1", port, servername: "crl.test", rejectUnauthorized: false, cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) });
    c.on("data", () => undefined);
    c.on("error", () => undefined);
    const seen = await verdict;
    c.destroy();
    srv.close();
    expect(seen.peer).toBe("CN=Revoked client");
    // OpenSSL verified the chain against the CA (no error) and did no revocation check: with the CRL in the context it
    // says CERT_REVOKED here, after verifying the CRL's signature again, as in every handshake.
    expect(seen.error).toBeNull();
  });
});
