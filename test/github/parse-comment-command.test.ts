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

test('/skiff run WORKFLOW -p name=value: quoted values kept whole, as data', () => {
  assert.deepEqual(parseCommentCommand('/skiff run build'), { name: 'run', workflow: 'build', parameters: {} });
  assert.deepEqual(parseCommentCommand(`/skiff run deploy -p env=prod --parameter "msg=hello world" -p 'x=$(rm -rf /); echo "hi"'`), {
    name: 'run',
    workflow: 'deploy',
    parameters: { env: 'prod', msg: 'hello world', x: '$(rm -rf /); echo "hi"' },
  });
  assert.deepEqual(parseCommentCommand('/skiff run a -p empty='), { name: 'run', workflow: 'a', parameters: { empty: '' } });
  const problem = (body: string) => (parseCommentCommand(body) as { problem: string }).problem;
  assert.equal(problem('/skiff run'), 'run needs a WORKFLOW name');
  assert.equal(problem('/skiff run ../workflows/x.yaml'), '"../workflows/x.yaml" is not a workflow name (the name its check run shows)');
  assert.equal(problem('/skiff run build -p'), '-p needs name=value');
  assert.equal(problem('/skiff run build -p =1'), '-p needs name=value');
  assert.equal(problem('/skiff run build -p "a b=1"'), '"a b" is not a parameter name');
  // A parameter named like a property of every object is an own value, nothing more.
  const proto = parseCommentCommand('/skiff run build -p __proto__=1') as { parameters: Record<string, string> };
  assert.deepEqual(Object.keys(proto.parameters), ['__proto__']);
  assert.equal(Object.getPrototypeOf(proto.parameters), Object.prototype);
  assert.equal(problem('/skiff run build --entrypoint x'), 'unknown option --entrypoint');
  assert.equal(problem('/skiff run build other'), 'run takes one WORKFLOW (got build and other)');
  assert.equal(problem('/skiff run build -p "x=unclosed'), 'a quote is not closed');
  assert.equal(problem(`/skiff run build -p x=${'v'.repeat(5000)}`), 'the value of x is longer than 4096 characters');
});

test('/skiff cancel [WORKFLOW]', () => {
  assert.deepEqual(parseCommentCommand('/skiff cancel'), { name: 'cancel' });
  assert.deepEqual(parseCommentCommand('/skiff cancel build'), { name: 'cancel', workflow: 'build' });
  assert.equal((parseCommentCommand('/skiff cancel a b') as { problem: string }).problem, 'cancel takes at most one WORKFLOW (got 2)');
  assert.equal((parseCommentCommand('/skiff cancel <b>') as { problem: string }).problem, '"<b>" is not a workflow name');
});
