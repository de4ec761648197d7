import type { Metadata } from "next";

import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { formatDate } from "@/lib/format";
import { limitVerification } from "@/lib/http/public-limits";
import { requestMeta } from "@/lib/http/request-context";
import { standingLabel, verifyCertificateCode, type PublicVerification } from "@/lib/training/verify-certificate";

import { VerifyUploadForm } from "./upload-form";

export const metadata: Metadata = {
  title: "Verify a certificate or signed agreement",
  description: "Check that a Clearance training certificate or signed agreement is genuine.",
};
export const dynamic = "force-dynamic";

const VALID_STYLE = "border-emerald-200 bg-emerald-50 text-emerald-900";
const LAPSED_STYLE = "border-amber-200 bg-amber-50 text-amber-900";

function Result({ result }: { result: PublicVerification }) {
  if (!result.found) {
    return (
      <div role="status" className="rounded-lg border border-red-200 bg-red-50 p-5 text-red-900">
        <p className="font-semibold">Unknown code</p>
        <p className="mt-1 text-sm">
          No certificate has this code. Check it was typed exactly as printed (12 letters and digits).
        </p>
      </div>
    );
  }
  const valid = !result.annulled && !result.holderLeft && (result.status === "current" || result.status === "expiring");
  return (
    <div role="status" className={`rounded-lg border p-5 ${valid ? VALID_STYLE : LAPSED_STYLE}`}>
      <p className="text-lg font-semibold">{standingLabel(result)}</p>
      {result.annulled && (
        <p className="mt-1 text-sm">
          The certificate was issued here, but the organisation has annulled it: it does not show completed training.
        </p>
      )}
      {!result.annulled && result.holderLeft && (
        <p className="mt-1 text-sm">
          The certificate is genuine: it records training completed while they worked here.
        </p>
      )}
      <dl className="mt-3 grid grid-cols-3 gap-2 text-sm">
        <dt className="opacity-75">Name</dt>
        <dd className="col-span-2 font-medium">{result.name}</dd>
        <dt className="opacity-75">Course</dt>
        <dd className="col-span-2 font-medium">
          {result.courseTitle} (v{result.courseVersion})
        </dd>
        <dt className="opacity-75">Issued</dt>
        <dd className="col-span-2">{formatDate(result.issuedAt)}</dd>
        <dt className="opacity-75">{result.annulled ? "Was valid until" : "Valid until"}</dt>
        <dd className="col-span-2">{formatDate(result.expiresAt)}</dd>
      </dl>
    </div>
  );
}

export default async function VerifyPage({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  const { code } = await searchParams;
  const trimmed = typeof code === "string" ? code.trim().slice(0, 40) : "";
  const limited = trimmed ? !(await limitVerification((await requestMeta()).ip)).allowed : false;
  const result = trimmed && !limited ? await verifyCertificateCode(trimmed) : null;
  return (
    <>
      <PublicHeader />
      <main id="main" className="mx-auto w-full max-w-2xl flex-1 px-4 py-12 sm:px-6">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900">Verify a document</h1>
        <h2 className="mt-8 text-lg font-semibold text-slate-900">Training certificate</h2>
        <p className="mt-2 text-slate-600">
          Every completion certificate carries a verification code. Enter it to see whether the certificate is genuine
          and still valid. Only the name, the course and the dates are shown.
        </p>
        <form method="get" action="/verify" className="mt-8 flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1">
            <label htmlFor="code" className="block text-sm font-medium text-slate-800">
              Verification code
            </label>
            <input
              id="code"
              name="code"
              defaultValue={trimmed}
              placeholder="ABCD-EFGH-JKLM"
              autoComplete="off"
              spellCheck={false}
              className={`mt-1 font-mono uppercase ${inputClass}`}
              required
              maxLength={40}
            />
          </div>
          <Button type="submit">Verify</Button>
        </form>
        {limited && (
          <p role="alert" className="mt-8 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
            Too many checks from your network in the last minute. Wait a minute and try again.
          </p>
        )}
        {result && (
          <div className="mt-8">
            <Result result={result} />
          </div>
        )}
        <h2 className="mt-12 text-lg font-semibold text-slate-900">Signed agreement or certificate file</h2>
        <p className="mt-2 mb-4 text-slate-600">
          Upload a signed agreement or a completion certificate PDF. It is authentic only if it is exactly the file that
          was sealed: any change, even one character, makes it fail. The file is checked and discarded, never stored.
        </p>
        <VerifyUploadForm />
      </main>
      <SiteFooter />
    </>
  );
}
