import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SelectionLinkRef {
  integrationId: string;
  opportunityId: string;
  assessmentId: string;
}

const signature = (secret: string, ref: SelectionLinkRef) =>
  createHmac('sha256', secret).update(`select\n${ref.integrationId}\n${ref.opportunityId}\n${ref.assessmentId}`).digest('base64url');

/** The assessment selection link put on the Lever opportunity; it works only for that assessment. */
export function assessmentSelectionUrl(publicUrl: string, secret: string, ref: SelectionLinkRef): string {
  const path = [ref.integrationId, ref.opportunityId, ref.assessmentId].map(encodeURIComponent).join('/');
  return `${publicUrl}/assessments/select/${path}?sig=${signature(secret, ref)}`;
}

export function selectionSignatureIsValid(secret: string, ref: SelectionLinkRef, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(signature(secret, ref));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
