/** The workload of bench/dev-server-persistence.ts: a workflow of four activities in turn, each a few transactions on the server. */
import { proxyActivities } from '@temporalio/workflow';

const { step } = proxyActivities<{ step(n: number): Promise<number> }>({ startToCloseTimeout: '30 seconds' });

export async function fourSteps(n: number): Promise<number> {
  let x = n;
  for (let i = 0; i < 4; i++) x = await step(x);
  return x;
}
