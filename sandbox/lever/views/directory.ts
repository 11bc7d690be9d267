import type { ArchiveReason, Posting, Stage, User, WebhookSubscription } from '../model';

/** Wire shapes of reference data (§3.9, §3.11, §2.7). */

export const userView = (u: User) => ({
  id: u.id, name: u.name, username: u.username, email: u.email, accessRole: u.accessRole, photo: u.photo,
  createdAt: u.createdAt, deactivatedAt: u.deactivatedAt, externalDirectoryId: u.externalDirectoryId,
  linkedContactIds: u.linkedContactIds, jobTitle: u.jobTitle, managerId: u.managerId,
});

export const stageView = (s: Stage) => ({ id: s.id, text: s.text });

export const archiveReasonView = (r: ArchiveReason) => ({ id: r.id, text: r.text, status: r.status, type: r.type });

const JOBS_SITE = 'https://jobs.lever.co/sandbox';

export const postingView = (p: Posting) => ({
  id: p.id, text: p.text, createdAt: p.createdAt, updatedAt: p.updatedAt, user: p.user, owner: p.owner,
  hiringManager: p.hiringManager, confidentiality: p.confidentiality,
  categories: { ...p.categories, allLocations: p.categories.location ? [p.categories.location] : [] },
  content: { description: '', descriptionHtml: '', lists: [], closing: '', closingHtml: '' },
  country: null, tags: p.tags, state: p.state, distributionChannels: p.distributionChannels,
  reqCode: null, requisitionCodes: [], salaryDescription: '', salaryDescriptionHtml: '', salaryRange: null,
  followers: p.owner ? [p.owner] : [], workplaceType: p.workplaceType,
  urls: { list: JOBS_SITE, show: `${JOBS_SITE}/${p.id}`, apply: `${JOBS_SITE}/${p.id}/apply` },
});

/** `signatureToken` only in POST /webhooks answers (and the control API), never in GET /webhooks. */
export const webhookView = (w: WebhookSubscription, withToken: boolean) => ({
  id: w.id, event: w.event, url: w.url,
  configuration: { conditions: { origins: w.origins }, ...(withToken ? { signatureToken: w.signatureToken } : {}) },
  createdAt: w.createdAt, updatedAt: w.updatedAt,
});

export const countedView = (texts: Iterable<string>, counts: Map<string, number>) =>
  [...texts].map((text) => ({ text, count: counts.get(text) ?? 0 }));
