import type { Db } from '../db/pool';
import type { Logger } from '../log';

export interface ActivityDeps {
  db: Db;
  logger: Logger;
}

/**
 * Activities are built from their dependencies once per worker; tests hand in their own.
 * The candidate workflow calls none yet: the assessment, interview and sync flows add them here.
 */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
