/**
 * Sends a file (or a removal) to one of the draft's upload routes; on success
 * reloads the page, which then shows the draft as it now is. Returns the
 * message to show when it did not work.
 */
export async function sendAndReload(url: string, init: RequestInit): Promise<string | null> {
  try {
    const response = await fetch(url, init);
    if (response.ok) {
      window.location.reload();
      return null;
    }
    const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    return answer?.error?.message ?? "That did not work. Try again.";
  } catch {
    return "The request did not reach the server. Check your connection and try again.";
  }
}
