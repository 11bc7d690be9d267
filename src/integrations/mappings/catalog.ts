import type { CodeSignalClient } from '../../codesignal/client';
import type { LeverClient } from '../../lever/client';
import type { MappingCatalog } from './schema';

/** Reads users, stages and archive reasons from both accounts (deactivated Lever users included, to name them in errors). */
export async function loadMappingCatalog(lever: LeverClient, codesignal: CodeSignalClient): Promise<MappingCatalog> {
  const [leverUsers, leverStages, leverArchiveReasons, contacts] = await Promise.all([
    lever.listAllUsers({ includeDeactivated: true }),
    lever.listAllStages(),
    lever.listAllArchiveReasons(),
    codesignal.listCompanyUsers(),
  ]);
  return {
    leverUsers: leverUsers.map((u) => ({ id: u.id, name: u.name, email: u.email, active: !u.deactivatedAt })),
    leverStages: leverStages.map((s) => ({ id: s.id, text: s.text })),
    leverArchiveReasons: leverArchiveReasons.map((r) => ({ id: r.id, text: r.text, type: r.type, active: r.status !== 'inactive' })),
    codesignalUsers: contacts.flatMap((c) => (c.user ? [{ id: c.user.id, name: c.name, email: c.email }] : [])),
  };
}
