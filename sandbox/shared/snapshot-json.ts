/**
 * JSON for the sandboxes' state snapshots (sandbox/persistence.ts): the stores hold Maps, Sets and
 * Buffers (uploaded files), which plain JSON would flatten into `{}` or arrays of numbers.
 */
export function toSnapshotJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    // `this[key]` is the value before Buffer#toJSON ran
    const raw = this[key];
    if (raw instanceof Map) return { $map: [...raw] };
    if (raw instanceof Set) return { $set: [...raw] };
    if (Buffer.isBuffer(raw)) return { $buffer: raw.toString('base64') };
    return converted;
  });
}

export function fromSnapshotJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const tagged = value as { $map?: unknown; $set?: unknown; $buffer?: unknown };
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    if (Array.isArray(tagged.$map)) return new Map(tagged.$map as Array<[unknown, unknown]>);
    if (Array.isArray(tagged.$set)) return new Set(tagged.$set);
    if (typeof tagged.$buffer === 'string') return Buffer.from(tagged.$buffer, 'base64');
    return value;
  });
}
