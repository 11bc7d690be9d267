/** Domain failure, independent of transport: GraphQL turns it into an error entry, the control API into a status. */
export type SandboxErrorKind = 'not_found' | 'invalid' | 'conflict' | 'forbidden';

export class SandboxError extends Error {
  constructor(
    readonly kind: SandboxErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export const notFound = (what: string, id: string): SandboxError => new SandboxError('not_found', `${what} with id ${id} not found`);
export const invalid = (message: string): SandboxError => new SandboxError('invalid', message);
export const conflict = (message: string): SandboxError => new SandboxError('conflict', message);

/** The wording CodeSignal uses for permission problems (exact shape unconfirmed). */
export const ACCESS_DENIED = 'Access Denied';
