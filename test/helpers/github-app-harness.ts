import { openLocalTarget } from '../../src/cli/local-target.js';
import type { CliIO } from '../../src/cli/cli-io.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbotOctokit } from 'probot';
import { startFakeGitHub, type FakeGitHub } from '../env/github/start-fake-github.js';
import { signWebhookBody } from '../env/github/webhook-sender.js';
import { startSkiffServer, type SkiffServer, type SkiffServerOptions, WEBHOOK_PATH } from '../../src/github/start-skiff-server.js';
import { LocalKubeClient } from '../../src/state/local-kube-client.js';
import { LocalRunLauncher } from '../../src/cli/local-run-launcher.js';

// Throttling adds about a second per write and retries hide failures: both off (see FACTS.md).
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: { ...options.throttle, enabled: false },
  retry: { ...options.retry, enabled: false },
}));

/** The fake GitHub and `skiff serve`'s server wired to it, over a fresh state directory. */
export class GitHubAppHarness {
  readonly logs: string[] = [];
  /** The environment of the background processes that drive runs (SKIFF_RUNTIME=instant, say). */
  runEnv: Record<string, string> = {};
  server!: SkiffServer;

  private constructor(
    readonly github: FakeGitHub,
    readonly stateDir: string,
  ) {}

  static async start(options: Partial<SkiffServerOptions> = {}): Promise<GitHubAppHarness> {
    const github = await startFakeGitHub();
    const stateDir = await mkdtemp(join(tmpdir(), 'skiff-github-app-'));
    const harness = new GitHubAppHarness(github, stateDir);
    await harness.startServer(options);
    return harness;
  }

  /** (Re)starts Skiff's server over the same state directory, as a restart would. */
  async startServer(options: Partial<SkiffServerOptions> = {}): Promise<void> {
    const target = openLocalTarget({ cwd: this.stateDir, env: {} } as unknown as CliIO, { stateDir: this.stateDir });
    const client = new LocalKubeClient(target.objects);
    this.server = await startSkiffServer({
      credentials: {
        appId: this.github.app.id,
        privateKey: this.github.app.privateKey,
        webhookSecret: this.github.app.webhookSecret,
        baseUrl: this.github.baseUrl,
      },
      host: '127.0.0.1',
      port: 0,
      stateDir: this.stateDir,
      planClient: () => client,
      launcher: new LocalRunLauncher(target, { ...process.env, ...this.runEnv }),
      runUpdateIntervalMs: 200,
      commentIntervalMs: 100,
      Octokit: TestOctokit,
      logLevel: 'fatal',
      log: (line) => this.logs.push(line),
      ...options,
    });
    this.github.webhooks.url = `${this.server.url}${WEBHOOK_PATH}`;
  }

  /** Sends a delivery with a chosen id (a replay sends one twice). */
  async sendRaw(event: string, payload: Record<string, unknown>, id: string, secret = this.github.app.webhookSecret): Promise<Response> {
    const body = JSON.stringify(payload);
    return fetch(this.github.webhooks.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': id,
        'x-hub-signature-256': signWebhookBody(secret, body),
      },
      body,
    });
  }

  checkRuns(name?: string) {
    return [...this.github.state.checkRuns.values()].filter((r) => name === undefined || r.name === name);
  }

  async close(): Promise<void> {
    await this.server?.runsSettled();
    await this.server?.close();
    await this.github.stop();
    await rm(this.stateDir, { recursive: true, force: true });
  }
}
