import { Field } from "@/components/ui/field";

/**
 * The consent step's proof that the signer can open PDFs (ESIGN §7001(c)(1)(C)(ii)): a link to a
 * one-page PDF made for this signing, and the field for the code it shows.
 */
export function ConsentCodeCheck({ pdfHref, error }: { pdfHref: string; error?: string }) {
  return (
    <div className="space-y-3 rounded-md border border-slate-200 px-4 py-3">
      <p className="text-sm text-slate-700">
        Confirm that you can open PDF files, as the signed copy is one: open the consent-check PDF, then type the code
        it shows.
      </p>
      <a
        href={pdfHref}
        download
        className="inline-block text-sm font-medium text-brand-700 underline underline-offset-2"
      >
        Open the consent-check PDF
      </a>
      <Field
        label="Code from the PDF"
        name="consentCode"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={20}
        required
        error={error}
        hint="Six letters and digits. Opening the PDF again gives a new code."
      />
    </div>
  );
}
