import { Counter } from 'prom-client';
import { integrationLabel, processMetrics, type ServiceMetrics } from '../../observability/metrics';

const counters = new WeakMap<ServiceMetrics, Counter<'integration_id' | 'command' | 'outcome'>>();

/**
 * `lcs_tag_commands_total{integration_id, command, outcome}` (docs/observability.md): each tag command
 * once, when its outcome is recorded (with its audit entry). Labels are bounded: the five commands and
 * `unknown`, and the outcomes done, refused, not_understood.
 */
export function countTagCommand(integrationId: string, command: string, outcome: string, metrics: ServiceMetrics = processMetrics()): void {
  let counter = counters.get(metrics);
  if (!counter) {
    counter = new Counter({
      name: 'lcs_tag_commands_total',
      help: 'Tag commands recruiters added in Lever that the service acted on, by command and outcome.',
      labelNames: ['integration_id', 'command', 'outcome'] as const,
      registers: [metrics.registry],
    });
    counters.set(metrics, counter);
  }
  counter.inc({ integration_id: integrationLabel(integrationId), command, outcome });
}
