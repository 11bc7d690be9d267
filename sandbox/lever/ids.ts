import { randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** `bytes` random bytes as lowercase hex (2 chars per byte). */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');
