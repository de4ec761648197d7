/** The roles a person holds in the app. Kept free of database imports so the browser can list them too. */
export const appRoles = ["employee", "manager", "compliance_admin", "auditor"] as const;
export type AppRole = (typeof appRoles)[number];
