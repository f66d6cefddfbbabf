import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '../../src/server/metrics.js';

test('a histogram renders cumulative buckets, +Inf, sum and count per label set', () => {
  const metrics = new Metrics();
  metrics.histogram('wait_seconds', 'how long', [0.1, 1]);
  for (const value of [0.05, 0.5, 0.5, 3]) metrics.observe('wait_seconds', value);
  metrics.observe('wait_seconds', 0.2, { event: 'push' });
  const text = metrics.render();
  assert.match(text, /^# TYPE wait_seconds histogram$/m);
  for (const line of [
    'wait_seconds_bucket{le="0.1"} 1',
    'wait_seconds_bucket{le="1"} 3',
    'wait_seconds_bucket{le="+Inf"} 4',
    'wait_seconds_sum 4.05',
    'wait_seconds_count 4',
    'wait_seconds_bucket{event="push",le="0.1"} 0',
    'wait_seconds_bucket{event="push",le="1"} 1',
    'wait_seconds_count{event="push"} 1',
  ]) {
    assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
  }
});

test('labelled gauges are read at each scrape; label values are escaped', () => {
  const metrics = new Metrics();
  let running = 2;
  metrics.labelledGauge('runs', 'runs by phase', () => [
    [{ phase: 'Running' }, running],
    [{ phase: 'we"ird\\' }, 1],
  ]);
  assert.match(metrics.render(), /^runs\{phase="Running"\} 2$/m);
  running = 0;
  assert.match(metrics.render(), /^runs\{phase="Running"\} 0$/m);
  assert.match(metrics.render(), /^runs\{phase="we\\"ird\\\\"\} 1$/m);
});
