import type { ServerResponse } from 'node:http';
import type { NodeStatus } from '../../engine/workflow-status.js';
import type { RunPageSource } from '../../ports/run-page-source.js';
import type { StoredRun } from '../../ports/run-store.js';
import { isArchivedLog } from '../../runs/archived-log.js';
import { describeLocation, inspectArtifact, openArtifact, tarballFile } from './artifact-access.js';
import { refuse, SECURITY_HEADERS, send, writeAll } from './http-answers.js';
import { redactedLines } from './node-log.js';
import { type SecretRedactor, secretRedactor } from './secret-redactor.js';

/** What is asked of an output artifact: its size and files (`info`), the artifact, or one `file` of a tarball. */
export interface ArtifactRequest {
  name: string;
  info: boolean;
  file: string | null;
  /** Hides Secrets' values in an archived log (the raw log), as in every log the page shows. */
  redactor?: SecretRedactor;
}

/**
 * Answers for one output artifact of a step, read through the run's repository as `skiff cp`
 * reads it (the source's driver), streamed (never held whole in memory) and always as an attachment, so an HTML file a
 * step wrote is never shown as a page of this site.
 */
export async function serveArtifact(
  res: ServerResponse,
  source: RunPageSource,
  run: StoredRun,
  node: NodeStatus | undefined,
  request: ArtifactRequest,
): Promise<void> {
  const artifact = node?.outputs?.artifacts?.find((a) => a.name === request.name);
  if (!artifact) {
    refuse(res, 404, 'no such artifact');
    return;
  }
  const { driver, repository, close } = await source.artifactAccess(run);
  try {
    const opened = await openArtifact(driver, artifact, repository);
    if (request.info) {
      send(res, 200, 'application/json', JSON.stringify({ repository: describeLocation(artifact, repository), ...(await inspectArtifact(opened)) }));
      return;
    }
    let body: AsyncIterable<Buffer> = opened.body;
    let fileName = opened.fileName;
    if (isArchivedLog(artifact) && !opened.tarball) {
      const redactor = request.redactor ?? secretRedactor([]);
      const raw = opened.body;
      body = (async function* () {
        for await (const text of redactedLines(raw, redactor)) yield Buffer.from(text);
      })();
      fileName = `${request.name.replace(/-logs$/, '')}.log`;
    }
    if (request.file !== null && opened.tarball) {
      const chunks = tarballFile(opened, request.file)[Symbol.asyncIterator]();
      const first = await chunks.next(); // a missing file throws here, before any header is sent
      body = (async function* () {
        if (!first.done) yield first.value;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      })();
      fileName = request.file.split('/').pop() || request.name;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': request.file !== null ? 'application/octet-stream' : opened.contentType,
      'content-disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
    });
    await writeAll(res, body);
  } catch (error) {
    if (res.headersSent) res.destroy();
    else refuse(res, 404, `cannot read artifact "${request.name}": ${(error as Error).message}`);
  } finally {
    close();
  }
}
