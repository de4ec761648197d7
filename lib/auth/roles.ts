import type { AppRole } from "@/db/schema";

/** The signed-in person as the domain sees them. Kept apart from next-auth so scripts and workers can use it. */
export type Viewer = {
  id: string;
  email: string;
  name: string;
  roles: AppRole[];
  departmentId: string | null;
  mfaEnabled: boolean;
  mfaRequired: boolean;
  /** This session's second factor was done at an identity provider trusted for it (lib/identity/sso). */
  mfaByIdp?: boolean;
};

/** Roles that see other people's data must use MFA. */
export const MFA_REQUIRED_ROLES: AppRole[] = ["manager", "compliance_admin", "auditor"];

export function hasRole(viewer: Viewer, ...roles: AppRole[]): boolean {
  return viewer.roles.some((r) => roles.includes(r));
}
