import { currentUser } from "@/lib/auth/session";
import { buildNginxExport } from "@/lib/export/nginx";
import { parseExportOptions } from "../../../../lib/export/options";

/** GET /nginx-export/download?file=nginx.conf (or a CA/CRL file name) — signed-in users only. */
export async function GET(request: Request): Promise<Response> {
  if (!(await currentUser())) return new Response("Sign in to download the nginx export.\n", { status: 401, headers: { "content-type": "text/plain" } });
  const url = new URL(request.url);
  const { options } = parseExportOptions(Object.fromEntries(url.searchParams));
  const out = await buildNginxExport({ filesDir: options.filesDir, listen: options.listen, now: new Date() });
  const name = url.searchParams.get("file") || "nginx.conf";
  const content = name === "nginx.conf" ? out.config : out.files.find((f) => f.name === name)?.content;
  if (content === undefined) return new Response("No such file in the export.\n", { status: 404, headers: { "content-type": "text/plain" } });
  return new Response(content, {
    headers: {
      "content-type": name.endsWith(".conf") ? "text/plain; charset=utf-8" : "application/x-pem-file",
      "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
