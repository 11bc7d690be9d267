/** One POST of a webhook delivery as a simulator records it; `Body` is what that simulator keeps of what it sent. */
export interface WebhookAttempt<Body> {
  attempt: number;
  at: number;
  /** Null when no answer came (network failure, timeout). */
  status: number | null;
  error: string | null;
  durationMs: number;
  body: Body;
}
