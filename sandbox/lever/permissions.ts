import { z } from 'zod';

const readWrite = (resource: string): string[] => [`${resource}:read:admin`, `${resource}:write:admin`];

/** Scope names of the reference §4; API-key permissions use the same names here. */
export const ALL_PERMISSIONS = [
  ...['opportunities', 'notes', 'files', 'interviews', 'panels', 'feedback', 'feedback_templates', 'users', 'postings', 'contact', 'webhooks'].flatMap(readWrite),
  'stages:read:admin',
  'tags:read:admin',
  'sources:read:admin',
  'archive_reasons:read:admin',
  'applications:read:admin',
  'resumes:read:admin',
  'uploads:write:admin',
  'confidential:access:admin',
  ...['audit_events', 'diversity_surveys', 'eeo_responses', 'eeo_responses_pii', 'forms', 'form_templates', 'groups', 'offers',
    'permissions', 'referrals', 'requisitions', 'requisition_fields', 'roles', 'tasks'].flatMap(readWrite),
] as const;

export type Permission = (typeof ALL_PERMISSIONS)[number];

export const permissionSchema = z.enum(ALL_PERMISSIONS);

/** What an assessment integration needs (seed articles' checklist mapped onto §4 scopes). */
export const ASSESSMENT_INTEGRATION_PERMISSIONS: readonly Permission[] = [
  'opportunities:read:admin', 'opportunities:write:admin',
  'notes:read:admin', 'notes:write:admin',
  'files:read:admin', 'files:write:admin',
  'interviews:read:admin', 'interviews:write:admin',
  'panels:read:admin', 'panels:write:admin',
  'applications:read:admin',
  'stages:read:admin', 'tags:read:admin', 'sources:read:admin', 'archive_reasons:read:admin',
  'users:read:admin', 'postings:read:admin',
  'webhooks:read:admin', 'webhooks:write:admin',
];

export const PERMISSION_PRESETS = {
  all: ALL_PERMISSIONS,
  assessment: ASSESSMENT_INTEGRATION_PERMISSIONS,
} as const;

export type PermissionPreset = keyof typeof PERMISSION_PRESETS;

/** Does a key's permission set allow `needed`? `write` implies `read` only when the sandbox says so ([U]). */
export function grants(held: ReadonlySet<string>, needed: Permission, writeImpliesRead: boolean): boolean {
  if (held.has(needed)) return true;
  return writeImpliesRead && needed.includes(':read:') && held.has(needed.replace(':read:', ':write:'));
}
