import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import { importSubject, opportunitySubject, SubjectErasedError, type DataKeyStore } from '../crypto/data-keys';
import { keyRingFrom, type KeyRing } from '../crypto/keys';
import { parseWorkflowId } from '../workflows/shared/ids';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
/** Key ids of candidate data keys carry this prefix; the service ring's are 8 hex digits. */
const DATA_KEY_PREFIX = 'dk:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted; the message names the reason, never key material or content. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * The candidate a payload belongs to, from the workflow that owns it (Temporal's serialization
 * context): a candidate's own, assessment and interview workflows and their activities share the
 * candidate's subject; an import workflow has the sourced candidate's. Anything else (schedules,
 * sweeps, backfills, the ingress without context) has none and uses the service key.
 */
export function subjectOfContext(context: SerializationContext | undefined): string | undefined {
  const workflowId = context?.workflowId;
  if (!workflowId) return undefined;
  const parsed = parseWorkflowId(workflowId);
  if (!parsed) return undefined;
  if (parsed.opportunityId !== null) return opportunitySubject(parsed.integrationId, parsed.opportunityId);
  if (parsed.kind === 'import') return importSubject(parsed.integrationId, workflowId.slice(`import/${parsed.integrationId}/`.length));
  return undefined;
}

export interface EncryptionCodecOptions {
  /** Per-candidate data keys (crypto-shredding). Without a store every payload uses the service key, and candidate-key payloads cannot be read. */
  dataKeys?: DataKeyStore;
  /**
   * What decoding a payload of an erased candidate gives: `throw` (workers and clients: the data is
   * gone) or `mark` (the codec endpoint: a JSON payload saying so, for `temporal workflow show` and the Web UI).
   */
  onErased?: 'throw' | 'mark';
  /**
   * What encoding for an erased candidate does: `throw` (clients: the ingress answers `candidate_erased` and
   * starts nothing) or `drop` (workers, `workerDataConverter`: an erased candidate's flow still finishing sends
   * a marker instead of its data, because a codec that throws in a worker fails the whole worker).
   */
  onErasedEncode?: 'throw' | 'drop';
}

/**
 * AES-256-GCM over the whole serialized Payload (its metadata included, so the original encoding is
 * hidden too). Data is iv (12) + auth tag (16) + ciphertext; the key id in the metadata picks the key
 * after a rotation — a candidate's data key (`dk:<id>`) for their workflows' payloads, else the
 * service key. Payloads without the encrypted encoding pass through: histories from before encryption
 * still replay and read.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly opts: EncryptionCodecOptions = {},
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    const subject = this.opts.dataKeys ? subjectOfContext(context) : undefined;
    let dataKey: { id: string; key: Buffer } | undefined;
    try {
      dataKey = subject ? await this.opts.dataKeys!.keyFor(subject).then((k) => ({ id: `${DATA_KEY_PREFIX}${k.id}`, key: k.key })) : undefined;
    } catch (err) {
      // In a worker, an erased candidate's flow still finishing (an activity's result or failure before the erasure
      // ends it): its data is dropped, not sent under another key, and the worker carries on. Temporal records the marker.
      if (err instanceof SubjectErasedError && this.opts.onErasedEncode === 'drop') return payloads.map(() => erasedPayload(err.erasedAt));
      throw err;
    }
    const { id, key } = dataKey ?? this.keys.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
        data: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]),
      };
    });
  }

  /** The same codec for a worker (`onErasedEncode: 'drop'`). */
  forWorker(): EncryptionCodec {
    return new EncryptionCodec(this.keys, { ...this.opts, onErasedEncode: 'drop' });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    // each key a batch names is looked up once, however many of its payloads it encrypted
    const keys = new Map<string, Promise<Buffer | Payload>>();
    const keyOf = (keyId: string) => {
      let key = keys.get(keyId);
      if (!key) keys.set(keyId, (key = this.keyOf(keyId)));
      return key;
    };
    return Promise.all(payloads.map((payload) => (text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING ? this.decrypt(payload, keyOf) : payload)));
  }

  private async keyOf(keyId: string): Promise<Buffer | Payload> {
    if (!keyId.startsWith(DATA_KEY_PREFIX)) {
      const derived = this.keys.byId.get(keyId);
      if (!derived) throw new PayloadDecryptionError(`payload was encrypted with key ${keyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS`);
      return derived.key;
    }
    if (!this.opts.dataKeys) throw new PayloadDecryptionError(`payload was encrypted with a candidate data key (${keyId}); this client was given no data-key store`);
    const found = await this.opts.dataKeys.keyById(keyId.slice(DATA_KEY_PREFIX.length));
    if (found.state === 'live') return found.key;
    if (found.state === 'unknown') throw new PayloadDecryptionError(`payload was encrypted with candidate data key ${keyId}, which this database does not hold`);
    if (this.opts.onErased === 'mark') return erasedPayload(found.erasedAt);
    throw new PayloadDecryptionError(`payload was encrypted with candidate data key ${keyId}, destroyed when the candidate was erased on ${found.erasedAt.toISOString()}`);
  }

  private async decrypt(payload: Payload, keyOf: (keyId: string) => Promise<Buffer | Payload>): Promise<Payload> {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA}`);
    const key = await keyOf(keyId);
    if (!Buffer.isBuffer(key)) return key;
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload failed authentication with key ${keyId} (altered or corrupted)`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** What the codec endpoint shows for an erased candidate's payload, and what is sent instead of one after the erasure: a JSON object saying so, and when. */
const erasedPayload = (erasedAt: Date): Payload => ({
  metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify({ erased: `this candidate's data was erased on ${erasedAt.toISOString()}; its key no longer exists` })),
});

/**
 * Failure messages and stack traces can name a candidate, so they travel as an encoded payload too
 * (the converter runs inside the workflow sandbox as well: prebuilt bundles must be given this path).
 */
export const failureConverterPath = require.resolve('./failure-converter');

type KeyConfig = Pick<Config, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>;

/**
 * The codec keyed by ENCRYPTION_KEY (and the previous keys, to decrypt) and, given the data-key store,
 * by each candidate's data key: workers, clients and the codec endpoint share it.
 */
export const payloadCodecFor = (config: KeyConfig, opts: EncryptionCodecOptions = {}): EncryptionCodec => new EncryptionCodec(keyRingFrom(config, 'temporal-payloads'), opts);

/** The data converter of every Temporal client and worker of the service. */
export function dataConverterFor(config: KeyConfig, dataKeys?: DataKeyStore): DataConverter {
  return { payloadCodecs: [payloadCodecFor(config, { dataKeys })], failureConverterPath };
}

/** A client's converter as a worker uses it: the same keys, an erased candidate's late payloads dropped (`onErasedEncode`). */
export function workerDataConverter(converter: DataConverter): DataConverter {
  return { ...converter, payloadCodecs: converter.payloadCodecs?.map((codec) => (codec instanceof EncryptionCodec ? codec.forWorker() : codec)) };
}
