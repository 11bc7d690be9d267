/** The `AccessType` enum of CodeSignal's schema (developer-docs @ 5ca23f17), verbatim. */
export const ACCESS_TYPES = [
  'advancedWorkspaceFeatures_any_edit', 'aiChecker_any_write', 'aiInsights_any_generate', 'aiInterviewer_any_read',
  'aiInterviewer_any_write', 'auditorStats_any_view', 'betaFeature_any_view', 'billing_any_write', 'billing_company_write',
  'cache_any_read', 'cache_any_write', 'certification_any_read', 'certification_any_write', 'certification_task_name_any_read',
  'company_contact_any_write', 'company_featureToggles_any_read', 'company_featureToggles_any_write', 'company_read',
  'company_test_any_read', 'company_test_create', 'company_test_read', 'company_test_invitation_create',
  'company_test_session_create', 'company_test_session_create_for_company', 'company_test_session_read',
  'company_test_session_read_own_only', 'company_test_session_archive', 'company_test_session_unarchive',
  'company_test_session_view_archived', 'company_write', 'config_any_write', 'emailLog_any_read', 'executive_report_read',
  'executive_report_write', 'featureToggles_any_read', 'featureToggles_any_write', 'force_any_sync', 'framework_read',
  'file_upload', 'integration_read', 'integration_write', 'integration_any_read', 'integration_any_write',
  'interview_any_read', 'interview_create', 'interview_read', 'interview_settings_write', 'interview_template_company_write',
  'interview_template_read', 'interview_template_write', 'interview_template_write_some', 'interview_report_archive',
  'interview_report_unarchive', 'interview_report_view_archived', 'live_interview_conduct', 'live_interview_any_conduct',
  'live_interview_feedback_read_all', 'live_interview_feedback_write', 'live_interview_write', 'lockdown_framework_any_read',
  'lockdown_framework_any_write', 'own_team_list_read', 'pre_screen_analytics_read', 'pre_screen_analytics_write',
  'product_view', 'result_label_company_write', 'result_label_own_write', 'result_label_read', 'role_list_read',
  'role_list_write', 'role_list_delete', 'security_setting_read', 'security_setting_write', 'task_admin_fields_read',
  'task_any_edit', 'task_any_read', 'task_company_read', 'task_create_for_company', 'task_own_read', 'task_read',
  'task_label_company_write', 'task_label_own_write', 'task_label_read', 'team_list_read', 'team_list_write', 'team_read',
  'task_write', 'test_label_company_write', 'test_label_own_write', 'test_label_read', 'viewOverrides_any_edit',
  'company_test_invitation_write',
] as const;

export type AccessType = (typeof ACCESS_TYPES)[number];

/** What a key may do: every permission, or an explicit set. */
export type PermissionSet = 'all' | ReadonlySet<AccessType>;

/**
 * Which permission each root field needs. CodeSignal does not document this mapping (unconfirmed);
 * these are the closest `AccessType` names, so a key without them gets "Access Denied".
 */
export const FIELD_PERMISSIONS: Readonly<Record<string, AccessType>> = {
  company: 'company_read',
  companyTests: 'company_test_read',
  companyTest: 'company_test_read',
  companyTestSession: 'company_test_session_read',
  companyTestSessions: 'company_test_session_read',
  createCompanyTestSession: 'company_test_session_create',
  resendCompanyTestSession: 'company_test_session_create',
  setCompanyTestSessionReminders: 'company_test_session_create',
  editCompanyTestSessionExpiration: 'company_test_session_create',
  editCompanyTestSessionDuration: 'company_test_session_create',
  reactivateCompanyTestSession: 'company_test_session_create',
  deleteCompanyTestSession: 'company_test_session_create',
  gradeCompanyTestResult: 'company_test_session_create',
  markCompanyTestResultAsGraded: 'company_test_session_create',
  archiveCompanyTestSession: 'company_test_session_archive',
  unarchiveCompanyTestSession: 'company_test_session_unarchive',
  liveInterview: 'interview_read',
  liveInterviews: 'interview_read',
  createLiveInterview: 'interview_create',
  editLiveInterview: 'live_interview_write',
  deleteLiveInterview: 'live_interview_write',
  interviewTemplate: 'interview_template_read',
  interviewTemplates: 'interview_template_read',
};

export function isAccessType(value: string): value is AccessType {
  return (ACCESS_TYPES as readonly string[]).includes(value);
}

export function hasPermission(set: PermissionSet, needed: AccessType): boolean {
  return set === 'all' || set.has(needed);
}
