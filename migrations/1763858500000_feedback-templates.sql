-- Up Migration
-- The Lever feedback template each integration keeps for its assessment results (README "Assessments",
-- setting assessments.resultsAs = feedback | both): Lever's id of the template and the ids Lever gave its
-- fields (a template PUT renews every field id), by the service's own key for each field, e.g.
-- [{"key":"score","id":"<Lever field id>","type":"text","text":"Score"}, …]. The template is looked up in
-- Lever before each use; one deleted there is made again and this row replaced.
CREATE TABLE lever_feedback_templates (
  integration_id uuid PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
  template_id text NOT NULL,
  fields jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE lever_feedback_templates;
