/** One permission of an API key as the set-up UI shows it. */
export interface PermissionCheck {
  /** What the admin ticks or asks for, e.g. Lever's checklist entry "read stage". */
  name: string;
  /** The scope or permission name the API uses for it, e.g. `stages:read:admin`. */
  scope: string;
  /** null: the check could not tell (`detail` says why); it does not fail the TEST. */
  granted: boolean | null;
  detail?: string;
}

export interface KeyCheck {
  /** The key works and nothing it needs is known to be missing. */
  ok: boolean;
  keyValid: boolean;
  permissions: PermissionCheck[];
  /** Names of the permissions the key lacks. */
  missing: string[];
  checkedAt: string;
}

export function keyCheck(keyValid: boolean, permissions: PermissionCheck[], now: Date = new Date()): KeyCheck {
  const missing = permissions.filter((p) => p.granted === false).map((p) => p.name);
  return { ok: keyValid && missing.length === 0, keyValid, permissions, missing, checkedAt: now.toISOString() };
}

/** Runs `fn` over `items`, at most `limit` at a time, answering in the items' order; the first failure stops it. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        next = items.length;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
