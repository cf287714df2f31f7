import { getStrictSettings } from "@/lib/domain/hostnames/strict";
import { HostnameSettingsRows, type HostnameSetting } from "./hostname-settings-rows";

export type { HostnameSetting };

/** The Configure page's Hostname settings: the Cloudflare-shaped switches and, per hostname, Strict validation. */
export async function HostnameSettings({ settings, canEdit }: { settings: HostnameSetting[]; canEdit: boolean }) {
  const strict = (await getStrictSettings(settings.map((s) => s.hostname))).filter((s) => s.strict).map((s) => s.hostname);
  return <HostnameSettingsRows settings={settings} canEdit={canEdit} strict={strict} />;
}
