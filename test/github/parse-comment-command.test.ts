import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommentCommand } from '../../src/github/parse-comment-command.js';

test('commands on a line of their own, with their arguments', () => {
  assert.deepEqual(parseCommentCommand('/skiff retry'), { name: 'retry', steps: [], restartSuccessful: false });
  assert.deepEqual(parseCommentCommand('Flaky again.\r\n  /skiff retry build --step test --step lint --restart-successful'), {
    name: 'retry',
    workflow: 'build',
    steps: ['test', 'lint'],
    restartSuccessful: true,
  });
  assert.deepEqual(parseCommentCommand('/retry'), { name: 'retry', steps: [], restartSuccessful: false });
  assert.deepEqual(parseCommentCommand('/skiff ok-to-test'), { name: 'ok-to-test' });
  assert.deepEqual(parseCommentCommand('/skiff'), { name: 'help' });
  assert.deepEqual(parseCommentCommand('/skiff help'), { name: 'help' });
});

test('no command: prose, code blocks, indented code and quotes', () => {
  assert.equal(parseCommentCommand('LGTM, run /skiff retry later'), undefined);
  assert.equal(parseCommentCommand('```\n/skiff retry\n```'), undefined);
  assert.equal(parseCommentCommand('~~~sh\n/skiff ok-to-test\n~~~'), undefined);
  assert.equal(parseCommentCommand('    /skiff retry'), undefined);
  assert.equal(parseCommentCommand('> /skiff ok-to-test'), undefined);
  assert.equal(parseCommentCommand('/skiffy retry'), undefined);
  // A fence left open hides the rest of the comment.
  assert.equal(parseCommentCommand('````\n```\n/skiff retry'), undefined);
  assert.deepEqual(parseCommentCommand('```\nx\n```\n/skiff ok-to-test'), { name: 'ok-to-test' });
});

test('malformed commands say what is wrong', () => {
  assert.deepEqual(parseCommentCommand('/skiff deploy prod'), { name: 'unknown', text: '/skiff deploy prod', problem: '"deploy" is not a command' });
  assert.equal((parseCommentCommand('/skiff retry --step') as { problem: string }).problem, '--step needs a step name');
  assert.equal((parseCommentCommand('/skiff retry --force') as { problem: string }).problem, 'unknown option --force');
  assert.equal((parseCommentCommand('/skiff retry a b') as { problem: string }).problem, 'retry takes one WORKFLOW (got a and b)');
  assert.equal((parseCommentCommand('/skiff ok-to-test now') as { problem: string }).problem, 'ok-to-test takes no arguments');
  assert.ok((parseCommentCommand(`/skiff ${'x'.repeat(100_000)}`) as { text: string }).text.length <= 200);
});
