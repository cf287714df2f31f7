/** Reads a certificate or CRL file chosen in the browser: PEM as text, DER as base64 (the server accepts both). */
export async function readCertificateFile(
  file: File,
  maxBytes = 1024 * 1024,
): Promise<{ ok: true; text: string; der: boolean } | { ok: false; error: string }> {
  if (file.size > maxBytes) return { ok: false, error: `${file.name} is ${file.size} bytes; the limit is ${maxBytes} bytes.` };
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes[0] === 0x30) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { ok: true, text: btoa(bin), der: true };
  }
  return { ok: true, text: new TextDecoder().decode(bytes), der: false };
}
