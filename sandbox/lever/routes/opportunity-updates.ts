import { Router } from 'express';
import { z } from 'zod';
import { archiveBody, setArchived } from '../actions/archive';
import { changeStage, editList, type ListField } from '../actions/opportunities';
import { badRequest, notFound } from '../errors';
import { parseInput } from '../validation';
import { opportunityView } from '../views/opportunity';
import { sparseOpportunity } from '../views/sparse';
import { accountOf, apiActor, sendData, shapeOf, type V1Deps } from './deps';

const stageBody = z.object({ stage: z.string().min(1) });

const LIST_VERBS: ReadonlyArray<{ field: ListField; add: string; remove: string }> = [
  { field: 'tags', add: 'addTags', remove: 'removeTags' },
  { field: 'links', add: 'addLinks', remove: 'removeLinks' },
  { field: 'sources', add: 'addSources', remove: 'removeSources' },
];

/** Stage, archive state, tags, links and sources (§3.4); each answers 200 with the full opportunity. */
export function opportunityUpdateRoutes(deps: V1Deps): Router {
  const { need, events, options } = deps;
  const router = Router();
  const write = need('opportunities:write:admin');
  const wire = (view: Record<string, unknown>) => (options.sparse ? sparseOpportunity(view) : view);
  /** `quirks.removeAbsentStatus`: a remove naming a value that is not there is refused, nothing removed. */
  const refuseAbsent = (account: ReturnType<typeof accountOf>, opportunityId: string, field: ListField, op: 'add' | 'remove', values: string[]) => {
    const status = options.quirks.removeAbsentStatus;
    if (status === null || op !== 'remove') return;
    const opp = account.opportunity(opportunityId);
    const current = field === 'links' ? account.contact(opp.contactId).links : opp[field];
    const absent = values.filter((v) => !current.includes(v));
    if (absent.length === 0) return;
    throw status === 404 ? notFound(field, absent.join(', ')) : badRequest(`${field} not on opportunity ${opportunityId}: ${absent.join(', ')}`);
  };

  router.put('/opportunities/:opportunityId/stage', write, (req, res) => {
    const actor = apiActor(req, deps, false);
    const { stage } = parseInput(stageBody, req.body);
    const account = accountOf(req);
    const opp = changeStage({ events, account, actor }, req.params.opportunityId, stage);
    sendData(res, wire(opportunityView(account, opp, shapeOf(req))));
  });

  router.put('/opportunities/:opportunityId/archived', write, (req, res) => {
    const actor = apiActor(req, deps, false);
    const input = parseInput(archiveBody, req.body);
    const account = accountOf(req);
    const opp = setArchived({ events, account, actor }, req.params.opportunityId, input);
    sendData(res, wire(opportunityView(account, opp, shapeOf(req))));
  });

  for (const { field, add, remove } of LIST_VERBS) {
    const body = z.object({ [field]: z.array(z.string()) });
    for (const [verb, op] of [[add, 'add'], [remove, 'remove']] as const) {
      router.post(`/opportunities/:opportunityId/${verb}`, write, (req, res) => {
        apiActor(req, deps, false); // an optional perform_as must still name an active user
        const values = parseInput(body, req.body)[field];
        const account = accountOf(req);
        refuseAbsent(account, req.params.opportunityId, field, op, values);
        const opp = editList(account, req.params.opportunityId, field, op, values);
        sendData(res, wire(opportunityView(account, opp, shapeOf(req))));
      });
    }
  }

  return router;
}
