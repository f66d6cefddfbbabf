import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { repoRoot } from '../helpers/paths.js';

/** Debian's Chromium, installed by test/env/install-chromium.sh. */
export const CHROMIUM = process.env.SKIFF_CHROMIUM ?? '/usr/bin/chromium';

/** Where browser tests leave their screenshots for people to look at (ignored by git). */
export const SCREENSHOT_DIR = resolve(repoRoot, 'test-output/run-page');

export const skiffBin = resolve(repoRoot, 'bin/skiff.js');

/** Headless Chromium, or a failure that says how to install it (never a silent skip). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run "bash test/env/install-chromium.sh" (or set SKIFF_CHROMIUM)`);
  const { chromium } = await import('playwright-core');
  // --no-sandbox: the tests run as root, where Chromium's own sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A `skiff ui` process serving a state directory on a free port, with the links it printed. */
export interface UiProcess {
  url: string;
  links: string[];
  stop(): Promise<void>;
}

/**
 * `skiff ui` on a free port. Its links are signed with `stateDir`'s secret: the state directory it
 * serves, or, with `--kubeconfig` among `extra` (a cluster's runs), the default state directory it
 * keeps its secret in.
 */
export async function startSkiffUi(stateDir: string, names: string[], extra: string[] = []): Promise<UiProcess> {
  const cluster = extra.includes('--kubeconfig');
  const child: ChildProcess = spawn(process.execPath, [skiffBin, 'ui', '--port', '0', ...(cluster ? [] : ['--state-dir', stateDir]), ...extra, ...names], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cluster ? { ...process.env, SKIFF_STATE_DIR: stateDir } : process.env,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    err += chunk;
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  // Generous: on a loaded machine, loading the CLI alone can take many seconds.
  const deadline = Date.now() + 60_000;
  while (out.split('\n').length < names.length + 2) {
    if (child.exitCode !== null) throw new Error(`skiff ui ended (${child.exitCode}): ${err}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`skiff ui printed no links: ${out} ${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const lines = out.trim().split('\n');
  const url = /on (http:\/\/\S+)/.exec(lines[0]!)![1]!;
  return { url, links: lines.slice(1), stop };
}
