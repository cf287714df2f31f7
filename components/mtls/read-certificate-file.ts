/** Reads an uploaded certificate file: PEM text as is, DER bytes converted to PEM in the browser. */
export async function readCertificateFile(file: File, label = "CERTIFICATE"): Promise<string> {
  if (file.size > 1024 * 1024) throw new Error(`${file.name} is larger than 1 MiB; upload only the CA chain.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  // DER starts with a SEQUENCE tag (0x30); PEM and text start with printable characters.
  if (bytes[0] === 0x30 && bytes.length > 1 && bytes[1] >= 0x80) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const b64 = btoa(bin).replace(/.{1,64}/g, "$&\n");
    return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
  }
  return new TextDecoder().decode(bytes);
}

/** Private keys are refused in the browser before anything is sent (design.md §3.1). */
export const PRIVATE_KEY_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
export const PRIVATE_KEY_REFUSAL = "This is a private key. Paste only certificates; the key never leaves your machine.";
