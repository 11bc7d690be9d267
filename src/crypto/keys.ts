import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config';

/** What each derived key is for; one master key never encrypts two kinds of data directly. */
export type KeyPurpose = 'secrets-at-rest' | 'temporal-payloads' | 'admin-sessions' | 'candidate-data-keys';

export interface DerivedKey {
  /** Short stable id written next to ciphertext, so the right key is found after a rotation. */
  id: string;
  key: Buffer;
}

/** The current key first, then the previous ones (decrypt only), all derived for one purpose. */
export interface KeyRing {
  current: DerivedKey;
  byId: ReadonlyMap<string, DerivedKey>;
}

export function deriveKey(masterKeyBase64: string, purpose: KeyPurpose): DerivedKey {
  const master = Buffer.from(masterKeyBase64, 'base64');
  if (master.length !== 32) throw new Error('an encryption key must be 32 bytes');
  const key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `lever-codesignal/${purpose}`, 32));
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export function keyRing(current: string, previous: readonly string[], purpose: KeyPurpose): KeyRing {
  const keys = [current, ...previous].map((k) => deriveKey(k, purpose));
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** The ring for a purpose from ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS. */
export function keyRingFrom(config: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>, purpose: KeyPurpose): KeyRing {
  if (!config.ENCRYPTION_KEY) throw new Error('ENCRYPTION_KEY is not set');
  const previous = config.ENCRYPTION_KEYS_PREVIOUS ? config.ENCRYPTION_KEYS_PREVIOUS.split(',') : [];
  return keyRing(config.ENCRYPTION_KEY, previous, purpose);
}

export const newMasterKey = (): string => randomBytes(32).toString('base64');
