/** The URLs an integration is reached at, as its admin registers them with Lever, CodeSignal and the sourcing side. */
export const webhookUrls = (publicUrl: string, integrationId: string) => ({
  lever: `${publicUrl}/webhooks/lever/${integrationId}`,
  codesignal: `${publicUrl}/webhooks/codesignal/${integrationId}`,
});

export const sourcingUrls = (publicUrl: string, integrationId: string) => {
  const base = `${publicUrl}/api/sourcing/${integrationId}`;
  return { import: `${base}/candidates`, status: `${base}/candidates/{codesignalCandidateId}/status`, openapi: `${publicUrl}/api/sourcing/openapi.json` };
};
