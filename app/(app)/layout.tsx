import Link from "next/link";

import { navFor } from "@/components/app-nav";
import { Logo } from "@/components/logo";
import { MainMenu } from "@/components/main-menu";
import { SignOutButton } from "@/components/sign-out-button";
import { SiteFooter } from "@/components/site-footer";
import { requireViewer } from "@/lib/auth/gate";
import { newNotificationCount } from "@/lib/notify/my-notifications";

export const dynamic = "force-dynamic";

const roleLabels: Record<string, string> = {
  employee: "Employee",
  manager: "Manager",
  compliance_admin: "Compliance admin",
  auditor: "Auditor",
};

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer("layout:/(app)");
  const items = navFor(viewer);
  const unread = await newNotificationCount(viewer);
  // Every role beyond employee, in the order of the table: someone who manages a team and administers compliance is both.
  const shownRoles = Object.keys(roleLabels).filter(
    (r) => r !== "employee" && (viewer.roles as readonly string[]).includes(r),
  );
  const roleLine = (shownRoles.length ? shownRoles : ["employee"]).map((r) => roleLabels[r]).join(" · ");
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 gap-y-3 px-4 py-3 sm:gap-x-6 sm:px-6">
          <Link href="/dashboard" aria-label="Clearance dashboard">
            <Logo />
          </Link>
          <MainMenu items={items} />
          <div className="flex items-center gap-3 sm:ml-auto">
            <Link
              href="/notifications"
              className="flex items-center gap-1.5 rounded-md px-2 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
            >
              Notifications
              {unread > 0 && (
                <span className="rounded-full bg-brand-700 px-1.5 py-0.5 text-xs leading-none font-semibold text-white">
                  {unread >= 99 ? "99+" : unread}
                  {/* Read as "Notifications 3 new": the name keeps the visible text, as speech control needs. */}
                  <span className="sr-only"> new</span>
                </span>
              )}
            </Link>
            <div className="hidden text-right text-sm leading-tight sm:block">
              <p className="font-medium text-slate-900">{viewer.name}</p>
              <p className="text-xs text-slate-500">{roleLine}</p>
            </div>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">
        {children}
      </main>
      <SiteFooter signIn={false} />
    </>
  );
}
