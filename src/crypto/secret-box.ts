import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { keyRingFrom, type KeyRing } from './keys';

/**
 * Seals short secrets (API keys, signing tokens) for storage: AES-256-GCM under the 'secrets-at-rest'
 * key, as `enc:v1:<keyId>:<base64 iv|tag|ciphertext>`. The key id picks the key again after a
 * rotation. Each value is bound to where it is stored (its context, e.g.
 * `integrations/<id>/lever_api_key`), so a ciphertext copied into another row or column does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /**
   * What a stored value should become: plain text from before encryption is sealed, a value sealed
   * with a previous key is sealed again with the current one, a current one is returned as it is.
   */
  upgrade(stored: string, context: string): string;
}

/** Names the value (its context) and the key id, never the value or the key. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const prefix = 'enc:v1:';
const envelopePattern = /^enc:v1:([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;
const ivLength = 12;
const tagLength = 16;

export const isSealed = (value: string): boolean => value.startsWith(prefix);

/** The version and key id are authenticated with the context, so none of them can be swapped. */
const aad = (keyId: string, context: string) => Buffer.from(`${prefix}${keyId}:${context}`, 'utf8');

export function createSecretBox(ring: KeyRing): SecretBox {
  const seal = (plaintext: string, context: string): string => {
    const { id, key } = ring.current;
    const iv = randomBytes(ivLength);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
    cipher.setAAD(aad(id, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${prefix}${id}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  };

  const parse = (sealed: string, context: string) => {
    if (!isSealed(sealed)) throw new SecretBoxError(`${context} is not a sealed value`);
    const match = envelopePattern.exec(sealed);
    const body = Buffer.from(match?.[2] ?? '', 'base64');
    if (!match || body.length < ivLength + tagLength) throw new SecretBoxError(`${context} is not a well-formed sealed value`);
    return { keyId: match[1]!, body };
  };

  const open = (sealed: string, context: string): string => {
    const { keyId, body } = parse(sealed, context);
    const key = ring.byId.get(keyId);
    if (!key) throw new SecretBoxError(`${context} was sealed with key ${keyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, body.subarray(0, ivLength), { authTagLength: tagLength });
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(body.subarray(ivLength, ivLength + tagLength));
    try {
      return Buffer.concat([decipher.update(body.subarray(ivLength + tagLength)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`${context} does not open: it was altered or sealed for another row or column`);
    }
  };

  return {
    seal,
    open,
    upgrade(stored, context) {
      if (!isSealed(stored)) return seal(stored, context);
      return parse(stored, context).keyId === ring.current.id ? stored : seal(open(stored, context), context);
    },
  };
}

/** The box of stored secrets, from ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS. */
export const secretBoxFrom = (config: Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>): SecretBox =>
  createSecretBox(keyRingFrom(config, 'secrets-at-rest'));

/** Lets an admin tell which secret is stored without seeing it: the last 4 characters of a long one. */
export const secretHint = (secret: string): string | null => (secret.length >= 16 ? secret.slice(-4) : null);
