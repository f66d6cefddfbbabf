/**
 * Label and annotation names Argo sets on the objects it makes, which Skiff sets the same way so
 * that Argo's tools and users' selectors find them.
 */

/** On a run made by a CronWorkflow: the CronWorkflow's name. */
export const CRON_WORKFLOW_LABEL = 'workflows.argoproj.io/cron-workflow';

/**
 * Skiff's own: why a run was stopped or terminated (`skiff stop --message`), kept beside
 * `spec.shutdown` so the message survives the run being picked up again.
 */
export const SHUTDOWN_MESSAGE_ANNOTATION = 'skiff.dev/shutdown-message';

/** On a run made by a CronWorkflow: its scheduled time (RFC 3339), which is `{{workflow.scheduledTime}}`. */
export const SCHEDULED_TIME_ANNOTATION = 'workflows.argoproj.io/scheduled-time';
