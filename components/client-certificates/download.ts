/** Hands bytes made in the page to the browser as a file download (nothing is fetched or uploaded). */
export function downloadFile(name: string, content: string | Uint8Array, type: string): void {
  const part: BlobPart = typeof content === "string" ? content : content.slice().buffer;
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A file name from what names the certificate: letters, digits, dot, dash and underscore only. */
export function fileStem(...candidates: string[]): string {
  const name = candidates.find((c) => c.trim()) ?? "client-certificate";
  return name.trim().replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "client-certificate";
}
