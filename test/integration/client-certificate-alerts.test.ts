/**
 * Expiry alerts (30 and 14 days) for the client certificates the managed CA issued, through lib/domain/alerts:
 * raised once per threshold, named by the label, resolved when the certificate is revoked.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { evaluateAlerts, listAlerts } from "@/lib/domain/alerts";
import { issueClientCertificate, revokeClientCertificate } from "@/lib/domain/client-certificates";
import { adminActor } from "../helpers/actors";

if (process.env.DATABASE_URL) process.env.PORTCULLIS_SECRET_KEY ??= randomBytes(32).toString("base64");
const dir = mkdtempSync(path.join(os.tmpdir(), "client-cert-alerts-"));

function csr(cn: string): string {
  execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${cn}.key`, "-out", `${cn}.csr`, "-subj", `/CN=${cn}`], { cwd: dir, stdio: "ignore" });
  return readFileSync(path.join(dir, `${cn}.csr`), "utf8");
}

describe("client certificate expiry alerts", () => {
  it("raises 30- and 14-day alerts for active certificates and resolves them on revocation", async () => {
    const db = await getDb();
    const soon = await issueClientCertificate(db, adminActor, { csrPem: csr("soon"), validityDays: 7, label: "Tablet 7" });
    const later = await issueClientCertificate(db, adminActor, { csrPem: csr("later"), validityDays: 30, label: "" });
    const far = await issueClientCertificate(db, adminActor, { csrPem: csr("far"), validityDays: 365, label: "Kiosk" });
    if (!soon.ok || !later.ok || !far.ok) throw new Error("issue failed");
    const r = await evaluateAlerts(new Date(Date.now() + 60_000));
    expect(r.raised).toHaveLength(2);
    const open = (await listAlerts()).filter((a) => a.resourceType === "client_certificate");
    expect(open.map((a) => [a.kind, a.resourceName]).sort()).toEqual([
      ["client_certificate_expiry_14", "Tablet 7"],
      ["client_certificate_expiry_30", "later"],
    ]);
    expect(open.find((a) => a.resourceName === "Tablet 7")?.message).toMatch(/^Client certificate "Tablet 7" expires within 14 days \(on \d{4}-\d\d-\d\d\)/);
    // A second run raises nothing new.
    expect((await evaluateAlerts(new Date(Date.now() + 60_000))).raised).toEqual([]);
    expect((await revokeClientCertificate(db, adminActor, soon.value.id, "returned")).ok).toBe(true);
    const after = await evaluateAlerts(new Date(Date.now() + 60_000));
    expect(after.resolved).toHaveLength(1);
    expect((await listAlerts()).filter((a) => a.resourceType === "client_certificate").map((a) => a.resourceName)).toEqual(["later"]);
  });
});
