/**
 * Limits GitHub documents and enforces (HTTP 422) that its OpenAPI description does not encode, keyed
 * by operation id. The description already carries check-run `output.summary`/`output.text` <= 65535
 * characters, at most 50 annotations and 3 actions per request, action label/identifier <= 20 and
 * description <= 40 characters, and "a completed check run needs a conclusion" (checks/update);
 * everything here is what it leaves out.
 *
 * Lengths count Unicode code points, as GitHub (and ajv's maxLength) do.
 */
export function checkDocumentedLimits(operationId: string, body: unknown): string[] {
  const check = LIMITS[operationId];
  return check && body && typeof body === 'object' ? check(body as Record<string, unknown>) : [];
}

/** GitHub's limit on an issue or pull-request comment body (and on an issue body). */
export const COMMENT_BODY_MAX = 65536;
/** Annotation `message` and `raw_details`: "The maximum size is 64 KB". */
export const ANNOTATION_TEXT_MAX = 64 * 1024;

const LIMITS: Record<string, (body: Record<string, unknown>) => string[]> = {
  'issues/create-comment': commentBody,
  'issues/update-comment': commentBody,
  'checks/create': (body) => [...completedNeedsConclusion(body), ...annotationTexts(body)],
  'checks/update': annotationTexts,
};

function commentBody(body: Record<string, unknown>): string[] {
  const text = body.body;
  if (typeof text === 'string' && codePoints(text) > COMMENT_BODY_MAX) {
    return [`/body is too long (maximum is ${COMMENT_BODY_MAX} characters, got ${codePoints(text)})`];
  }
  return [];
}

// checks/update says this in its schema (anyOf); checks/create only in prose: "Required if you provide
// completed_at or a status of completed".
function completedNeedsConclusion(body: Record<string, unknown>): string[] {
  const completed = body.status === 'completed' || body.completed_at !== undefined;
  return completed && body.conclusion === undefined ? ['/conclusion is required when status is completed or completed_at is given'] : [];
}

function annotationTexts(body: Record<string, unknown>): string[] {
  const output = body.output as { annotations?: unknown } | undefined;
  if (!output || !Array.isArray(output.annotations)) return [];
  const errors: string[] = [];
  output.annotations.forEach((annotation: unknown, i) => {
    if (!annotation || typeof annotation !== 'object') return;
    for (const field of ['message', 'raw_details'] as const) {
      const text = (annotation as Record<string, unknown>)[field];
      if (typeof text === 'string' && Buffer.byteLength(text) > ANNOTATION_TEXT_MAX) {
        errors.push(`/output/annotations/${i}/${field} is larger than 64 KB`);
      }
    }
  });
  return errors;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
