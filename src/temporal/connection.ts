import type { Client } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../log';
import { customSearchAttributes } from '../workflows/shared/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const indexedType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Registers the custom search attributes that are not there yet; safe to run at every start. */
export async function registerSearchAttributes(client: Client, logger: Logger): Promise<void> {
  const namespace = client.options.namespace;
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const missing = customSearchAttributes.filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, indexedType[key.type]!]));
  await client.connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  logger.info({ searchAttributes: missing.map((k) => k.name) }, 'registered search attributes');
}

/**
 * The namespace's closed-workflow retention (TEMPORAL_RETENTION_DAYS; README "Data retention"): how long
 * Temporal keeps a finished workflow's history. Set at the API's start when it differs; a server that
 * refuses (Temporal Cloud sets it in its own console or `tcld`) is logged, not fatal.
 */
export async function applyNamespaceRetention(client: Client, days: number, logger: Logger): Promise<'updated' | 'unchanged' | 'refused'> {
  const namespace = client.options.namespace;
  const seconds = days * 86_400;
  const described = await client.workflowService.describeNamespace({ namespace });
  if (Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) === seconds) return 'unchanged';
  try {
    await client.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(seconds * 1000) } });
  } catch (err) {
    logger.warn({ namespace, days, err: (err as Error).message }, 'the namespace retention could not be set; set it where the namespace is managed');
    return 'refused';
  }
  logger.info({ namespace, days }, 'namespace retention set');
  return 'updated';
}

/** True when the frontend answers within the timeout. */
export async function temporalIsReady(client: Client, timeoutMs: number): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.connection.workflowService.getSystemInfo({}),
    );
    return true;
  } catch {
    return false;
  }
}
