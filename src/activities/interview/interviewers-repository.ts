import type { Db } from '../../db/pool';

/**
 * The CodeSignal user mapped to a Lever user (the mapping the import flow also uses). Several
 * CodeSignal users may map to one Lever user; the choice is then stable, not random.
 */
export async function findMappedCodeSignalUser(db: Db, integrationId: string, leverUserId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ codesignal_user_id: string }>(
    'SELECT codesignal_user_id FROM user_mappings WHERE integration_id = $1 AND lever_user_id = $2 ORDER BY codesignal_user_id LIMIT 1',
    [integrationId, leverUserId],
  );
  return rows[0]?.codesignal_user_id;
}
