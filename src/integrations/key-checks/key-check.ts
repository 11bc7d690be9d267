import pLimit from 'p-limit';

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

/**
 * Runs `fn` over `items`, at most `concurrency` at a time (p-limit), answering in the items' order; the
 * first failure rejects it and no item still waiting is started.
 */
export async function mapLimited<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const limit = pLimit(concurrency);
  try {
    return await Promise.all(items.map((item) => limit(() => fn(item))));
  } finally {
    limit.clearQueue();
  }
}
