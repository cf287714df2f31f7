/**
 * The differential matrix (issue #13 part 5), the small slice `npm test` runs: about 60 generated cases from a fixed
 * seed through the real gateway over TLS (the node engine, and the nginx engine compared with it), the tester,
 * `portcullis test` (a sample) and real nginx running the
 * export, plus 12 SNI/Host cases (a TLS server name of an open hostname, of a hostname with other or the same CAs,
 * none at all, or of a protected hostname with the Host of an open one) where every door must agree on 421, plus 6
 * identity cases (./identity: signed in with an allowed email or another one or none, a valid or a disabled service
 * token, a blocked certificate; nginx has none of these and is left out of them), plus 6 managed CA cases (./managed:
 * certificates the managed CA issued, active, revoked, reactivated, expired, another Common Name, or at a hostname
 * that does not trust it, under a Common Name or a Valid Certificate rule). Every door must agree with the gateway on the decision, and the tester on the application and the
 * deciding policy too. `npm run test:soak` runs the same matrix with at least 500 cases
 * (test/differential/matrix.soak.test.ts). A disagreement prints the seed, the configuration and the request.
 */
import { describe, expect, it } from "vitest";
import { findNginx } from "../integration/nginx-fixtures";
import { CATEGORIES, PATH_TRICKS, SNI_CATEGORIES } from "./generate";
import { runMatrix } from "./harness";
import { IDENTITY_CATEGORIES } from "./identity";
import { MANAGED_CATEGORIES } from "./managed";

const SEED = Number(process.env.DIFF_SEED ?? 20261305);
const NGINX = findNginx();
if (!NGINX) console.warn("differential matrix: nginx is not installed and could not be installed; the nginx door is left out.");

describe("differential matrix: gateway, tester, CLI and nginx agree", () => {
  it(`agrees on every case of seed ${SEED} (84 cases: 60, 12 with another TLS server name than the Host or none, 6 identity cases, 6 managed CA cases)`, { timeout: 900_000 }, async () => {
    const report = await runMatrix({ seed: SEED, configs: 6, requestsPerConfig: 10, sniRequestsPerConfig: 2, identityRequestsPerConfig: 1, managedRequestsPerConfig: 1, cliEvery: 15, nginx: NGINX, log: (l) => console.log(l) });
    expect(report.cases).toBe(84);
    // The slice draws every kind of client certificate, path tricks among them, and every SNI/Host case.
    expect(new Set(Object.keys(report.categories).map((c) => c.replace("+path_trick", "")))).toEqual(new Set([...CATEGORIES, ...SNI_CATEGORIES, ...IDENTITY_CATEGORIES, ...MANAGED_CATEGORIES]));
    // The SNI/Host cases went through the gateway, the tester (its sni input) and the CLI (--sni) too.
    expect(report.sni.misdirected).toBeGreaterThanOrEqual(6);
    expect(report.sni.tester).toBeGreaterThanOrEqual(8);
    expect(report.sni.cli).toBeGreaterThanOrEqual(2);
    expect(Object.entries(report.categories).filter(([c]) => c.endsWith("+path_trick")).reduce((n, [, k]) => n + k, 0)).toBeGreaterThan(PATH_TRICKS.length);
    // Every door answered for real (a harness that compares nothing would pass vacuously).
    expect(report.compared.tester).toBeGreaterThan(40);
    expect(report.compared.cli).toBeGreaterThanOrEqual(3);
    // nginx: every case compared except those nginx cannot express (counted and printed in the summary line).
    if (NGINX) expect(report.compared.nginx).toBeGreaterThan(45);
    // The nginx engine: every case but the SNI/Host ones its nginx answers 421 itself, on the decision, the
    // application and the deciding policy.
    if (NGINX) expect(report.compared["nginx engine"]).toBeGreaterThan(70);
    // The identity cases were decided for real, as each category must be.
    expect(report.identity).toMatchObject({
      email_other_domain: ["block"],
      email_missing: ["unauthenticated"],
      service_token_valid: ["allow"],
      service_token_disabled: ["unauthenticated"],
      blocked_certificate: ["block"],
    });
    expect(report.compared.cli).toBeGreaterThanOrEqual(9);
    // The managed CA cases were decided by every door (the CLI for each of them), none an error.
    expect(Object.keys(report.managed).sort()).toEqual([...MANAGED_CATEGORIES].sort());
    for (const [category, verdicts] of Object.entries(report.managed)) expect(verdicts, category).not.toContain("error");
    expect(report.compared.cli).toBeGreaterThanOrEqual(15);
    expect(report.disagreements.map((d) => `case ${JSON.stringify(d.request)}: ${d.why}`)).toEqual([]);
  });
});
