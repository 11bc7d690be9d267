import type { LeverClient } from '../lever/client';
import type { IntegrationSettings } from './settings';

export interface SettingsIssue {
  path: string;
  message: string;
}

/** Checks what only Lever knows: the stages exist, and the default user exists and is active. */
export async function settingsIssuesAgainstLever(settings: IntegrationSettings, lever: LeverClient): Promise<SettingsIssue[]> {
  const issues: SettingsIssue[] = [];
  const a = settings.assessments;
  const stageIds = new Set((await lever.listAllStages()).map((s) => s.id));
  const checkStage = (path: string, id: string | undefined) => {
    if (id !== undefined && !stageIds.has(id)) issues.push({ path, message: `unknown Lever stage ${id}` });
  };
  a.triggerStageIds.forEach((id, i) => checkStage(`assessments.triggerStageIds.${i}`, id));
  checkStage('assessments.thresholds.pass.moveToStageId', a.thresholds?.pass.moveToStageId);
  checkStage('assessments.thresholds.fail.moveToStageId', a.thresholds?.fail.moveToStageId);
  settings.interviews.triggerStageIds.forEach((id, i) => checkStage(`interviews.triggerStageIds.${i}`, id));

  const defaultUser = settings.defaultLeverUserId;
  if (defaultUser) {
    const users = await lever.listAllUsers({ includeDeactivated: true });
    const user = users.find((u) => u.id === defaultUser);
    if (!user) issues.push({ path: 'defaultLeverUserId', message: `unknown Lever user ${defaultUser}` });
    else if (user.deactivatedAt) issues.push({ path: 'defaultLeverUserId', message: `Lever user ${user.name} is deactivated` });
  }
  return issues;
}
