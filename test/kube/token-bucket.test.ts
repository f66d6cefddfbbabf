import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from '../../src/kube/token-bucket.js';

function fakeClock() {
  const clock = { t: 0, slept: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
}

test('a burst goes at once, then requests are spaced at the rate, in the order asked', async () => {
  const { clock, now, sleep } = fakeClock();
  const bucket = new TokenBucket({ qps: 10, burst: 3 }, { now, sleep });
  const order: number[] = [];
  await Promise.all([0, 1, 2, 3, 4].map((i) => bucket.take().then(() => order.push(i))));
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(clock.slept, [100, 100], 'the two past the burst each waited a tenth of a second');
  assert.equal(clock.t, 200);
});

test('tokens come back with time, up to the burst', async () => {
  const { clock, now, sleep } = fakeClock();
  const bucket = new TokenBucket({ qps: 2, burst: 2 }, { now, sleep });
  await bucket.take();
  await bucket.take();
  clock.t += 10_000; // a long quiet time refills only to the burst
  await bucket.take();
  await bucket.take();
  assert.deepEqual(clock.slept, []);
  await bucket.take();
  assert.deepEqual(clock.slept, [500]);
});

test('a rate or burst that makes no sense is refused with a message', () => {
  assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }), /request rate must be a positive number/);
  assert.throws(() => new TokenBucket({ qps: 5, burst: 0.5 }), /burst must be a whole number/);
});
