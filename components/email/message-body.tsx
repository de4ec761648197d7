import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import type { OutboxMessage } from "@/lib/notify/list-outbox";

/** An email's body as it was sent, as plain text; or why it is not shown. */
export function MessageBody({ message, withheldNote }: { message: OutboxMessage; withheldNote: string }) {
  if (message.withheld) return <Alert tone="info">{withheldNote}</Alert>;
  if (message.text === null)
    return <Alert tone="info">This email’s text is no longer kept; only its subject and dates remain.</Alert>;
  return (
    <Card title="Message" description={message.hasAttachments ? "Sent with an attachment." : undefined}>
      <pre
        data-testid="email-text"
        className="font-sans text-sm leading-6 break-words whitespace-pre-wrap text-slate-800"
      >
        {message.text}
      </pre>
    </Card>
  );
}
