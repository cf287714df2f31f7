"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";

/**
 * Scalar's interactive reference for /client/v4/openapi.json. Loaded only on the API page (next/dynamic).
 * No outside calls: default fonts, telemetry, the agent and MCP are off; "Test request" goes to this origin.
 */
export default function ApiReference({ specUrl }: { specUrl: string }) {
  return (
    <ApiReferenceReact
      configuration={{
        url: specUrl,
        withDefaultFonts: false,
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        hideDarkModeToggle: true,
        showSidebar: false,
        documentDownloadType: "json",
        defaultOpenAllTags: false,
        hideModels: false,
      }}
    />
  );
}
