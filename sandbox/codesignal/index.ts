/** CodeSignal API sandbox: an in-memory simulator of CodeSignal's public GraphQL API, webhooks, and the sourcing side of the service's sourcing contract. */
export { createCodeSignalSandbox, type CodeSignalSandbox, type ListeningSandbox } from './server';
export { seedCodeSignalDemo, DEMO_USERS, type CodeSignalDemoSeed, type CodeSignalDemoSeedOptions } from './seed';
export { documentedRetryDelayMs, REACTIVATION_ANSWERS, RESPONSE_MODES, type CodeSignalSandboxOptions, type ReactivationAnswer, type ResponseMode } from './options';
export { SPARSE_EXCEPTIONS } from './sparse';
export { SandboxControl } from './control';
export type { SessionView } from './control-views';
export { WEBHOOK_EVENTS, type WebhookEventName } from './events';
export { ACCESS_TYPES, type AccessType } from './permissions';
export { codeSignalSignature } from './signature';
export type { FaultConfig } from './faults';
export type { Delivery, DeliveryAttempt, WebhookEndpoint } from './webhooks';
export type { RequestLogEntry } from './request-log';
export type { ServiceCallResult, SourcingConnectionInput, SourcingConnectionView } from './sourcing';
export type { FeedDeliveryRecord, SourcingCallRecord, SourcingCandidateRecord } from './state';
export { SCHEMA_SDL } from './schema';
