import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { escapeHtml, lineChart, renderReport, type RunReport } from './report.js';
import { table } from './format.js';

const points = (svg: string): string[][] => [...svg.matchAll(/<polyline data-series="[^"]*" points="([^"]*)"/g)].map((m) => m[1].split(' '));

describe('HTML report', () => {
  it('places a series on the plot: first epoch at the left edge, smallest value at the bottom', () => {
    // plot area: x 56..544, y 34..220 (560 x 260 minus margins)
    const svg = lineChart('loss', [{ name: 'loss', values: [0.6, 0.4, 0.2], color: '#000' }]);
    expect(points(svg)).toEqual([['56.0,34.0', '300.0,127.0', '544.0,220.0']]);
  });

  it('leaves out epochs without a value instead of drawing them at zero', () => {
    const svg = lineChart('validation', [{ name: 'hr', values: [undefined, 0.5, undefined, 0.7], color: '#000' }]);
    expect(points(svg)[0]).toHaveLength(2);
  });

  it('keeps every point inside the plot, whatever the values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), (values) => {
        for (const p of points(lineChart('x', [{ name: 'x', values, color: '#000' }]))[0]) {
          const [x, y] = p.split(',').map(Number);
          expect(x).toBeGreaterThanOrEqual(56);
          expect(x).toBeLessThanOrEqual(544);
          expect(y).toBeGreaterThanOrEqual(34);
          expect(y).toBeLessThanOrEqual(220);
        }
      }),
    );
  });

  it('escapes ids and names, so a hostile id cannot add markup', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
    const report: RunReport = {
      title: 't',
      command: 'neural-recsys train <x>.csv',
      finishedAt: '2026-12-03T18:00:00Z',
      facts: [['data', '<b>']],
      epochs: [{ loss: 0.5 }, { loss: 0.4 }],
      metrics: [],
      recommendations: [{ user: '<script>', heldOut: ['a"b'], items: [{ id: 'a"b', score: 0.9 }] }],
    };
    const html = renderReport(report);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<td class="hit" title="score 0.9000">a&quot;b</td>');
  });

  it('draws the validation chart only when validation ran', () => {
    const base = { title: 't', command: 'c', finishedAt: 'now', facts: [], metrics: [], recommendations: [] };
    expect(renderReport({ ...base, epochs: [{ loss: 1 }, { loss: 0.5 }] }).match(/<svg /g)).toHaveLength(1);
    const both = renderReport({ ...base, epochs: [{ loss: 1, validation: { hr: 0.1, ndcg: 0.05 } }, { loss: 0.5, validation: { hr: 0.3, ndcg: 0.1 } }], bestEpoch: 1 });
    expect(both.match(/<svg /g)).toHaveLength(2);
    expect(both).toContain('data-series="validation ndcg"');
    expect(both).toContain('<title>kept epoch 2</title>');
  });
});

describe('terminal tables', () => {
  it('aligns text left and numbers right', () => {
    expect(table(['model', 'HR@10'], [['NeuMF', 0.65], ['popularity', 0.12]])).toBe('model        HR@10\nNeuMF       0.6500\npopularity  0.1200');
  });
});
