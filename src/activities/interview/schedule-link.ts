import { linkSignature, linkSignatureMatches } from '../shared/link-signature';

/** One live interview of one candidate: what a scheduling link opens. */
export interface ScheduleLinkRef {
  integrationId: string;
  opportunityId: string;
  /** The interview's sequence number (`interview/<integration>/<opportunity>/<n>`). */
  interviewId: string;
}

const ids = (ref: ScheduleLinkRef) => [ref.integrationId, ref.opportunityId, ref.interviewId];

/** The "Schedule CodeSignal interview" link put on the Lever opportunity; it works only for that interview. */
export function interviewScheduleUrl(publicUrl: string, secret: string, ref: ScheduleLinkRef): string {
  return `${publicUrl}/interviews/schedule/${ids(ref).map(encodeURIComponent).join('/')}?sig=${linkSignature(secret, 'schedule-interview', ids(ref))}`;
}

export function scheduleSignatureIsValid(secret: string, ref: ScheduleLinkRef, given: string | undefined): boolean {
  return linkSignatureMatches(secret, 'schedule-interview', ids(ref), given);
}
