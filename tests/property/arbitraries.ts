import fc from "fast-check";

/** Runs per property: enough to hit the edge cases below many times, small enough for PGlite. PROPERTY_RUNS=500 hunts deeper. */
export const RUNS = Number(process.env.PROPERTY_RUNS) || 50;
/** Per property test: the default 30 s, or more when PROPERTY_RUNS asks for more runs. */
export const TIMEOUT = Math.max(30_000, RUNS * 1_000);

/** Characters that have broken parsers, databases, CSV exports and renderers before. */
const EDGE_CHARACTERS = [
  "\u0000", // NUL: PostgreSQL text refuses it
  "\uD800", // lone high surrogate
  "\uDFFF", // lone low surrogate
  "\u202E", // right-to-left override
  "\u200F", // right-to-left mark
  "\u200B", // zero-width space
  "\uFEFF", // byte-order mark
  "\u0301", // combining acute accent
  "\u{1F469}\u200D\u{1F469}\u200D\u{1F467}", // family emoji (ZWJ sequence)
  "\u{1F600}",
  "\u0645",
  "李",
  "Ñ",
  "\r",
  "\n",
  "\t",
  "\u0007",
  "\u007F",
  "\u2028",
  '"',
  "'",
  "\\",
  "%",
  "=",
  ",",
  ";",
  "<",
  "&",
];

// NUL and lone surrogates break storage rather than display: draw them more often.
const edgeCharacter = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("\u0000", "\uD800", "\uDFFF") },
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_CHARACTERS) },
);

/** One code unit at a time: printable text mixed with the edge characters above. */
export const nastyUnit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: edgeCharacter },
);

const EDGE_STRINGS = [
  "",
  " ",
  "   ",
  "null",
  "undefined",
  "true",
  "0",
  "-1",
  "1e309",
  "NaN",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "' or 1=1 --",
  "%00",
  "%ZZ",
  "<script>alert(1)</script>",
  '=HYPERLINK("http://x")',
  "../../etc/passwd",
  "0000-00-00",
  "2026-02-30",
  "9999-12-31T23:59:59Z",
  "00000000-0000-0000-0000-000000000000",
  "customer-pii-read",
  "x".repeat(321),
  "\u0000",
  "a\u0000b",
  "\uD800",
  "x\uDC00y",
  "\u202E\u0645\u0631\u062D\u0628\u0627",
  "e\u0301\u0301\u0301\u0301",
  "\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}",
];

/** Long strings, up to about a megabyte, built by repetition so generating them stays cheap. */
export const hugeText = fc
  .tuple(
    fc.string({ unit: nastyUnit, minLength: 1, maxLength: 4 }),
    fc.constantFrom(1_001, 5_000, 70_000, 300_000, 1_100_000),
  )
  .map(([seed, length]) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length));

/** Ordinary text with one edge character somewhere inside: passes length checks, then meets the database. */
const textAround = fc
  .tuple(fc.string({ unit: "grapheme", maxLength: 12 }), edgeCharacter, fc.string({ unit: "grapheme", maxLength: 12 }))
  .map((parts) => parts.join(""));

/** Any text a client could send: ordinary, binary, edge cases and now and then huge. */
export const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: nastyUnit, maxLength: 30 }) },
  { weight: 3, arbitrary: textAround },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 1, arbitrary: hugeText },
);

/** Any JSON value, with the nasty strings inside it. */
export const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: nastyUnit });

/** A JSON object with some of the expected keys holding values of any type. */
export function jsonWithKeys(keys: string[]) {
  return fc.dictionary(
    fc.oneof(fc.constantFrom(...keys), fc.string({ unit: nastyUnit, maxLength: 10 })),
    fc.oneof(anyText, anyJson),
    { maxKeys: keys.length + 2 },
  );
}

/** Text that is almost JSON, or not at all. */
export const malformedJson = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    "[",
    "{]",
    '{"a":}',
    "{'a':1}",
    '{"a":1,}',
    "[1,2",
    "NaN",
    "undefined",
    "\uFEFF{}",
    "{}{}",
    '"\\uD800"',
    '{"a":"\\u0000"}',
    "nul",
    "tru",
    "1e999999",
    '{"__proto__":{"x":1}}',
  ),
  anyJson.map((v) => JSON.stringify(v)).map((s) => s.slice(0, Math.max(0, s.length - 1))),
  anyText,
);

/** Raw bytes that are not valid UTF-8 text, or are a PDF header with garbage after it. */
export const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }),
  fc.uint8Array({ maxLength: 500 }).map((tail) => new Uint8Array([...new TextEncoder().encode("%PDF-1.7\n"), ...tail])),
  fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x00]), new Uint8Array([0xc3, 0x28]), new Uint8Array([0xed, 0xa0, 0x80])),
);

/** Values for headers: ByteStrings only (what HTTP can carry), printable and Latin-1. */
export const headerValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."abcXYZ019 ;=,/+-_.:*\"'\t\u00e9\u00ff"), maxLength: 60 }),
  fc.constantFrom(
    "",
    " ",
    "null",
    "-1",
    "1e10",
    "999999999999",
    "abc",
    "0",
    "application/json; charset=utf-16",
    "multipart/form-data; boundary=",
  ),
);

export const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=----x",
    "application/pdf",
    "application/octet-stream",
    "application/xml",
    "image/png",
  ),
  headerValue,
);

/** A query string of random and expected keys, including repeats, stray % and empty pairs. */
export function queryString(keys: string[], values: fc.Arbitrary<string> = anyText) {
  const pair = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), values)
        .map(([k, v]) => `${k}=${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ unit: nastyUnit, maxLength: 8 }), fc.string({ maxLength: 8 }))
        .map(([k, v]) => `${encodeURIComponent(k.replace(/[\uD800-\uDFFF]/g, ""))}=${v}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "%",
        "%ZZ",
        "=",
        "&",
        "a=%E0%A4%A",
        "role",
        "user=",
        "format=CSV",
        "format[]=csv",
        "%00=%00",
      ),
    },
  );
  return fc.array(pair, { maxLength: 6 }).map((pairs) => (pairs.length ? `?${pairs.join("&")}` : ""));
}

export type FormValue = string | File;

export const fileValue = fc
  .tuple(
    fc.oneof(fc.string({ unit: nastyUnit, maxLength: 20 }), fc.constantFrom("people.csv", "", "a.pdf")),
    fc.oneof(
      anyBytes,
      anyText.map((t) => new TextEncoder().encode(t)),
    ),
    fc.constantFrom("text/csv", "application/pdf", "", "application/octet-stream"),
  )
  .map(([name, bytes, type]) => new File([bytes as BlobPart], name, { type }));

export const formValue: fc.Arbitrary<FormValue> = fc.oneof(
  { weight: 8, arbitrary: anyText },
  { weight: 1, arbitrary: fileValue },
);

/**
 * Form data as a browser, or someone replaying requests, could send it: the
 * expected fields (some missing, some repeated, some files) plus strangers.
 */
export function randomForm(fields: string[]) {
  const known = fields.length ? fc.constantFrom(...fields) : fc.constant("x");
  const key = fc.oneof(
    { weight: 4, arbitrary: known },
    { weight: 1, arbitrary: fc.string({ unit: nastyUnit, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom("$ACTION_ID_1", "q.", "q.x", "__proto__", "") },
  );
  return fc.array(fc.tuple(key, formValue), { maxLength: fields.length + 4 }).map(toFormData);
}

/** Form data with every expected field present, each from its own arbitrary (a list sends the key once per value). */
export function shapedForm(fields: Record<string, fc.Arbitrary<FormValue | FormValue[] | undefined>>) {
  return fc
    .record(fields)
    .map((values) =>
      toFormData(
        Object.entries(values).flatMap(([k, v]) =>
          v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((one) => [k, one] as [string, FormValue]),
        ),
      ),
    );
}

/** Form data that prints its entries (and `details`, e.g. a file's text) when a property fails, not "[object FormData]". */
export function toFormData(entries: [string, FormValue][], details?: unknown): FormData {
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  const shown = entries.map(([k, v]) => [
    k,
    typeof v === "string"
      ? v.length > 200
        ? `${v.slice(0, 200)}… (${v.length} characters)`
        : v
      : `File(${JSON.stringify(v.name)}, ${v.size} bytes, ${JSON.stringify(v.type)})`,
  ]);
  Object.defineProperty(form, fc.toStringMethod, {
    value: () => `FormData ${JSON.stringify(shown)}${details === undefined ? "" : ` ${JSON.stringify(details)}`}`,
  });
  return form;
}

/** An id from the test data most of the time, otherwise any UUID or any text. */
export function idFrom(ids: () => string[]) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_000 }).map((i) => ids()[i % ids().length]) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: anyText },
  );
}
