/**
 * The differential matrix at soak size (`npm run test:soak`): 600 generated cases from a fixed seed (another seed
 * than the small slice `npm test` runs), 100 of them with another TLS server name than the Host or none, and 50
 * identity cases (email, service token, blocked certificate: ./identity) and 50 managed CA cases (./managed), through the
 * real gateway over TLS, the tester, `portcullis test` (a sample) and real nginx running the export. On PGlite, and on
 * PostgreSQL too when TEST_DATABASE_URL is set (vitest.soak.config.ts). DIFF_SOAK_SEED and DIFF_SOAK_CONFIGS replay or widen it.
 */
import { describe, expect, it } from "vitest";
import { findNginx } from "../integration/nginx-fixtures";
import { CATEGORIES, SNI_CATEGORIES } from "./generate";
import { runMatrix } from "./harness";
import { IDENTITY_CATEGORIES } from "./identity";
import { MANAGED_CATEGORIES } from "./managed";

const SEED = Number(process.env.DIFF_SOAK_SEED ?? 7_130_500);
const CONFIGS = Math.max(50, Number(process.env.DIFF_SOAK_CONFIGS ?? 50));
const NGINX = findNginx();
if (!NGINX) console.warn("differential soak: nginx is not installed and could not be installed; the nginx door is left out.");

describe("differential matrix (soak): gateway, tester, CLI and nginx agree", () => {
  it(`agrees on every case of seed ${SEED} (${CONFIGS * 14} cases, ${CONFIGS * 2} of them SNI/Host cases, ${CONFIGS} identity cases, ${CONFIGS} managed CA cases)`, { timeout: 3_600_000 }, async () => {
    const report = await runMatrix({ seed: SEED, configs: CONFIGS, requestsPerConfig: 10, sniRequestsPerConfig: 2, identityRequestsPerConfig: 1, managedRequestsPerConfig: 1, cliEvery: 25, nginx: NGINX, log: (l) => console.log(l) });
    expect(report.cases).toBeGreaterThanOrEqual(700);
    expect(new Set(Object.keys(report.categories).map((c) => c.replace("+path_trick", "")))).toEqual(new Set([...CATEGORIES, ...SNI_CATEGORIES, ...IDENTITY_CATEGORIES, ...MANAGED_CATEGORIES]));
    expect(report.sni.tester).toBe(report.sni.cases);
    expect(report.sni.misdirected).toBeGreaterThan(report.sni.cases / 2);
    expect(report.compared.tester).toBeGreaterThan(report.cases * 0.75);
    expect(report.compared.cli).toBeGreaterThanOrEqual(report.cases / 25 - 5);
    if (NGINX) expect(report.compared.nginx).toBeGreaterThan(report.cases * 0.75);
    for (const [category, verdicts] of Object.entries({ ...report.identity, ...report.managed })) expect(verdicts, category).not.toContain("error");
    expect(report.disagreements.map((d) => `case ${JSON.stringify(d.request)}: ${d.why}`)).toEqual([]);
  });
});
