import { describeVerdict, MAX_VERIFY_UPLOAD_BYTES, verifySignedDocument } from "@/lib/agreements/verify-document";
import { apiErrorReply, readBodyBytes, toResponse } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { limitVerification } from "@/lib/http/public-limits";
import { metaFromHeaders } from "@/lib/http/request-context";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/**
 * Checks a signed agreement or completion certificate PDF for other systems. Send the file as the raw
 * body (Content-Type: application/pdf) or as multipart form field "file".
 */
async function handlePost(request: Request) {
  const rate = await limitVerification(metaFromHeaders((name) => request.headers.get(name)).ip);
  if (!rate.allowed)
    return apiError(429, "rate_limited", "Too many checks; try again shortly.", {
      "Retry-After": String(rate.retryAfterSeconds),
    });
  const type = request.headers.get("content-type") ?? "";
  const raw = type.startsWith("application/pdf") || type.startsWith("application/octet-stream");
  if (!raw && !type.startsWith("multipart/form-data"))
    return apiError(415, "unsupported_media_type", "Send the PDF as application/pdf or as multipart/form-data.");
  // A multipart body carries its boundaries and headers besides the file.
  const body = await readBodyBytes(
    request,
    MAX_VERIFY_UPLOAD_BYTES + 64 * 1024,
    apiErrorReply(413, "payload_too_large", "The document must be at most 10 MB."),
  );
  if (!body.ok) return toResponse(body.reply);
  let bytes = body.bytes;
  if (!raw) {
    const file = await new Response(body.bytes, { headers: { "content-type": type } }).formData().then(
      (form) => form.get("file"),
      () => undefined,
    );
    if (file === undefined) return apiError(400, "unreadable_body", "The request body could not be read.");
    if (!(file instanceof File)) return apiError(400, "missing_file", 'Send the PDF in the multipart field "file".');
    bytes = new Uint8Array(await file.arrayBuffer());
  }
  if (bytes.length === 0) return apiError(400, "empty_document", "The document is empty.");
  if (bytes.length > MAX_VERIFY_UPLOAD_BYTES)
    return apiError(413, "payload_too_large", "The document must be at most 10 MB.");
  const verdict = await verifySignedDocument(bytes);
  const message = describeVerdict(verdict);
  if (!verdict.authentic) return Response.json({ authentic: false, message });
  if (verdict.kind === "certificate") {
    const { certificate } = verdict;
    return Response.json({
      authentic: true,
      kind: "certificate",
      message,
      seal: { timestamped: verdict.timestamped, longTermValidation: verdict.longTermValidation },
      certificate: {
        holder: certificate.name,
        course: certificate.courseTitle,
        version: certificate.courseVersion,
        issuedAt: certificate.issuedAt.toISOString(),
        expiresAt: certificate.expiresAt.toISOString(),
        status: certificate.status,
        holderLeft: certificate.holderLeft,
        annulled: certificate.annulled,
      },
    });
  }
  return Response.json({
    authentic: true,
    kind: "agreement",
    message,
    seal: { timestamped: verdict.timestamped, longTermValidation: verdict.longTermValidation },
    agreement: verdict.agreementTitle,
    version: verdict.version,
    signer: verdict.signerName,
    signedAt: verdict.signedAt.toISOString(),
  });
}

export const POST = observed("/api/v1/verify", handlePost);
