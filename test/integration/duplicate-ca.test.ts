/** The same CA uploaded twice under another name is accepted, with a warning that names the existing entry. */
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificate } from "@/lib/domain/certificates";
import { knownChains } from "@/lib/domain/certificates/queries";
import { duplicateCaWarning } from "@/lib/domain/certificates/duplicates";
import { generateRoot, generateSeedChain, type SeedChain } from "../../e2e/helpers/certs";
import { adminActor } from "../helpers/actors";

let seed: SeedChain;
let other: { pem: string };

beforeAll(() => {
  seed = generateSeedChain({ rootCN: "Dup Root", intermediateCN: "Dup Intermediate" });
  other = generateRoot("/CN=Unrelated Root");
});

describe("duplicate CA warning", () => {
  it("a first upload has no duplicate warning", async () => {
    const r = await createCertificate(adminActor, { name: "Original", certificate: seed.chainPem, associated_hostnames: [] });
    expect(r.ok).toBe(true);
    expect((r.ok ? (r.warnings ?? []) : []).join(" ")).not.toMatch(/already uploaded/);
  });

  it("the same chain under another name is saved, and warned about by name", async () => {
    const r = await createCertificate(adminActor, { name: "Copy", certificate: seed.chainPem, associated_hostnames: [] });
    expect(r.ok).toBe(true);
    expect(r.ok && r.warnings).toContain(
      "This CA is already uploaded as “Original”. Saving it again creates a second entry; associate hostnames with the existing one instead if that is what you meant.",
    );
  });

  it("a chain sharing only its root is warned about too; an unrelated CA is not", async () => {
    const rootOnly = await createCertificate(adminActor, { name: "Root only", certificate: seed.rootPem, associated_hostnames: [] });
    expect(rootOnly.ok && rootOnly.warnings?.join(" ")).toMatch(/already uploaded as “Copy” and “Original”/);
    const unrelated = await createCertificate(adminActor, { name: "Unrelated", certificate: other.pem, associated_hostnames: [] });
    expect(unrelated.ok).toBe(true);
    expect((unrelated.ok ? (unrelated.warnings ?? []) : []).join(" ")).not.toMatch(/already uploaded/);
  });

  it("the page's known chains give the browser the same answer as the server", async () => {
    const known = await knownChains();
    expect(known.map((k) => k.name)).toEqual(["Copy", "Original", "Root only", "Unrelated"]);
    expect(duplicateCaWarning([known[0].sha256[1]], known)).toMatch(/“Copy”, “Original” and “Root only”/);
    expect(duplicateCaWarning(["00:11"], known)).toBeNull();
  });
});
