/*
 * Replaying a failure: the seed of each run is printed (on failure with fast-check's path to the shrunk
 * counterexample, and the command), and is taken from the environment:
 *   PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx jest --runInBand test/workflows/sourcing/stage-sync.property.test.ts
 * PROPERTY_SEED alone runs the same cases again; with PROPERTY_PATH only the counterexample is run (and shrunk
 * further). Without PROPERTY_SEED the seed is a fresh random one. PROPERTY_RUNS sets the number of cases (default 12).
 */
import fc from 'fast-check';
import { SOURCING_STATUSES, type SourcingStatus } from '../../../src/api/sourcing/contract';
import { changeWins, type SyncMapping } from '../../../src/workflows/sourcing/sync-state';
import type { SyncHarness } from '../../support/sync-harness';
import { DeliveryProxy } from './delivery-proxy';
import {
  codesignalStatus,
  ids,
  importLinkedCandidate,
  leverMappedStatus,
  leverOpportunity,
  mappingOf,
  setLeverApiWebhooks,
  settled,
  sleep,
  startStageSyncHarness,
  syncStateOf,
  syncWrites,
  type Linked,
} from './sync-support';

/**
 * Random interleavings of recruiters changing a linked candidate on both sides, with every message
 * about them — Lever's webhooks (of recruiters' changes and of the service's own writes), CodeSignal's
 * status reports to the sourcing API and the service's status feed to CodeSignal — held back,
 * delivered late, out of order and more than once (through DeliveryProxy), with Lever's API-write
 * webhooks, a CodeSignal side that echoes the feed back, and one fault (a lost answer or a 503 from
 * Lever or from the feed receiver) varied per case, run through the real ingress, sourcing API,
 * workflow and sandboxes. The service hears of each change only when the case delivers it, so both
 * sides are often changed before it knows of either. Every case must end with both sides in the same mapped state,
 * equal to the last recruiter change by the documented rule (later change wins, ties to Lever), with
 * no more changes seen than recruiters made, a bounded number of writes, quiescence, and no write
 * at all for a final round of duplicates.
 */
/** Cases per run: PROPERTY_RUNS, default 12 (each run draws new cases from a fresh seed; raise it for a deeper search). */
const runs = Number(process.env.PROPERTY_RUNS ?? 12);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`PROPERTY_RUNS=${process.env.PROPERTY_RUNS} is not a positive integer`);
/** A case that takes longer has hung: it fails (and is shrunk) like any other failure. */
const caseTimeoutMs = 3 * 60_000;
/** Generating and shrinking stop after this; a failure found by then is reported with the smallest case so far. */
const timeLimitMs = 10 * 60_000;

/** PROPERTY_SEED, or a fresh random seed (fast-check's seeds are 32-bit integers). */
function seedFromEnvironment(): number {
  const given = process.env.PROPERTY_SEED;
  if (!given) return (Math.random() * 0x100000000) | 0;
  const seed = Number(given);
  if (!Number.isInteger(seed)) throw new Error(`PROPERTY_SEED=${given} is not an integer`);
  return seed;
}

type Step =
  | { kind: 'lever-move'; stage: number }
  | { kind: 'lever-archive'; reason: number }
  | { kind: 'codesignal-status'; status: SourcingStatus; byRiley: boolean }
  | { kind: 'deliver-one'; pick: number }
  | { kind: 'deliver-all'; order: 'oldest-first' | 'newest-first' | 'shuffled'; seed: number }
  | { kind: 'duplicate'; pick: number };

/** One injected fault for the case's first write of a side: a lost answer after the write committed, or a 503 (the feed then passes straight through). */
type Fault = 'none' | 'lever-lost-answer' | 'lever-503' | 'codesignal-lost-answer' | 'codesignal-503';

interface Case {
  leverApiWrites: boolean;
  /** After each step, CodeSignal's side reports its current status again (what the feed set included): must change nothing. */
  codesignalEchoes: boolean;
  fault: Fault;
  steps: Step[];
}

/** A recruiter's change as the side recorded it. */
interface Change {
  side: 'lever' | 'codesignal';
  status: SourcingStatus;
  at: number;
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('lever-move' as const), stage: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lever-archive' as const), reason: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('codesignal-status' as const), status: fc.constantFrom(...SOURCING_STATUSES), byRiley: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deliver-one' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deliver-all' as const), order: fc.constantFrom('oldest-first' as const, 'newest-first' as const, 'shuffled' as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }) },
);
const caseArb: fc.Arbitrary<Case> = fc.record({
  leverApiWrites: fc.boolean(),
  codesignalEchoes: fc.boolean(),
  fault: fc.constantFrom<Fault>('none', 'none', 'lever-lost-answer', 'lever-503', 'codesignal-lost-answer', 'codesignal-503'),
  steps: fc.array(stepArb, { minLength: 3, maxLength: 10 }),
});

function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('stage sync under random interleavings (property)', () => {
  // the time limit, a last case started just before it, and the harness
  jest.setTimeout(timeLimitMs + caseTimeoutMs + 2 * 60_000);
  let h: SyncHarness;
  let proxy: DeliveryProxy;
  let mapping: SyncMapping;
  beforeAll(async () => {
    h = await startStageSyncHarness();
    proxy = await DeliveryProxy.start(h);
    mapping = await mappingOf(h);
  });
  afterAll(async () => {
    await proxy?.close();
    await h?.close();
  });

  it('converges to the last change, without loops or lost changes, for generated cases', async () => {
    const x = ids(h);
    const stages = ['lead-new', 'lead-reached-out', 'lead-responded', 'applicant-new', x.stages.phoneScreen, x.stages.assessment, x.stages.onSite, 'offer'];
    const reasons = [x.reasons.hired, x.reasons.underqualified, x.reasons.withdrew, x.reasons.positionFilled];
    const lever = h.sandboxes.leverSandbox.recruiter;
    const cs = h.sandboxes.codesignalSandbox.control;
    let cases = 0;
    let totalSteps = 0;
    let totalChanges = 0;
    const started = Date.now();

    const leverStatusOf = (l: Linked) => leverMappedStatus(h, mapping, l.opportunityId)!;

    async function act(l: Linked, step: Step, changes: Change[]): Promise<void> {
      const before = leverOpportunity(h, l.opportunityId);
      switch (step.kind) {
        case 'lever-move': {
          // Out of the archive, a recruiter moves the candidate on: an archive undone without a move,
          // between a CodeSignal change and the sync acting on it, is invisible (docs/sync.md, Limits).
          const stage = before.archived && stages[step.stage] === before.stage ? stages[(step.stage + 1) % stages.length]! : stages[step.stage]!;
          if (before.archived) {
            const after = lever.unarchive(x.accountId, l.opportunityId, { userId: x.leverUsers.recruiter }) as typeof before;
            changes.push({ side: 'lever', status: leverStatusOf(l), at: after.archiveHistory.at(-1)!.at });
          }
          if (leverOpportunity(h, l.opportunityId).stage === stage) return;
          lever.moveToStage(x.accountId, l.opportunityId, { stage, userId: x.leverUsers.recruiter });
          changes.push({ side: 'lever', status: leverStatusOf(l), at: leverOpportunity(h, l.opportunityId).stageChanges.at(-1)!.updatedAt });
          return;
        }
        case 'lever-archive': {
          const reason = reasons[step.reason]!;
          if (before.archived?.reason === reason) return;
          lever.archive(x.accountId, l.opportunityId, { reason, userId: x.leverUsers.recruiter });
          changes.push({ side: 'lever', status: leverStatusOf(l), at: leverOpportunity(h, l.opportunityId).archived!.archivedAt });
          return;
        }
        case 'codesignal-status': {
          if (codesignalStatus(h, l.candidateId).status === step.status) return;
          const { candidate, report } = await cs.changeCandidateStatus(l.candidateId, { status: step.status, userId: step.byRiley ? x.csUsers.riley : x.csUsers.sam });
          if (report?.httpStatus !== 202) throw new Error(`status report answered ${report?.httpStatus}`);
          changes.push({ side: 'codesignal', status: step.status, at: candidate.statusUpdatedAt! });
          return;
        }
        case 'deliver-one':
          if (proxy.held.length > 0) await proxy.release(step.pick % proxy.held.length);
          return;
        case 'deliver-all': {
          const order = step.order === 'oldest-first' ? [...proxy.held] : step.order === 'newest-first' ? [...proxy.held].reverse() : shuffle(proxy.held, step.seed);
          for (const d of order) await proxy.release(proxy.held.indexOf(d));
          return;
        }
        case 'duplicate':
          if (proxy.delivered.length > 0) await proxy.redeliver(step.pick % proxy.delivered.length);
          return;
      }
    }

    /** Delivers whatever is held (what it causes may be held in turn) until nothing is left: quiescence. */
    async function drain(l: Linked, seed: number): Promise<void> {
      for (let round = 0; proxy.held.length > 0; round++) {
        if (round > 20) throw new Error(`webhooks keep coming after ${round} rounds: an echo loop`);
        for (const d of shuffle(proxy.held, seed + round)) await proxy.release(proxy.held.indexOf(d));
        await settled(h, l.opportunityId);
      }
    }

    /** What a case sets up around its candidate, put back before the next one (a failed case leaves it as it was). */
    const reset = () => {
      proxy.follow(undefined);
      proxy.loseNextFeedAnswer = false;
      h.sandboxes.leverSandbox.admin.clearFaults(x.accountId);
      cs.setSourcingConnection(x.companyId, { failNextFeedDeliveries: 0 });
    };
    let current = 0;

    const propertySeed = seedFromEnvironment();
    const path = process.env.PROPERTY_PATH || undefined;
    const details = await fc.check(
      fc.asyncProperty(caseArb, fc.nat(), async (c, seed) => {
        cases += 1;
        // A case that timed out goes on in the background: it stops at its next step once a later one started.
        const run = ++current;
        const stillCurrent = () => {
          if (run !== current) throw new Error('a later case started: this one timed out');
        };
        reset();
        totalSteps += c.steps.length;
        setLeverApiWebhooks(h, c.leverApiWrites);
        const l = await importLinkedCandidate(h, `property-${cases}`);
        const feedFault = c.fault.startsWith('codesignal');
        proxy.follow(l, { holdFeed: !feedFault });
        const since = Date.now();
        if (c.fault.startsWith('lever')) h.sandboxes.leverSandbox.admin.updateFaults(x.accountId, c.fault === 'lever-503' ? { failNext: 1 } : { dropNext: 1 });
        if (c.fault === 'codesignal-503') cs.setSourcingConnection(x.companyId, { failNextFeedDeliveries: 1 });
        if (c.fault === 'codesignal-lost-answer') proxy.loseNextFeedAnswer = true;
        const changes: Change[] = [];
        const echo = async () => {
          if (!c.codesignalEchoes) return;
          const now = codesignalStatus(h, l.candidateId);
          if (now.statusUpdatedAt === null) return; // never changed: nothing to echo
          const res = await h.reportStatus(l.candidateId, { status: now.status as SourcingStatus, changedAt: now.statusUpdatedAt!, changedBy: null });
          if (res.status !== 202) throw new Error(`echo report answered ${res.status}`);
        };

        for (const step of c.steps) {
          stillCurrent();
          await act(l, step, changes);
          await settled(h, l.opportunityId);
          await echo();
          await settled(h, l.opportunityId);
          await sleep(2); // the next change gets a later millisecond
        }
        if (changes.length === 0) {
          await act(l, { kind: 'lever-move', stage: 4 }, changes);
          await settled(h, l.opportunityId);
        }
        totalChanges += changes.length;
        stillCurrent();
        await drain(l, seed);

        // the last change by the documented rule: later wins, a tie goes to Lever
        const last = changes.reduce((best, ch) => (changeWins(ch, { ...best, origin: best.side, byUserId: null }) ? ch : best));
        const csFinal = codesignalStatus(h, l.candidateId).status;
        const leverFinal = leverStatusOf(l);
        const sync = await syncStateOf(h, l.opportunityId);
        const context = { changes, csFinal, leverFinal, agreed: sync?.agreed, counts: sync?.counts };
        expect({ ...context, same: leverFinal === csFinal }).toMatchObject({ same: true });
        expect({ ...context, final: csFinal }).toMatchObject({ final: last.status });
        expect(sync).toMatchObject({ errors: [], unmapped: [], agreed: { status: last.status, at: last.at, origin: last.side } });
        // our own writes never come back as changes: at most one change per recruiter change
        expect({ ...context, changesSeen: sync!.counts.changes <= changes.length }).toMatchObject({ changesSeen: true });

        // bounded: each recruiter change causes at most a few writes (Lever: unarchive + move)
        const writes = syncWrites(h, l, since);
        expect(writes.codesignal.length).toBeLessThanOrEqual(2 * changes.length + 1);
        expect(writes.lever.length).toBeLessThanOrEqual(3 * changes.length + 1);

        // and every webhook once more, late and out of order, writes nothing
        for (const i of shuffle([...proxy.delivered.keys()], seed)) await proxy.redeliver(i);
        await settled(h, l.opportunityId);
        await drain(l, seed + 1);
        const again = syncWrites(h, l, since);
        expect([again.lever.length, again.codesignal.length]).toEqual([writes.lever.length, writes.codesignal.length]);
        reset();
      }),
      // a failure is shrunk to a smaller case, within the time limit; running out of time before all runs passed fails
      { numRuns: runs, seed: propertySeed, path, timeout: caseTimeoutMs, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: true, includeErrorInReport: true },
    );
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (details.failed) {
      const replay = `PROPERTY_SEED=${details.seed}${details.counterexamplePath ? ` PROPERTY_PATH=${details.counterexamplePath}` : ''}`;
      throw new Error(
        `${fc.defaultReportMessage(details)}\n\n${details.interrupted ? `Interrupted after ${took}. ` : ''}` +
          `Replay: ${replay} npx jest --runInBand test/workflows/sourcing/stage-sync.property.test.ts`,
      );
    }
    console.log(`stage sync property (PROPERTY_SEED=${propertySeed}): ${cases} generated cases (${totalSteps} steps, ${totalChanges} recruiter changes) in ${took}`);
    // a replayed path runs its one case
    if (!path) expect(cases).toBe(runs);
  });
});
