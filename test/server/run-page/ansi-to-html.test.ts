import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AnsiState, ansiToHtml } from '../../../src/server/run-page/ansi-to-html.js';
import { escapeHtml, html } from '../../../src/server/run-page/html-escape.js';

describe('escapeHtml and html``', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    assert.equal(escapeHtml(`<a href="javascript:x" title='t'>&amp;</a>`), '&lt;a href=&quot;javascript:x&quot; title=&#39;t&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('escapes every value put into a template, keeps nested templates, drops empty values', () => {
    const name = '<script>alert(1)</script>';
    assert.equal(html`<b title="${name}">${name}</b>`.text, '<b title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</b>');
    assert.equal(html`<ul>${['<x>', html`<li>${'&'}</li>`]}</ul>`.text, '<ul>&lt;x&gt;<li>&amp;</li></ul>');
    assert.equal(html`${undefined}${null}${false}${0}`.text, '0');
  });
});

describe('ansiToHtml', () => {
  it('turns colours into spans of fixed classes and escapes the text', () => {
    assert.equal(ansiToHtml('\u001b[31mred <b>\u001b[0m ok'), '<span class="ansi-red">red &lt;b&gt;</span> ok');
    assert.equal(
      ansiToHtml('\u001b[1;92;44mx\u001b[22my'),
      '<span class="ansi-bright-green ansi-bg-blue ansi-bold">x</span><span class="ansi-bright-green ansi-bg-blue">y</span>',
    );
  });

  it('drops other escape sequences: cursor moves, OSC hyperlinks and titles, lone control characters', () => {
    assert.equal(ansiToHtml('a\u001b[2Kb\u001b[1Ac'), 'abc');
    assert.equal(ansiToHtml('\u001b]8;;javascript:alert(1)\u0007link\u001b]8;;\u0007'), 'link');
    assert.equal(ansiToHtml('\u001b]0;title\u001b\\x\u0000\u0008y'), 'xy');
  });

  it('skips 256-colour and true-colour arguments without taking them for other codes', () => {
    assert.equal(ansiToHtml('\u001b[38;5;1mx'), 'x');
    assert.equal(ansiToHtml('\u001b[38;2;1;31;4mx'), 'x');
  });

  it('carries colours from one call to the next through its state', () => {
    const state: AnsiState = {};
    assert.equal(ansiToHtml('\u001b[33mfirst', state), '<span class="ansi-yellow">first</span>');
    assert.equal(ansiToHtml('second\u001b[m', state), '<span class="ansi-yellow">second</span>');
    assert.equal(ansiToHtml('third', state), 'third');
  });

  it('never lets a colour code carry markup into a class', () => {
    assert.equal(ansiToHtml('\u001b[31;"><script>m'), '[31;&quot;&gt;&lt;script&gt;m');
  });
});
