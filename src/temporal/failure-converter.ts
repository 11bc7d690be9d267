import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (`failureConverterPath`) in workers, clients and the workflow bundle: moves a failure's
 * message and stack trace into an encoded payload, which the payload codec then encrypts.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
