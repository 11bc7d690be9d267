import { defaultFieldResolver, isNonNullType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { FieldResolver, GraphQLContext } from './graphql-context';
import type { InterviewRecord, SessionRecord } from './state';

/**
 * Response mode `sparse`: every field the schema types as NULLABLE answers `null` (an object-typed one is
 * simply absent), so a client meets an account that uses all the room the schema gives it. Nullability is
 * read from the built schema (`isNonNullType`), so this follows whatever SDL the schema comes from.
 * Non-null fields (ids, enums like `status`, `maxScore`, `url` of a room…) are untouched, and so are list
 * ELEMENTS (`[Contact]!` keeps its contacts): only fields are resolved, elements are not.
 *
 * Kept even in sparse mode — never because the integration would like a value, only where a null would
 * contradict the state the reference (codesignal-api.md) documents:
 *  - root `Query` / `Mutation` fields: a null there means "not found" / "nothing happened";
 *  - the entries of `SPARSE_EXCEPTIONS` below, each with its reason.
 */

/** Which response mode applies to this request: the company's setting (defaults to the sandbox option). */
export function isSparse(ctx: GraphQLContext): boolean {
  return ctx.data.settings.responseMode === 'sparse';
}

interface Exception {
  /** Given the parent object the field resolves on: must the field keep its value? */
  keep(source: any): boolean;
  /** Which documented state a null would contradict. */
  why: string;
}

const always = (): boolean => true;

/** `Type.field` → when it keeps its value in sparse mode. Keep this list short: it is the whole contract we add. */
export const SPARSE_EXCEPTIONS: Record<string, Exception> = {
  // -- the schema's one nested lookup by id: like the root lookups, a null answers "no such item", which would be false
  'CompanyTest.testSession': { keep: always, why: 'lookup by id: null means "no such session of this test"' },

  // -- test sessions (reference §5, §6)
  'CompanyTestSession.result': {
    keep: (s: SessionRecord) => s.status === 'over',
    why: '§6: `over` is the final state of a taken test; its result exists (only `finalizing` is "result being computed")',
  },
  'CompanyTestSessionResult.score': {
    keep: (r: { session: SessionRecord }) => r.session.status === 'over',
    why: '§6: the result of an `over` session is its score out of `maxScore`; a final result without one contradicts `over`',
  },
  'CompanyTestSession.invitationUrl': {
    keep: (s: SessionRecord) => s.status === 'pending' && s.noInvitationEmail,
    why: '§5: with `noInvitationEmail` CodeSignal sends nothing and the caller hands out `invitationUrl`; a pending one is the only way in',
  },
  'CompanyTestSession.reactivatedSession': {
    keep: (s: SessionRecord) => s.reactivatedSession !== null,
    why: '§5: after `reactivateCompanyTestSession` "the old session then exposes reactivatedSession { newSessionId … }"',
  },
  'CompanyTestSession.verificationStatus': {
    keep: (s: SessionRecord) => s.verificationStatus !== null,
    why: '§6/§8: the only carrier of a proctored session\'s documented states (pending / verified / notVerified); a null would make a not-verified `over` session read as a plain finished one',
  },

  // -- company team (reference §1, §7)
  'Contact.user': {
    keep: (u: { contactStatus: string }) => u.contactStatus === 'active',
    why: '§7: interviewers are CodeSignal user ids reached "through company { contacts { email user { id } } }"; an active team member has an account (an invited one may not)',
  },

  // -- live interviews (reference §7, §8)
  'LiveInterview.interviewersFeedback': {
    keep: (i: InterviewRecord) => i.feedback.length > 0,
    why: '§8: after `liveInterviewFeedbackUpdated` ("feedback added/changed") the interview has feedback; its entries\' nullable fields still go',
  },
};

function wrap(field: GraphQLField<unknown, GraphQLContext>, exception: Exception | undefined): void {
  const resolve: FieldResolver = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, ctx: GraphQLContext, info) => {
    if (isSparse(ctx) && !exception?.keep(source)) return null;
    return resolve(source, args, ctx, info);
  };
}

/**
 * Wraps the resolver of every nullable field of every object type (root types and introspection
 * excepted) so it answers null while the requesting company's `responseMode` is `sparse`. Call after
 * the resolvers are attached; with `full` the wrapped resolvers behave exactly as before.
 */
export function applyResponseMode(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((t) => t!.name));
  // An exception for a field the schema does not (or no longer) define is simply unused: the SDL is
  // maintained elsewhere (src/codesignal/schema/) and may drop fields.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || roots.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type)) continue;
      wrap(field as GraphQLField<unknown, GraphQLContext>, SPARSE_EXCEPTIONS[`${type.name}.${field.name}`]);
    }
  }
  return schema;
}
