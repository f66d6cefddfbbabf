import type { RunKey } from '../ports/run-key.js';
import { join } from 'node:path';
import { Probot, ProbotOctokit } from 'probot';
import type { KubeClient } from '../kube/kube-client.js';
import { type RequestHandler, SkiffHttpServer } from '../server/http-server.js';
import { Metrics } from '../server/metrics.js';
import type { AppCredentials } from './app-settings.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { ApprovalStore } from './approvals.js';
import { resumeRunChecks } from './resume-run-checks.js';
import type { InstallationOctokit } from './github-types.js';
import { RepositoryAccess } from './repository-access.js';
import { registerSkiffApp } from './skiff-app.js';
import { RunCheckTracker } from './run-check-tracker.js';
import type { ArtifactLinks } from '../ports/artifact-links.js';
import { PullRequestComments } from './pull-request-comment.js';
import { COMMIT_LABEL, PULL_REQUEST_LABEL, REPOSITORY_ANNOTATION } from './start-workflow-runs.js';
import type { RunLauncher } from '../ports/run-launcher.js';
import { type AcceptedDelivery, webhookReceiver } from './webhook-receiver.js';
import { DeliveryInbox } from './delivery-inbox.js';
import { WorkQueues } from './work-queues.js';
import PQueue from 'p-queue';
import { type Announcement, announceChecks, announcementOf } from './announce-checks.js';
import { API_CALLS, withApiCallMetrics } from './api-call-metrics.js';
import { probotLog } from './probot-log.js';
import { type StructuredLog, withLogFields } from '../server/structured-log.js';
import { isWorkflowDone } from '../engine/workflow-status.js';

const QUEUE_WAIT = 'skiff_github_queue_wait_seconds';
const HANDLE_SECONDS = 'skiff_github_delivery_seconds';

/** Where GitHub sends webhooks (the App's "Webhook URL" is this path on Skiff's host). */
export const WEBHOOK_PATH = '/api/github/webhooks';

export interface SkiffServerOptions {
  credentials: AppCredentials;
  host: string;
  port: number;
  /** Where Skiff keeps what must survive a restart: delivery ids, repository mirrors. */
  stateDir: string;
  planClient: () => KubeClient | undefined;
  /** Where runs go; without one, nothing is run (checks and the sync only). */
  launcher?: RunLauncher;
  /** How often a running run is read back to update its check run (default 2 s). */
  runUpdateIntervalMs?: number;
  /** The Octokit class (tests turn its throttling and retries off). */
  Octokit?: typeof ProbotOctokit;
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** The page a run's check run links to as its Details (a signed run-page link); none when undefined. */
  runPageUrl?: (key: RunKey) => Promise<string | undefined>;
  /** Download links of runs' artifacts, shown on their check runs and in the PR comment. */
  artifactLinks?: ArtifactLinks;
  /** A pull request's comment is edited at most this often (default 3 s). */
  commentIntervalMs?: number;
  /** Further handlers on the same server (the run page, say), mounted before it listens. */
  mounts?: Array<{ prefix: string; handler: RequestHandler }>;
  /** One line per noteworthy thing (refused deliveries, failed work); default: the structured log's info lines. */
  log?: (line: string) => void;
  /**
   * Skiff's and Probot's log, JSON or readable, with the delivery's id and event on every line of
   * the work done for it; without one, Probot logs on its own at `logLevel`.
   */
  logger?: StructuredLog;
}

export interface SkiffServer {
  url: string;
  /** Mount further handlers here: `server.http.mount('/runs/', handler)`. */
  http: SkiffHttpServer;
  metrics: Metrics;
  probot: Probot;
  /** Resolves when every accepted delivery has been handled. */
  idle(): Promise<void>;
  /** Resolves when every run started has ended, its check run is completed and its PR comment written. */
  runsSettled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `skiff serve`'s HTTP server with the GitHub App mounted at WEBHOOK_PATH: deliveries are
 * verified, deduplicated by id (persisted in the state directory), acknowledged at once and
 * handled in one queue per repository.
 */
export async function startSkiffServer(options: SkiffServerOptions): Promise<SkiffServer> {
  const logger = options.logger;
  const log = options.log ?? ((line: string) => logger?.info(line));
  const metrics = new Metrics({
    skiff_github_deliveries_total: 'Webhook deliveries by event and outcome (accepted, handled, failed, duplicate, refused)',
    [API_CALLS]: 'GitHub API calls by method, route and status',
    skiff_github_check_run_updates_total: 'Updates of run check runs (bounded per run, not one per step event)',
    skiff_github_comment_writes_total: 'Pull-request comments created or edited (at most one edit per pull request every few seconds)',
    skiff_runs_finished_total: 'Runs started for GitHub that ended, by phase',
    skiff_sync_total: 'Syncs applied on push, by outcome (applied, failed)',
    skiff_sync_objects_total: 'Objects of the syncs applied on push, by result (created, changed, unchanged, pruned, failed, skipped)',
  });
  metrics.histogram(QUEUE_WAIT, 'Seconds a delivery waited in its repository queue between being accepted and its work starting');
  metrics.histogram(HANDLE_SECONDS, 'Seconds the work of a delivery took, by event');
  const { credentials } = options;
  const probot = new Probot({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    secret: credentials.webhookSecret,
    ...(credentials.baseUrl ? { baseUrl: credentials.baseUrl } : {}),
    Octokit: withApiCallMetrics(withTokenBaseUrl(options.Octokit ?? ProbotOctokit, credentials.baseUrl), metrics),
    ...(logger ? { log: probotLog(logger) } : { logLevel: options.logLevel ?? 'warn' }),
  });
  const access = new RepositoryAccess(join(options.stateDir, 'github', 'mirrors'));
  const launcher = options.launcher;
  let botLogin: Promise<string> | undefined;
  const comments = new PullRequestComments({
    ...(launcher ? { launcher } : {}),
    minIntervalMs: options.commentIntervalMs ?? 3000,
    botLogin: () => {
      botLogin ??= (async () => {
        const app = (await probot.auth()) as InstallationOctokit;
        const { data } = await app.rest.apps.getAuthenticated();
        return `${data?.slug}[bot]`;
      })();
      botLogin.catch(() => {
        botLogin = undefined;
      });
      return botLogin;
    },
    ...(options.runPageUrl ? { runPageUrl: options.runPageUrl } : {}),
    ...(options.artifactLinks ? { artifactLinks: options.artifactLinks } : {}),
    onError: (error, target) => log(`skiff serve: comment on ${target.fullName}#${target.number}: ${errorText(error)}`),
    onWrite: () => metrics.count('skiff_github_comment_writes_total'),
  });
  const tracker = launcher
    ? new RunCheckTracker({
        launcher,
        intervalMs: options.runUpdateIntervalMs ?? 2000,
        onError: (error, run) => log(`skiff serve: check run ${run.checkRunId} of ${run.key}: ${errorText(error)}`),
        reported: await DeliveryLedger.open(join(options.stateDir, 'github', 'reported-runs')),
        onUpdate: () => metrics.count('skiff_github_check_run_updates_total'),
        ...(options.runPageUrl ? { runPageUrl: options.runPageUrl } : {}),
        ...(options.artifactLinks ? { artifactLinks: options.artifactLinks } : {}),
        onChange: (tracked, run) => {
          if (isWorkflowDone(run.status.phase)) metrics.count('skiff_runs_finished_total', { phase: run.status.phase });
          const labels = run.workflow.metadata?.labels ?? {};
          const number = Number(labels[PULL_REQUEST_LABEL]);
          const fullName = run.workflow.metadata?.annotations?.[REPOSITORY_ANNOTATION];
          const headSha = labels[COMMIT_LABEL];
          if (number > 0 && fullName && headSha) comments.touch({ octokit: tracked.octokit, repo: tracked.repo, fullName, number, headSha }, false);
        },
      })
    : undefined;
  if (launcher && tracker) {
    const resumed = await resumeRunChecks(launcher, tracker, async (id) => (await probot.auth(id)) as InstallationOctokit);
    if (resumed > 0) log(`skiff serve: following ${resumed} run(s) started before this restart`);
  }
  // Deliveries a killed process left in the inbox: their handlers look for what it did before them.
  const resumedDeliveries = new Set<string>();
  registerSkiffApp(probot, {
    access,
    planClient: options.planClient,
    runs: launcher && tracker ? { launcher, tracker } : undefined,
    approvals: new ApprovalStore(join(options.stateDir, 'github', 'approvals.json')),
    comments,
    log,
    resumedDelivery: (id) => resumedDeliveries.has(id),
    onSync: (ok, results) => {
      metrics.count('skiff_sync_total', { outcome: ok ? 'applied' : 'failed' });
      for (const result of results) metrics.count('skiff_sync_objects_total', { result });
    },
  });
  const ledger = await DeliveryLedger.open(join(options.stateDir, 'github', 'deliveries'));
  const inbox = new DeliveryInbox(join(options.stateDir, 'github', 'inbox'));
  const queues = new WorkQueues((error, key) => log(`skiff serve: work for ${key} failed: ${errorText(error)}`));
  // Check runs a delivery is sure to open are opened queued at once, beside the repositories'
  // queues, where the delivery may wait behind its repository's earlier ones (announce-checks.ts).
  const announcements = new PQueue({ concurrency: 8 });
  const announce = (announcement: Announcement): Promise<void> =>
    announcements.add(async () => {
      try {
        await announceChecks((await probot.auth(announcement.installationId)) as InstallationOctokit, announcement);
      } catch (error) {
        log(`skiff serve: could not open the queued check runs: ${errorText(error)}`);
      }
    });
  const enqueue = (delivery: AcceptedDelivery): void => {
    const repository = (delivery.payload.repository as { full_name?: unknown } | undefined)?.full_name;
    const key = typeof repository === 'string' ? repository : `installation:${String((delivery.payload.installation as { id?: unknown })?.id)}`;
    const action = typeof delivery.payload.action === 'string' ? delivery.payload.action : undefined;
    const fields = { delivery: delivery.id, event: action ? `${delivery.name}.${action}` : delivery.name, repository: key };
    const queuedAt = performance.now();
    // Without a log nothing reads the fields (and on Node 20 AsyncLocalStorage slows every promise).
    const inContext = logger ? <T>(work: () => T) => withLogFields(fields, work) : <T>(work: () => T) => work();
    // A delivery handled again after a restart may have opened them already: its work finds them.
    const announcement = resumedDeliveries.has(delivery.id) ? undefined : announcementOf(delivery.name, delivery.payload, delivery.id);
    const announced = announcement ? inContext(() => announce(announcement)) : undefined;
    queues.add(key, () =>
      inContext(async () => {
        // Not before the announcement is done: both would open the same check runs.
        await announced;
        const startedAt = performance.now();
        metrics.observe(QUEUE_WAIT, (startedAt - queuedAt) / 1000);
        let outcome = 'handled';
        try {
          await probot.receive({ id: delivery.id, name: delivery.name, payload: delivery.payload } as Parameters<Probot['receive']>[0]);
        } catch (error) {
          outcome = 'failed';
          // Logged here, inside the delivery's work, so the line carries its id.
          log(`skiff serve: work for ${key} failed: ${errorText(error)}`);
        } finally {
          const seconds = (performance.now() - startedAt) / 1000;
          metrics.count('skiff_github_deliveries_total', { event: delivery.name, outcome });
          metrics.observe(HANDLE_SECONDS, seconds, { event: delivery.name });
          logger?.info(`delivery ${outcome}`, { ms: Math.round(seconds * 1000) });
          // Handled, or failed for good: a failure is logged, not retried for ever at every start.
          await inbox.done(delivery.id);
        }
      }),
    );
  };
  // What the previous process accepted and did not finish is handled first. Their ids go into the
  // ledger (a kill between the inbox and the ledger leaves one out), so a redelivery is not taken twice.
  const left = await inbox.pending();
  for (const delivery of left) resumedDeliveries.add(delivery.id);
  for (const delivery of left) await ledger.accept(delivery.id);
  for (const delivery of left) enqueue(delivery);
  if (left.length > 0) log(`skiff serve: handling ${left.length} delivery(ies) accepted before the restart`);
  const http = new SkiffHttpServer({ onError: (error) => log(`skiff serve: ${errorText(error)}`) });
  http.mount(
    WEBHOOK_PATH,
    webhookReceiver({
      secret: credentials.webhookSecret,
      ledger,
      onRefused: (reason, id) => {
        metrics.count('skiff_github_deliveries_total', { event: 'unknown', outcome: /seen before/.test(reason) ? 'duplicate' : 'refused' });
        const line = `skiff serve: delivery ${id ?? '(no id)'} refused: ${reason}`;
        if (logger) withLogFields({ delivery: id }, () => log(line));
        else log(line);
      },
      record: (delivery) => inbox.record(delivery),
      accept: (delivery) => {
        metrics.count('skiff_github_deliveries_total', { event: delivery.name, outcome: 'accepted' });
        enqueue(delivery);
      },
    }),
  );
  metrics.gauge('skiff_github_queue_depth', 'Deliveries accepted and not yet handled', () => queues.depth);
  metrics.labelledGauge('skiff_runs_followed', 'Runs started for GitHub whose check runs Skiff is following, by phase', () =>
    [...(tracker?.phases() ?? [])].map(([phase, count]) => [{ phase }, count] as [Record<string, string>, number]),
  );
  http.mount('/metrics', metrics.handler());
  for (const { prefix, handler } of options.mounts ?? []) http.mount(prefix, handler);
  const address = await http.listen(options.port, options.host);
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    http,
    metrics,
    probot,
    idle: () => queues.idle(),
    async runsSettled() {
      await queues.idle();
      await tracker?.settled();
      await comments.settled();
    },
    async close() {
      await http.close();
      await queues.idle();
      await tracker?.close();
      await comments.close();
    },
  };
}

/**
 * Probot gives the App's authentication a request without the App's base URL, so where a token is
 * asked for outside a request (`octokit.auth({ type: 'installation' })`, for git fetches) and none
 * is cached, it would go to api.github.com whatever GITHUB_API_URL says. The token request gets
 * the base URL here.
 */
function withTokenBaseUrl(Octokit: typeof ProbotOctokit, baseUrl: string | undefined): typeof ProbotOctokit {
  if (baseUrl === undefined) return Octokit;
  return Octokit.defaults((options: { auth?: { request?: { defaults(o: object): unknown } } }) =>
    options.auth?.request ? { ...options, auth: { ...options.auth, request: options.auth.request.defaults({ baseUrl }) } } : options,
  ) as typeof ProbotOctokit;
}

function errorText(error: unknown): string {
  // Probot wraps handler failures in an AggregateError; its parts say what went wrong.
  if (error instanceof AggregateError) return error.errors.map(errorText).join('; ');
  return error instanceof Error ? error.message : String(error);
}
