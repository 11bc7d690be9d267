import { linkSignature, linkSignatureMatches } from '../shared/link-signature';

export interface SelectionLinkRef {
  integrationId: string;
  opportunityId: string;
  assessmentId: string;
}

const ids = (ref: SelectionLinkRef) => [ref.integrationId, ref.opportunityId, ref.assessmentId];

/** The assessment selection link put on the Lever opportunity; it works only for that assessment. */
export function assessmentSelectionUrl(publicUrl: string, secret: string, ref: SelectionLinkRef): string {
  return `${publicUrl}/assessments/select/${ids(ref).map(encodeURIComponent).join('/')}?sig=${linkSignature(secret, 'select', ids(ref))}`;
}

export function selectionSignatureIsValid(secret: string, ref: SelectionLinkRef, given: string | undefined): boolean {
  return linkSignatureMatches(secret, 'select', ids(ref), given);
}
