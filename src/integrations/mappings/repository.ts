import type { IntegrationMapping, MappingReview, SourcingStatus } from './schema';
import type { Db } from '../../db/pool';

export type MappingSource = 'auto' | 'admin';

export interface StoredMapping extends IntegrationMapping {
  integrationId: string;
  source: MappingSource;
  review: MappingReview;
  updatedAt: Date;
}

/** Replaces an integration's whole mapping in one transaction; readers see the old one or the new one. */
export async function saveMapping(
  db: Db,
  integrationId: string,
  mapping: IntegrationMapping,
  source: MappingSource,
  review: MappingReview,
): Promise<StoredMapping> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO mapping_sets (integration_id, source, review, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (integration_id) DO UPDATE SET source = EXCLUDED.source, review = EXCLUDED.review, updated_at = now()`,
      [integrationId, source, review],
    );
    for (const table of ['user_mappings', 'stage_mappings', 'archive_reason_mappings', 'status_mappings']) {
      await client.query(`DELETE FROM ${table} WHERE integration_id = $1`, [integrationId]);
    }
    // unnest inserts each list in one statement, however long it is; ordinality keeps its order
    await client.query(
      `INSERT INTO user_mappings (integration_id, codesignal_user_id, lever_user_id, rule, position)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY`,
      [integrationId, mapping.users.map((u) => u.codesignalUserId), mapping.users.map((u) => u.leverUserId), mapping.users.map((u) => u.rule)],
    );
    await client.query(
      `INSERT INTO stage_mappings (integration_id, lever_stage_id, codesignal_status, rule, position)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY`,
      [integrationId, mapping.stages.map((s) => s.leverStageId), mapping.stages.map((s) => s.codesignalStatus), mapping.stages.map((s) => s.rule)],
    );
    await client.query(
      `INSERT INTO archive_reason_mappings (integration_id, lever_archive_reason_id, codesignal_status, rule, position)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY`,
      [
        integrationId,
        mapping.archiveReasons.map((r) => r.leverArchiveReasonId),
        mapping.archiveReasons.map((r) => r.codesignalStatus),
        mapping.archiveReasons.map((r) => r.rule),
      ],
    );
    await client.query(
      `INSERT INTO status_mappings (integration_id, codesignal_status, lever_stage_id, lever_archive_reason_id, rule, position)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY`,
      [
        integrationId,
        mapping.statuses.map((s) => s.codesignalStatus),
        mapping.statuses.map((s) => s.leverStageId ?? null),
        mapping.statuses.map((s) => s.leverArchiveReasonId ?? null),
        mapping.statuses.map((s) => s.rule),
      ],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return (await loadMapping(db, integrationId))!;
}

/** Undefined until the mapping was computed or set once. Entries come in a stable order. */
export async function loadMapping(db: Db, integrationId: string): Promise<StoredMapping | undefined> {
  const { rows: sets } = await db.query<{ source: MappingSource; review: MappingReview; updated_at: Date }>(
    'SELECT source, review, updated_at FROM mapping_sets WHERE integration_id = $1',
    [integrationId],
  );
  const set = sets[0];
  if (!set) return undefined;
  const [users, stages, reasons, statuses] = await Promise.all([
    db.query<{ codesignal_user_id: string; lever_user_id: string; rule: string | null }>(
      'SELECT codesignal_user_id, lever_user_id, rule FROM user_mappings WHERE integration_id = $1 ORDER BY position',
      [integrationId],
    ),
    db.query<{ lever_stage_id: string; codesignal_status: SourcingStatus; rule: string | null }>(
      'SELECT lever_stage_id, codesignal_status, rule FROM stage_mappings WHERE integration_id = $1 ORDER BY position',
      [integrationId],
    ),
    db.query<{ lever_archive_reason_id: string; codesignal_status: SourcingStatus; rule: string | null }>(
      'SELECT lever_archive_reason_id, codesignal_status, rule FROM archive_reason_mappings WHERE integration_id = $1 ORDER BY position',
      [integrationId],
    ),
    db.query<{ codesignal_status: SourcingStatus; lever_stage_id: string | null; lever_archive_reason_id: string | null; rule: string | null }>(
      'SELECT codesignal_status, lever_stage_id, lever_archive_reason_id, rule FROM status_mappings WHERE integration_id = $1 ORDER BY position',
      [integrationId],
    ),
  ]);
  return {
    integrationId,
    source: set.source,
    review: set.review,
    updatedAt: set.updated_at,
    users: users.rows.map((r) => ({ codesignalUserId: r.codesignal_user_id, leverUserId: r.lever_user_id, rule: r.rule })),
    stages: stages.rows.map((r) => ({ leverStageId: r.lever_stage_id, codesignalStatus: r.codesignal_status, rule: r.rule })),
    archiveReasons: reasons.rows.map((r) => ({ leverArchiveReasonId: r.lever_archive_reason_id, codesignalStatus: r.codesignal_status, rule: r.rule })),
    statuses: statuses.rows.map((r) => ({
      codesignalStatus: r.codesignal_status,
      ...(r.lever_stage_id !== null ? { leverStageId: r.lever_stage_id } : { leverArchiveReasonId: r.lever_archive_reason_id! }),
      rule: r.rule,
    })),
  };
}

/** The Lever user imports requested by this CodeSignal user are created as; undefined when unmapped. */
export async function findMappedLeverUserId(db: Db, integrationId: string, codesignalUserId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ lever_user_id: string }>(
    'SELECT lever_user_id FROM user_mappings WHERE integration_id = $1 AND codesignal_user_id = $2',
    [integrationId, codesignalUserId],
  );
  return rows[0]?.lever_user_id;
}

/** Lever → CodeSignal: the status for a stage, or for an archive reason; undefined when unmapped. */
export async function findStatusForLever(
  db: Db,
  integrationId: string,
  target: { stageId: string } | { archiveReasonId: string },
): Promise<SourcingStatus | undefined> {
  const { rows } =
    'stageId' in target
      ? await db.query<{ codesignal_status: SourcingStatus }>(
          'SELECT codesignal_status FROM stage_mappings WHERE integration_id = $1 AND lever_stage_id = $2',
          [integrationId, target.stageId],
        )
      : await db.query<{ codesignal_status: SourcingStatus }>(
          'SELECT codesignal_status FROM archive_reason_mappings WHERE integration_id = $1 AND lever_archive_reason_id = $2',
          [integrationId, target.archiveReasonId],
        );
  return rows[0]?.codesignal_status;
}

/** CodeSignal → Lever: where a status sends the opportunity; undefined when unmapped. */
export async function findLeverTargetForStatus(
  db: Db,
  integrationId: string,
  status: SourcingStatus,
): Promise<{ stageId: string } | { archiveReasonId: string } | undefined> {
  const { rows } = await db.query<{ lever_stage_id: string | null; lever_archive_reason_id: string | null }>(
    'SELECT lever_stage_id, lever_archive_reason_id FROM status_mappings WHERE integration_id = $1 AND codesignal_status = $2',
    [integrationId, status],
  );
  const row = rows[0];
  if (!row) return undefined;
  return row.lever_stage_id !== null ? { stageId: row.lever_stage_id } : { archiveReasonId: row.lever_archive_reason_id! };
}
