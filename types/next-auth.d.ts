import "next-auth";

declare module "next-auth" {
  interface Session {
    /** `stamp`: the privilege stamp the session was issued with (lib/auth/session-stamp.ts). */
    user: { id: string; stamp: string };
    expires: string;
  }
}
