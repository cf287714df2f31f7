import { currentUser } from "@/lib/auth/session";
import { getCertificatePem } from "@/lib/domain/certificates";

/** Download the stored CA chain (signed-in users only; viewers may read it too). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await currentUser();
  if (!user) return new Response("Sign in to download certificates.\n", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
  const { id } = await params;
  const cert = await getCertificatePem(id);
  if (!cert) return new Response("No such mTLS certificate.\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  const file = (cert.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "certificate").slice(0, 100);
  return new Response(cert.pem, {
    headers: {
      "content-type": "application/x-pem-file",
      "content-disposition": `attachment; filename="${file}.pem"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
