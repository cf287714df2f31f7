import type { ReactNode } from "react";
import { SidePanel } from "@/components/layout/side-panel";
import { Sidebar } from "@/components/layout/sidebar";
import { SidebarData } from "@/components/layout/sidebar-data";
import { UserMenu } from "@/components/layout/user-menu";
import { requireUser } from "@/lib/auth/session";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <SidebarData>
      <div className="flex min-h-screen">
        <SidePanel />
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-6 py-2.5 dark:border-slate-800 dark:bg-slate-900">
            <details className="md:hidden">
              <summary className="cursor-pointer text-sm font-medium">Menu</summary>
              <div className="absolute z-30 mt-2 w-56 rounded-md border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900">
                <Sidebar />
              </div>
            </details>
            <span className="hidden text-sm text-slate-500 md:inline dark:text-slate-400">Zero Trust · Access controls</span>
            <UserMenu email={user.email} role={user.role} />
          </header>
          <main className="mx-auto w-full max-w-6xl flex-1 px-6 py-6">{children}</main>
        </div>
      </div>
    </SidebarData>
  );
}
