import "next-auth";

declare module "next-auth" {
  interface Session {
    /** `sid`: the server-side session record the cookie speaks for (lib/auth/sessions.ts). */
    user: { id: string; sid: string };
    expires: string;
  }
}
