/**
 * Label and annotation names Argo sets on the objects it makes, which Skiff sets the same way so
 * that Argo's tools and users' selectors find them. Defined with every other name Skiff puts on
 * cluster objects in kube/kube-names (plain constants, no I/O); re-exported here for the language layer.
 */
export { CRON_WORKFLOW_LABEL, SCHEDULED_TIME_ANNOTATION, SHUTDOWN_MESSAGE_ANNOTATION } from '../../kube/kube-names.js';
