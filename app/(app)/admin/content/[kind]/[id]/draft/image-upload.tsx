"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";
import { imageNameFrom } from "@/lib/content/images";

import { sendAndReload } from "./send-and-reload";

function send(id: string, name: string, init: RequestInit): Promise<string | null> {
  return sendAndReload(`/admin/content/course/${id}/images?name=${encodeURIComponent(name)}`, init);
}

/** Uploads an image to the course's draft under a name made from the file's, then reloads the page to list it. */
export function ImageUpload({ id }: { id: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  async function upload(form: HTMLFormElement) {
    const file = (form.elements.namedItem("image") as HTMLInputElement).files?.[0];
    if (!file) return setError("Choose an image file first.");
    setPending(true);
    setError(null);
    setError(
      await send(id, imageNameFrom(file.name), {
        method: "POST",
        body: file,
        headers: { "Content-Type": file.type || "application/octet-stream" },
      }),
    );
    setPending(false);
  }
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void upload(event.currentTarget);
      }}
    >
      <div>
        <label htmlFor="lesson-image" className="block text-sm font-medium text-slate-800">
          PNG, JPEG or WebP image (at most 1 MB)
        </label>
        <input
          id="lesson-image"
          name="image"
          type="file"
          accept="image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp"
          className="mt-1 block text-sm"
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            setName(file ? imageNameFrom(file.name) : null);
          }}
        />
        {name && <p className="mt-1 text-xs text-slate-600">It will be attached as images/{name}</p>}
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Uploading…" : "Attach the image"}
      </Button>
      {error && (
        <div className="w-full">
          <Alert>{error}</Alert>
        </div>
      )}
    </form>
  );
}

/** Removes an image from the course's draft. */
export function RemoveImageButton({ id, name }: { id: string; name: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button
        type="button"
        variant="secondary"
        disabled={pending}
        aria-label={`Remove ${name}`}
        onClick={async () => {
          setPending(true);
          setError(await send(id, name, { method: "DELETE" }));
          setPending(false);
        }}
      >
        {pending ? "Removing…" : "Remove"}
      </Button>
      {error && <Alert>{error}</Alert>}
    </>
  );
}
