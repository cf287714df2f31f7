/**
 * Issue #13 part 5 in the browser: for one case per category, the Test mTLS page (by URL, with the client IP) and
 * the real gateway (curl over TLS with the same certificate, SNI and Host = the hostname) give the same decision:
 * paths (an application with a path, a path trick, segment boundaries) and every kind of client certificate (valid,
 * wrong Common Name, another CA, expired, not yet valid, revoked by an uploaded CRL, a SHA-1 chain, the intermediate
 * sent or not). The generated matrix with hundreds of cases is test/differential (vitest); this proves the page
 * shows it too.
 */
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { addChain, addPolicy, addApplication, MTLS, TEST_MTLS } from "./helpers/console";
import { gatewayStatus } from "./helpers/gateway";
import { generateTestPki, type TestPki } from "../test/integration/test-mtls-pki";
import { generateMatrixPki, type Leaf, type MatrixPki } from "../test/differential/pki";

test.describe("differential: the Test mTLS page and the gateway agree", () => {
  let pki: TestPki;
  let matrix: MatrixPki;
  test.beforeAll(() => {
    // openssl makes some 40 certificates here; a busy 2-core machine needs more than the default minute
    test.setTimeout(180_000);
    pki = generateTestPki({ rootCN: uniqueName("E2E Diff Root"), intermediateCN: uniqueName("E2E Diff Intermediate") });
    // the differential matrix's CAs: each issues John Doe, expired, not-yet-valid, revoked (its CRL) and SHA-1 leaves
    matrix = generateMatrixPki();
  });

  /** The page's result for `url` with `pem`, then the gateway's status for the same request (retried while it reloads). */
  async function sameDecision(page: Page, host: string, target: string, pem: string, client: { cert: string; key: string }, expected: "Allowed" | "Blocked", opts: { seclevel0?: boolean } = {}) {
    await page.goto(TEST_MTLS);
    await page.getByRole("textbox", { name: "URL" }).fill(`https://${host}${target}`);
    await page.getByRole("textbox", { name: "Client IP" }).fill("127.0.0.1");
    await page.getByRole("textbox", { name: "Client certificate" }).fill(pem);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Result" });
    await expect(result.getByText(expected, { exact: true })).toBeVisible();
    // Allowed: the gateway proxies, and these applications have no origin, so 502 (Bad Gateway); refused: 403.
    await expect.poll(() => gatewayStatus(host, target, client, opts), { timeout: 15_000 }).toBe(expected === "Allowed" ? 502 : 403);
  }

  test("one case per category: valid, wrong Common Name, an application with a path, a path trick, segment boundaries", async ({ adminPage: page }) => {
    test.setTimeout(180_000);
    const host = `${uniqueName("diff")}.example.com`;
    const john = uniqueName("Diff John Doe");
    const blockAll = uniqueName("Diff block");
    const whole = uniqueName("Diff site");
    const admin = uniqueName("Diff admin");
    await addChain(page, uniqueName("Diff chain"), pki.seed.chainPem, host);
    await addPolicy(page, john, "Service Auth", "Common Name", "John Doe");
    await addPolicy(page, blockAll, "Block", "Everyone");
    await addApplication(page, whole, host, john);
    await addApplication(page, admin, `${host}/admin`, blockAll);

    const johnKey = { cert: pki.johnPath, key: path.join(pki.dir, "client.key") };
    const janeKey = { cert: pki.janePath, key: path.join(pki.dir, "jane.key") };
    const cases = [
      { category: "valid", target: "/", pem: pki.johnPem, client: johnKey, expected: "Allowed" },
      { category: "wrong Common Name", target: "/", pem: pki.janePem, client: janeKey, expected: "Blocked" },
      { category: "application with a path", target: "/admin/users", pem: pki.johnPem, client: johnKey, expected: "Blocked" },
      { category: "path trick", target: "/x/../admin", pem: pki.johnPem, client: johnKey, expected: "Blocked" },
      { category: "segment boundary", target: "/administrator", pem: pki.johnPem, client: johnKey, expected: "Allowed" },
    ] as const;
    for (const c of cases) {
      await test.step(`${c.category}: ${c.target}`, () => sameDecision(page, host, c.target, c.pem, c.client, c.expected));
    }
  });

  test("one case per certificate category: another CA, expired, not yet valid, revoked (CRL), SHA-1 chain, intermediate sent or not", async ({ adminPage: page }) => {
    test.setTimeout(240_000);
    // `chained`: the alpha CA's intermediate and root (its CRL uploaded below); `rootOnly`: the beta CA's root alone,
    // so a client must send the intermediate.
    const chained = `${uniqueName("diff-chain")}.example.com`;
    const rootOnly = `${uniqueName("diff-root")}.example.com`;
    const chainName = uniqueName("Diff alpha chain");
    const john = uniqueName("Diff John");
    const { alpha, beta, other } = matrix.cas;
    await addChain(page, chainName, alpha.intermediatePem + alpha.rootPem, chained);
    await addChain(page, uniqueName("Diff beta root"), beta.rootPem, rootOnly);
    await addPolicy(page, john, "Service Auth", "Common Name", "John Doe");
    await addApplication(page, uniqueName("Diff chained"), chained, john);
    await addApplication(page, uniqueName("Diff root only"), rootOnly, john);
    const files = (l: Leaf, withIntermediate = false) => ({ cert: withIntermediate ? l.withIntermediate : l.cert, key: l.key });

    await test.step("valid, then revoked before its CRL is uploaded", async () => {
      await sameDecision(page, chained, "/", alpha.leaves.john.pem, files(alpha.leaves.john), "Allowed");
      await sameDecision(page, chained, "/", alpha.leaves.revoked.pem, files(alpha.leaves.revoked), "Allowed");
    });
    await test.step("the intermediate's CRL uploaded on the certificate's Configure page", async () => {
      await page.goto(MTLS);
      await page.getByRole("row").filter({ hasText: chainName }).getByRole("button", { name: "Configure" }).click();
      await page.getByRole("textbox", { name: "CRL content" }).fill(alpha.crlPem);
      await page.getByRole("button", { name: "Save CRL" }).click();
      await expect(page.getByRole("status").filter({ hasText: "CRL saved." })).toBeVisible();
    });
    const cases = [
      { category: "revoked (CRL)", host: chained, leaf: alpha.leaves.revoked, expected: "Blocked" },
      { category: "another CA", host: chained, leaf: other.leaves.john, expected: "Blocked" },
      { category: "expired", host: chained, leaf: alpha.leaves.expired, expected: "Blocked" },
      { category: "not yet valid", host: chained, leaf: alpha.leaves.not_yet_valid, expected: "Blocked" },
      { category: "SHA-1 chain", host: chained, leaf: alpha.leaves.sha1, expected: "Allowed" },
      { category: "intermediate sent", host: rootOnly, leaf: beta.leaves.john, intermediate: true, expected: "Allowed" },
      { category: "intermediate not sent", host: rootOnly, leaf: beta.leaves.john, expected: "Blocked" },
    ] as const;
    for (const c of cases) {
      const sent = "intermediate" in c;
      await test.step(c.category, () => sameDecision(page, c.host, "/", sent ? c.leaf.chainPem : c.leaf.pem, files(c.leaf, sent), c.expected, { seclevel0: c.leaf === alpha.leaves.sha1 }));
    }
  });
});
