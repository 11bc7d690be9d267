import { resultUrl } from './events';
import type { AccessType } from './permissions';
import type { Runtime } from './runtime';
import { invitationUrl, testOf } from './sessions';
import type { ApiKeyRecord, CompanyData, SessionRecord } from './state';

/** JSON shapes the control API returns (records are plain data; companies hold Maps, so they get a view). */
export function apiKeyView(k: ApiKeyRecord): { key: string; label: string; permissions: 'all' | AccessType[]; createDate: number } {
  return { key: k.key, label: k.label, permissions: k.permissions === 'all' ? 'all' : [...k.permissions], createDate: k.createDate };
}

export function companyView(data: CompanyData): Record<string, unknown> {
  return {
    id: data.id,
    name: data.name,
    alias: data.alias,
    createDate: data.createDate,
    settings: { ...data.settings },
    apiKeys: [...data.apiKeys.values()].map(apiKeyView),
    users: [...data.users.values()],
    tests: [...data.tests.values()],
    interviewTemplates: [...data.interviewTemplates.values()],
    counts: {
      sessions: data.sessions.size,
      interviews: data.interviews.size,
      sourcingCandidates: data.sourcingCandidates.size,
      emails: data.outbox.length,
    },
  };
}

export type SessionView = SessionRecord & { companyId: string; testTitle: string; maxScore: number; proctored: boolean; invitationUrl: string; resultUrl: string | null };

/** A session as the control API shows it: the record plus the links and test facts a test usually wants. */
export function sessionView(rt: Runtime, data: CompanyData, s: SessionRecord): SessionView {
  const test = testOf(data, s);
  return {
    ...s,
    companyId: data.id,
    testTitle: test.title,
    maxScore: test.maxScore,
    proctored: test.proctored,
    invitationUrl: invitationUrl(rt, s),
    resultUrl: s.result ? resultUrl(rt.baseUrl(), s) : null,
  };
}
