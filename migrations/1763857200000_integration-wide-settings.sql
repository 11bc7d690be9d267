-- Up Migration
-- defaultLeverUserId and notifyFollowers apply to every flow (assessments, interviews, public links,
-- sourcing import): they move from the stored settings' `assessments` to their top level. A value
-- already at the top level wins. parseStoredSettings reads a row an older version wrote the same way.
UPDATE integrations
SET settings = (settings #- '{assessments,defaultLeverUserId}' #- '{assessments,notifyFollowers}')
  || (
    SELECT coalesce(jsonb_object_agg(moved.key, moved.value), '{}'::jsonb)
    FROM jsonb_each(settings -> 'assessments') AS moved
    WHERE moved.key IN ('defaultLeverUserId', 'notifyFollowers') AND NOT settings ? moved.key
  )
WHERE jsonb_typeof(settings -> 'assessments') = 'object'
  AND settings -> 'assessments' ?| ARRAY['defaultLeverUserId', 'notifyFollowers'];

-- Down Migration
-- Back under `assessments`, where an older version reads them.
UPDATE integrations
SET settings = jsonb_set(
  settings - 'defaultLeverUserId' - 'notifyFollowers',
  '{assessments}',
  coalesce(settings -> 'assessments', '{}'::jsonb)
    || (
      SELECT coalesce(jsonb_object_agg(moved.key, moved.value), '{}'::jsonb)
      FROM jsonb_each(settings) AS moved
      WHERE moved.key IN ('defaultLeverUserId', 'notifyFollowers')
    )
)
WHERE jsonb_typeof(settings) = 'object'
  AND settings ?| ARRAY['defaultLeverUserId', 'notifyFollowers']
  AND coalesce(jsonb_typeof(settings -> 'assessments'), 'object') = 'object';
