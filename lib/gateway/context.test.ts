import { describe, expect, it } from "vitest";
import { generateRoot } from "../../e2e/helpers/certs";
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
