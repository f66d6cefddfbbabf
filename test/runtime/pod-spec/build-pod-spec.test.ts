import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import { buildPodSpec, INLINE_SCRIPT_LIMIT } from '../../../src/runtime/pod-spec/build-pod-spec.js';
import { type ExecutorPlan, INPUTS_DIR, PLAN_ENV, SCRIPT_ENV, SCRIPT_PATH } from '../../../src/runtime/pod-spec/executor-plan.js';
import type { Workflow } from '../../../src/spec/model/workflow.js';

const workflow: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'wf', namespace: 'argo', uid: 'u-1' },
  spec: {
    volumes: [
      { name: 'cfg', configMap: { name: 'settings' } },
      { name: 'unused', nfs: { server: 'x', path: '/' } },
    ],
    volumeClaimTemplates: [{ metadata: { name: 'work' }, spec: {} }],
  },
};

const request = (template: PodRequest['template'], inputs: PodRequest['inputs'] = {}): PodRequest => ({
  workflowName: 'wf',
  workflowNamespace: 'default',
  nodeId: 'wf-1',
  podName: 'wf-main-1',
  template,
  inputs,
});

function built(req: PodRequest) {
  const result = buildPodSpec(req, {
    workflow,
    archiveLocation: { s3: { endpoint: 'minio:9000', bucket: 'b', key: 'wf/wf-main-1', accessKeySecret: { name: 'creds', key: 'a' } } },
  });
  if ('error' in result) throw new Error(result.error);
  return result.pod;
}

function planOf(container: { env?: Array<{ name: string; value?: string }> }): ExecutorPlan {
  return JSON.parse(container.env!.find((e) => e.name === PLAN_ENV)!.value!) as ExecutorPlan;
}

describe('buildPodSpec', () => {
  it('builds main (wrapped) and wait, and no init when there is nothing to load or stage', () => {
    const pod = built(
      request({ name: 'main', container: { image: 'alpine', command: ['echo'], args: ['hi'], workingDir: '/w', env: [{ name: 'A', value: '1' }] } }),
    );
    assert.deepEqual(pod.spec!.initContainers, []);
    const [main, wait] = pod.spec!.containers;
    assert.equal(main!.name, 'main');
    assert.deepEqual(main!.command!.slice(0, 2), ['/bin/sh', '-c']);
    assert.deepEqual(main!.command!.slice(3), ['skiff-main', 'echo', 'hi']);
    assert.equal(main!.workingDir, '/w');
    assert.deepEqual(main!.env, [{ name: 'A', value: '1' }]);
    assert.equal(wait!.name, 'wait');
    assert.deepEqual(wait!.command, ['skiff', 'executor', 'wait']);
    assert.equal(pod.metadata!.namespace, 'argo');
    assert.equal(pod.metadata!.labels!['workflows.argoproj.io/workflow'], 'wf');
    assert.equal(pod.metadata!.ownerReferences![0]!.uid, 'u-1');
    assert.equal(pod.spec!.restartPolicy, 'Never');
  });

  it("hands a script to main in its environment (no init container) and runs it with the image's command", () => {
    const pod = built(request({ name: 's', script: { image: 'python:3', command: ['python3'], args: ['-u'], source: 'print(1)' } }));
    assert.deepEqual(pod.spec!.initContainers, [], 'nothing to stage: no Node.js start before main');
    const main = pod.spec!.containers.find((c) => c.name === 'main')!;
    assert.deepEqual(main.env, [{ name: SCRIPT_ENV, value: 'print(1)' }]);
    assert.match(main.command![2]!, new RegExp(`printf '%s' "\\$${SCRIPT_ENV}" > '${SCRIPT_PATH}'`));
    assert.deepEqual(main.command!.slice(3), ['skiff-main', 'python3', SCRIPT_PATH, '-u']);
    assert.equal(planOf(pod.spec!.containers.find((c) => c.name === 'wait')!).result, true);
  });

  it('stages a script in init when init runs anyway (input artifacts) or the script is too long for the environment', () => {
    const long = 'x'.repeat(INLINE_SCRIPT_LIMIT + 1);
    for (const [why, pod] of [
      ['long', built(request({ name: 's', script: { image: 'alpine', command: ['sh'], source: long } }))],
      [
        'inputs',
        built(
          request(
            { name: 's', script: { image: 'alpine', command: ['sh'], source: long } },
            { artifacts: [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }] },
          ),
        ),
      ],
    ] as const) {
      const init = pod.spec!.initContainers![0]!;
      assert.deepEqual(init.command, ['skiff', 'executor', 'init'], why);
      assert.equal(planOf(init).script, long, why);
      const main = pod.spec!.containers.find((c) => c.name === 'main')!;
      assert.equal(
        main.env?.some((e) => e.name === SCRIPT_ENV),
        false,
        why,
      );
    }
    const short = built(
      request({ name: 's', script: { image: 'alpine', command: ['sh'], source: 'echo' } }, { artifacts: [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }] }),
    );
    assert.equal(planOf(short.spec!.initContainers![0]!).script, 'echo', 'with inputs, init stages even a short script');
  });

  it('loads input artifacts in init and mounts each at its path in main', () => {
    const pod = built(
      request({ name: 't', container: { image: 'alpine', command: ['cat', '/tmp/in'] } }, { artifacts: [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }] }),
    );
    const init = pod.spec!.initContainers![0]!;
    assert.ok(init.volumeMounts!.some((m) => m.name === 'input-artifacts' && m.mountPath === INPUTS_DIR));
    assert.deepEqual(planOf(init).inputs, [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }]);
    assert.ok(pod.spec!.containers[0]!.volumeMounts!.some((m) => m.name === 'input-artifacts' && m.mountPath === '/tmp/in' && m.subPath === 'in'));
    // The repository's credentials reach the executor as a Secret volume.
    assert.ok(pod.spec!.volumes!.some((v) => v.secret?.secretName === 'creds'));
  });

  it('adds the volumes main mounts (a volumeClaimTemplate as the run claim), and only those', () => {
    const pod = built(
      request({
        name: 't',
        container: {
          image: 'alpine',
          command: ['ls'],
          volumeMounts: [
            { name: 'work', mountPath: '/work' },
            { name: 'cfg', mountPath: '/cfg' },
          ],
        },
      }),
    );
    const names = pod.spec!.volumes!.map((v) => v.name);
    assert.ok(names.includes('work') && names.includes('cfg') && !names.includes('unused'));
    assert.equal(pod.spec!.volumes!.find((v) => v.name === 'work')!.persistentVolumeClaim!.claimName, 'wf-work');
  });

  it("gives sidecars and init containers with mirrorVolumeMounts main's own mounts (not Skiff's), and adds the volumes only they mount", () => {
    const template: PodRequest['template'] = {
      name: 'main',
      container: { image: 'alpine', command: ['true'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
      initContainers: [{ name: 'prepare', image: 'alpine', mirrorVolumeMounts: true } as never],
      sidecars: [
        { name: 'mirror', image: 'alpine', mirrorVolumeMounts: true, volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] } as never,
        { name: 'overrides', image: 'alpine', mirrorVolumeMounts: true, volumeMounts: [{ name: 'cfg', mountPath: '/work' }] } as never,
        { name: 'plain', image: 'alpine', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] },
      ],
    };
    const result = buildPodSpec(request(template, { artifacts: [{ name: 'in', path: '/in/file', s3: { key: 'k' } }] }), { workflow, sidecars: true });
    if ('error' in result) assert.fail(result.error);
    const { spec } = result.pod;
    const mounts = (name: string) => [...spec!.initContainers!, ...spec!.containers].find((c) => c.name === name)?.volumeMounts;
    assert.deepEqual(
      spec!.containers.map((c) => c.name),
      ['main', 'wait', 'mirror', 'overrides', 'plain'],
    );
    assert.deepEqual(mounts('prepare'), [{ name: 'work', mountPath: '/work' }]);
    assert.deepEqual(mounts('mirror'), [
      { name: 'cfg', mountPath: '/cfg' },
      { name: 'work', mountPath: '/work' },
    ]);
    assert.deepEqual(mounts('overrides'), [{ name: 'cfg', mountPath: '/work' }], 'a path the sidecar mounts keeps its own mount');
    assert.deepEqual(mounts('plain'), [{ name: 'cfg', mountPath: '/etc/cfg' }]);
    assert.ok(
      spec!.containers.every((c) => !('mirrorVolumeMounts' in c)) && spec!.initContainers!.every((c) => !('mirrorVolumeMounts' in c)),
      'Argo’s field reaches no pod',
    );
    assert.ok(
      spec!.volumes!.some((v) => v.name === 'cfg'),
      'a volume only a sidecar mounts is in the pod',
    );
    const local = buildPodSpec(request(template), { workflow });
    if ('error' in local) assert.fail(local.error);
    assert.deepEqual(
      local.pod.spec!.containers.map((c) => c.name),
      ['main', 'wait'],
      'no sidecars unless asked for',
    );
  });

  it("takes the workflow's volumes as the engine substituted them for this pod, when it did", () => {
    const template = { name: 't', container: { image: 'alpine', command: ['ls'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] } };
    const pod = built({ ...request(template), volumes: [{ name: 'cfg', configMap: { name: 'made-by-gen' } }] });
    assert.equal(pod.spec!.volumes!.find((v) => v.name === 'cfg')!.configMap!.name, 'made-by-gen');
    assert.equal(built(request(template)).spec!.volumes!.find((v) => v.name === 'cfg')!.configMap!.name, 'settings');
  });

  it('tells the wait container which outputs to collect', () => {
    const pod = built(
      request({
        name: 't',
        container: { image: 'alpine', command: ['true'] },
        outputs: {
          parameters: [
            { name: 'p', valueFrom: { path: '/tmp/p' } },
            { name: 's', valueFrom: { supplied: {} } },
          ],
          artifacts: [{ name: 'a', path: '/tmp/a' }],
        },
      }),
    );
    const plan = planOf(pod.spec!.containers[1]!);
    assert.deepEqual(plan.parameters, [{ name: 'p', path: '/tmp/p' }]);
    assert.deepEqual(
      plan.artifacts.map((a) => a.name),
      ['a'],
    );
    assert.equal(plan.archiveLocation?.s3?.key, 'wf/wf-main-1');
  });

  it('refuses what it cannot run as a pod, saying why', () => {
    assert.match((buildPodSpec(request({ name: 'r', resource: { action: 'create' } }), { workflow }) as { error: string }).error, /resource templates/);
    assert.match((buildPodSpec(request({ name: 'c', container: { image: 'alpine' } }), { workflow }) as { error: string }).error, /no command/);
  });

  describe('containerSet', () => {
    const set = (
      extra: Partial<PodRequest['template']> = {},
      containerSet: Partial<NonNullable<PodRequest['template']['containerSet']>> = {},
    ): PodRequest['template'] => ({
      name: 'set',
      volumes: [{ name: 'workspace', emptyDir: {} }],
      containerSet: {
        volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
        containers: [
          { name: 'a', image: 'alpine', command: ['sh', '-c'], args: ['echo a'] },
          { name: 'b', image: 'alpine', command: ['echo', 'b'], dependencies: ['a'], env: [{ name: 'X', value: '1' }] },
          { name: 'main', image: 'python:3', command: ['python3', '-c', 'print(1)'], dependencies: ['a', 'b'] },
        ],
        ...containerSet,
      },
      ...extra,
    });

    it('runs every container of the set, wrapped, beside wait, each with the shared mounts', () => {
      const pod = built(
        request(set({ outputs: { parameters: [{ name: 'p', valueFrom: { path: '/workspace/p' } }] } }), {
          artifacts: [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }],
        }),
      );
      assert.deepEqual(
        pod.spec!.containers.map((c) => c.name),
        ['a', 'b', 'main', 'wait'],
      );
      const [a, b, main, wait] = pod.spec!.containers;
      assert.deepEqual(a!.command!.slice(0, 2), ['/bin/sh', '-c']);
      assert.deepEqual(a!.command!.slice(3), ['skiff-a', 'sh', '-c', 'echo a']);
      assert.deepEqual(a!.args, []);
      assert.deepEqual(b!.env, [{ name: 'X', value: '1' }]);
      assert.equal((b as { dependencies?: unknown }).dependencies, undefined, 'dependencies are not a container field');
      for (const c of [a!, b!, main!]) {
        assert.ok(
          c.volumeMounts!.some((m) => m.name === 'workspace' && m.mountPath === '/workspace'),
          `${c.name} mounts the workspace`,
        );
        assert.ok(
          c.volumeMounts!.some((m) => m.mountPath === '/argo/run'),
          `${c.name} mounts the run volume`,
        );
      }
      // Only main loads inputs and keeps outputs.
      assert.ok(main!.volumeMounts!.some((m) => m.mountPath === '/tmp/in' && m.subPath === 'in'));
      assert.ok(!a!.volumeMounts!.some((m) => m.mountPath === '/tmp/in'));
      assert.match(main!.command![2]!, /\/workspace\/p/);
      assert.doesNotMatch(a!.command![2]!, /\/workspace\/p/);
      // Each waits on its dependencies' exit codes in the shared run volume.
      assert.match(b!.command![2]!, /'\/argo\/run\/ctr\/a\/exitcode'/);
      assert.match(main!.command![2]!, /'\/argo\/run\/ctr\/a\/exitcode'[\s\S]*'\/argo\/run\/ctr\/b\/exitcode'/);
      assert.doesNotMatch(a!.command![2]!, /ctr\/[a-z]+\/exitcode'/);
      const plan = planOf(wait!);
      assert.deepEqual(plan.containers, ['a', 'b', 'main']);
      assert.equal(plan.result, true, "main's stdout is the result");
      assert.ok(
        pod.spec!.volumes!.some((v) => v.name === 'workspace' && v.emptyDir),
        'the shared volume is part of the pod',
      );
    });

    it('has no result without a container named main', () => {
      const pod = built(
        request({
          name: 'set',
          containerSet: {
            containers: [
              { name: 'x', image: 'alpine', command: ['true'] },
              { name: 'y', image: 'alpine', command: ['true'] },
            ],
          },
        }),
      );
      const plan = planOf(pod.spec!.containers.at(-1)!);
      assert.equal(plan.result, false);
      assert.deepEqual(plan.containers, ['x', 'y']);
    });

    it('retries each container in place per containerSet.retryStrategy', () => {
      const pod = built(request(set({}, { retryStrategy: { retries: '2', duration: '500ms' } })));
      const wrapper = pod.spec!.containers[0]!.command![2]!;
      assert.match(wrapper, /-ge 2 \]/);
      assert.match(wrapper, /sleep 0\.5/);
      assert.doesNotMatch(built(request(set())).spec!.containers[0]!.command![2]!, /while :/);
    });

    it('refuses a set that could never run, saying what and where', () => {
      const error = (template: PodRequest['template']) => (buildPodSpec(request(template), { workflow }) as { error?: string }).error;
      const containers = (list: unknown[]) => ({ name: 'set', containerSet: { containers: list as never } });
      assert.match(
        error(
          containers([
            { name: 'a', command: ['true'], dependencies: ['b'] },
            { name: 'b', command: ['true'], dependencies: ['a'] },
          ]),
        ) ?? '',
        /containerSet of template "set": dependency cycle: a -> b -> a/,
      );
      assert.match(error(containers([{ name: 'a', command: ['true'], dependencies: ['nope'] }])) ?? '', /"a" depends on "nope", which is not a container/);
      assert.match(error(containers([{ name: 'a', image: 'argoproj/argosay:v2' }])) ?? '', /container "a" has no command: images are not pulled/);
      assert.match(error(containers([{ name: 'wait', command: ['true'] }])) ?? '', /"wait" is reserved/);
      assert.match(
        error(
          containers([
            { name: 'a', command: ['true'] },
            { name: 'a', command: ['true'] },
          ]),
        ) ?? '',
        /"a" is used twice/,
      );
      assert.match(error(containers([])) ?? '', /at least one container/);
      assert.match(
        error({ ...containers([{ name: 'a', command: ['true'] }]), outputs: { parameters: [{ name: 'p', valueFrom: { path: '/p' } }] } }) ?? '',
        /needs a container named "main"/,
      );
      assert.match(error(set({}, { retryStrategy: { retries: 'many' } })) ?? '', /retries "many" is not a whole number/);
      assert.match(error(set({}, { retryStrategy: { retries: 1, duration: 'soon' } })) ?? '', /duration "soon" is not a duration/);
    });
  });
});
