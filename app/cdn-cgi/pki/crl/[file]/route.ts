import { getDb } from "@/lib/db/client";
import { crlResponse, storedCrl } from "@/lib/domain/managed-ca/publish";

/** The managed CA's CRL, public: `/cdn-cgi/pki/crl/<ca id>.crl` (DER) or `.pem`. */
export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const db = await getDb();
  const r = await crlResponse((await params).file, (id) => storedCrl(db, id));
  return new Response(new Uint8Array(r.body), { status: r.status, headers: r.headers });
}

export const dynamic = "force-dynamic";
