/**
 * The browser side of Client certificates (lib/pki/keygen.ts, lib/pki/pkcs12.ts), read back by real OpenSSL: the
 * CSR verifies and names the Common Name; both PKCS#12 modes open with `openssl pkcs12` and hand back the same key
 * and certificates, with the algorithms each mode promises; a wrong password is refused.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateKeyAndCsr, type KeyChoice } from "../../lib/pki/keygen";
import { splitInput } from "../../lib/pki/pem";
import { buildPkcs12, type Pkcs12Mode } from "../../lib/pki/pkcs12";
import { CLIENT_EXT, OPENSSL, Pki, ossl } from "./openssl";

const dir = mkdtempSync(join(tmpdir(), "keygen-p12-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pki = new Pki(dir);
const root = pki.root("root", { subj: "/CN=Keygen Test Root", alg: "ec" });
const PASSWORD = "correct horse battery";

/** The CSR signed by the test root, as openssl does it (the server's part is tested elsewhere). */
function sign(name: string, csrPem: string): string {
  writeFileSync(pki.path(`${name}.csr`), csrPem);
  const ext = pki.path(`${name}.ext`);
  writeFileSync(ext, `[ext]\n${CLIENT_EXT.join("\n")}\n`);
  ossl(["x509", "-req", "-in", `${name}.csr`, "-CA", root.cert, "-CAkey", root.key, "-CAcreateserial", "-days", "30", "-extfile", ext, "-extensions", "ext", "-out", `${name}.pem`], dir);
  return pki.read(`${name}.pem`);
}

const der = (pem: string) => splitInput(pem).blocks.map((b) => b.der);
const publicKeyOf = (args: string[], input?: string) =>
  execFileSync(OPENSSL, args, { cwd: dir, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });

describe.each<KeyChoice>(["ecdsa-p256", "rsa-2048"])("a %s key made in the page", (keyType) => {
  let made: Awaited<ReturnType<typeof generateKeyAndCsr>>;
  let certPem: string;

  it("has a CSR that OpenSSL verifies, with the Common Name as its subject", async () => {
    made = await generateKeyAndCsr({ keyType, commonName: "  device-42.example  " });
    writeFileSync(pki.path(`${keyType}.req.pem`), made.csrPem);
    const out = spawnSync(OPENSSL, ["req", "-in", `${keyType}.req.pem`, "-verify", "-noout", "-subject"], { cwd: dir, encoding: "utf8" });
    expect(out.status).toBe(0);
    expect(out.stdout + out.stderr).toMatch(/verify OK/i);
    expect(out.stdout).toContain("subject=CN = device-42.example");
    const text = ossl(["req", "-in", `${keyType}.req.pem`, "-noout", "-text"], dir);
    expect(text).toContain(keyType === "rsa-2048" ? "Public-Key: (2048 bit)" : "NIST CURVE: P-256");
    // The PEM key is the CSR's key.
    expect(publicKeyOf(["pkey", "-pubout"], made.privateKeyPem)).toBe(ossl(["req", "-in", `${keyType}.req.pem`, "-noout", "-pubkey"], dir));
    certPem = sign(keyType, made.csrPem);
  });

  it.each<[Pkcs12Mode, RegExp[]]>([
    ["modern", [/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/, /MAC: sha256, Iteration 2048/]],
    ["legacy", [/PKCS7 Data\n/, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/, /MAC: sha1, Iteration 2048/]],
  ])("makes a %s PKCS#12 file that openssl pkcs12 opens", async (mode, algorithms) => {
    const p12 = await buildPkcs12({ privateKeyDer: made.privateKeyDer, certificates: [...der(certPem), ...der(pki.read("root.pem"))], password: PASSWORD, mode, friendlyName: "device-42" });
    const file = `${keyType}-${mode}.p12`;
    writeFileSync(pki.path(file), p12);
    // OpenSSL 3 reads both without -legacy: Triple DES is in its default provider (only RC2/RC4 need -legacy).
    const out = spawnSync(OPENSSL, ["pkcs12", "-info", "-nodes", "-in", file, "-passin", `pass:${PASSWORD}`], { cwd: dir, encoding: "utf8" });
    expect(out.stderr).not.toMatch(/error|invalid/i);
    expect(out.status).toBe(0);
    for (const re of algorithms) expect(out.stderr).toMatch(re);
    expect(out.stdout).toContain("friendlyName: device-42");
    const extracted = splitInput(out.stdout).blocks.map((b) => Buffer.from(b.der).toString("base64"));
    expect(extracted).toEqual([...der(certPem), ...der(pki.read("root.pem"))].map((d) => Buffer.from(d).toString("base64")));
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out.stdout)?.[0];
    expect(key).toBe(made.privateKeyPem);
    // The key is paired with the certificate (same localKeyID on both bags), so importers keep them together.
    const ids = [...out.stdout.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((m) => m[1].trim());
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    const wrong = spawnSync(OPENSSL, ["pkcs12", "-info", "-nodes", "-in", file, "-passin", "pass:wrong password"], { cwd: dir, encoding: "utf8" });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/mac verify (error|failure)/i);
  });
});

describe("refusals", () => {
  it("refuses a Common Name longer than 64 characters or with control characters", async () => {
    await expect(generateKeyAndCsr({ commonName: "x".repeat(65) })).rejects.toThrow("at most 64 characters");
    await expect(generateKeyAndCsr({ commonName: "a\nb" })).rejects.toThrow("control characters");
  });

  it("says why when the page has no WebCrypto (a console served over plain HTTP)", async () => {
    await expect(generateKeyAndCsr({}, {} as Crypto)).rejects.toThrow("it needs HTTPS (or localhost). Paste a CSR instead.");
  });

  it("makes a CSR with an empty subject when no Common Name is given", async () => {
    const { csrPem } = await generateKeyAndCsr({});
    writeFileSync(pki.path("empty.req.pem"), csrPem);
    expect(ossl(["req", "-in", "empty.req.pem", "-verify", "-noout", "-subject"], dir).trim()).toBe("subject=");
  });

  it("refuses a short PKCS#12 password", async () => {
    const { privateKeyDer } = await generateKeyAndCsr({});
    await expect(buildPkcs12({ privateKeyDer, certificates: der(pki.read("root.pem")), password: "short" })).rejects.toThrow("at least 8 characters");
  });
});
