/** Sliding one-second window per API key and root field, as CodeSignal's per-field `@rateLimit` works. */
export class FieldRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number, private readonly windowMs = 1000) {}

  /** Fields over their limit; nothing is counted unless every field is allowed. */
  check(apiKey: string, fields: Array<{ name: string; limit: number }>): string[] {
    const now = this.now();
    const over = fields.filter((f) => this.recent(apiKey, f.name, now).length >= f.limit).map((f) => f.name);
    if (over.length === 0) for (const f of fields) this.recent(apiKey, f.name, now).push(now);
    return over;
  }

  reset(): void {
    this.hits.clear();
  }

  private recent(apiKey: string, field: string, now: number): number[] {
    const key = `${apiKey}\u0000${field}`;
    const list = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.hits.set(key, list);
    return list;
  }
}
