"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { getDb } from "@/lib/db/client";
import { ok } from "@/lib/domain/core/result";
import { createManagedCa, exportManagedCaPkcs12, importManagedCaPkcs12, retireManagedCa, type ManagedCaView } from "@/lib/domain/managed-ca";

const PATHS = ["/access-controls/service-credentials/client-certificates", "/access-controls/service-credentials/mutual-tls"];
const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};
const revalidate = () => PATHS.forEach((p) => revalidatePath(p));

/** The CA as forms see it: no certificate PEM in the action's payload (the page renders it). */
type CaState = ActionState<Omit<ManagedCaView, "certificatePem">>;
const slim = (view: ManagedCaView): Omit<ManagedCaView, "certificatePem"> => {
  const rest: Partial<ManagedCaView> = { ...view };
  delete rest.certificatePem;
  return rest as Omit<ManagedCaView, "certificatePem">;
};

/** Create a new managed CA (rotation). Form field: `key_type` (ecdsa-p256, rsa-2048, rsa-4096). */
export async function createManagedCaAction(_prev: CaState | null, form: FormData): Promise<CaState> {
  const state = await runAction({ write: true, values: formValues(form) }, async (actor) => {
    const r = await createManagedCa(await getDb(), actor, { keyType: text(form, "key_type") || undefined });
    return r.ok ? ok(slim(r.value)) : r;
  });
  if (state.ok && state.data) {
    state.message = `Managed CA ${state.data.name} created: new client certificates are issued by it; the previous CA stays trusted until its last certificate expires or you retire it.`;
    revalidate();
  }
  return state;
}

/** Form field: `id`. */
export async function retireManagedCaAction(_prev: CaState | null, form: FormData): Promise<CaState> {
  const state = await runAction({ write: true }, async (actor) => {
    const r = await retireManagedCa(await getDb(), actor, text(form, "id"));
    return r.ok ? ok(slim(r.value)) : r;
  });
  if (state.ok && state.data) {
    state.message = `Managed CA ${state.data.name} retired: it is no longer trusted on any hostname.`;
    revalidate();
  }
  return state;
}

/** Form fields: `id`, `password`. `data` is the PKCS#12 file in base64 (the browser saves it); never audited. */
export async function exportManagedCaAction(_prev: ActionState<string> | null, form: FormData): Promise<ActionState<string>> {
  const state = await runAction({ write: true }, async (actor) => {
    const r = await exportManagedCaPkcs12(await getDb(), actor, text(form, "id"), text(form, "password"));
    return r.ok ? ok(Buffer.from(r.value).toString("base64")) : r;
  });
  if (state.ok) state.message = "Backup ready: keep the file and its password apart.";
  return state;
}

/** Form fields: `file` (the .p12), `password`. */
export async function importManagedCaAction(_prev: CaState | null, form: FormData): Promise<CaState> {
  const state = await runAction({ write: true }, async (actor) => {
    const file = form.get("file");
    const bytes = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array();
    const r = await importManagedCaPkcs12(await getDb(), actor, bytes, text(form, "password"));
    return r.ok ? ok(slim(r.value)) : r;
  });
  if (state.ok && state.data) {
    state.message = `Managed CA ${state.data.name} imported: new client certificates are issued by it.`;
    revalidate();
  }
  return state;
}
