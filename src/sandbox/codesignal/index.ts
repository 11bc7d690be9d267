/** CodeSignal API sandbox: an in-memory simulator of CodeSignal's public GraphQL API and webhooks. */
export { createCodeSignalSandbox, type CodeSignalSandbox, type ListeningSandbox } from './server';
export { seedCodeSignalDemo, DEMO_USERS, type CodeSignalDemoSeed, type CodeSignalDemoSeedOptions } from './seed';
export { documentedRetryDelayMs, type CodeSignalSandboxOptions } from './options';
export { SandboxControl } from './control';
export type { SessionView } from './control-views';
export { WEBHOOK_EVENTS, type WebhookEventName } from './events';
export { ACCESS_TYPES, type AccessType } from './permissions';
export { codeSignalSignature } from './signature';
export type { FaultConfig } from './faults';
export type { Delivery, DeliveryAttempt, WebhookEndpoint } from './webhooks';
export type { RequestLogEntry } from './request-log';
export { SCHEMA_SDL } from './schema';
