import { orderBySite, type SitedNode } from './site-order.js';

/** Two sites of four nodes each, interleaved in the base order as the fewest-roles rule may leave them. */
const TWO_SITES: SitedNode[] = [
  { name: 'N1', site: 'Seattle' },
  { name: 'N2', site: 'Seattle' },
  { name: 'N3', site: 'Seattle' },
  { name: 'N4', site: 'Seattle' },
  { name: 'N5', site: 'Redmond' },
  { name: 'N6', site: 'Redmond' },
  { name: 'N7', site: 'Redmond' },
  { name: 'N8', site: 'Redmond' },
];
const BASE = ['N5', 'N1', 'N6', 'N2', 'N7', 'N3', 'N8', 'N4'];

describe('orderBySite', () => {
  it.each([
    ['Seattle first: its nodes in the base order, then Redmond', ['Seattle', 'Redmond'], ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8']],
    ['Redmond first', ['Redmond', 'Seattle'], ['N5', 'N6', 'N7', 'N8', 'N1', 'N2', 'N3', 'N4']],
    ['site names compare case-insensitively', ['REDMOND', 'seattle'], ['N5', 'N6', 'N7', 'N8', 'N1', 'N2', 'N3', 'N4']],
  ])('%s', (_name, siteOrder, expected) => {
    const result = orderBySite(BASE, TWO_SITES, siteOrder);
    expect(result).toEqual({ ok: true, order: expected, groups: expect.any(Array) });
  });

  it('keeps the base order inside a site (NodeOrder and fewest roles first stand there)', () => {
    const result = orderBySite(['N8', 'N4', 'N7', 'N3', 'N6', 'N2', 'N5', 'N1'], TWO_SITES, ['Seattle', 'Redmond']);
    expect(result).toEqual({
      ok: true,
      order: ['N4', 'N3', 'N2', 'N1', 'N8', 'N7', 'N6', 'N5'],
      groups: [
        { site: 'Seattle', nodes: ['N4', 'N3', 'N2', 'N1'] },
        { site: 'Redmond', nodes: ['N8', 'N7', 'N6', 'N5'] },
      ],
    });
  });

  it('spells the sites as the cluster does in its groups', () => {
    const result = orderBySite(BASE, TWO_SITES, ['redmond', 'SEATTLE']);
    expect(result.ok && result.groups.map((g) => g.site)).toEqual(['Redmond', 'Seattle']);
  });

  it.each([
    ['a site that is not the cluster\'s', BASE, TWO_SITES, ['Seattle', 'Redmond', 'Tacoma'], [/^siteAwareUpdatingOrder: Tacoma is not a site of this cluster \(sites: Redmond \(N5, N6, N7, N8\), Seattle \(N1, N2, N3, N4\)\)$/]],
    ['a site listed twice', BASE, TWO_SITES, ['Seattle', 'Redmond', 'seattle'], [/^siteAwareUpdatingOrder: seattle is listed twice$/]],
    ['a site left out', BASE, TWO_SITES, ['Seattle'], [/^siteAwareUpdatingOrder: Redmond \(N5, N6, N7, N8\) is not listed; name every site/]],
    [
      'nodes with no site',
      ['N1', 'N2', 'N3'],
      [{ name: 'N1', site: 'A' }, { name: 'N2', site: null }, { name: 'N3' }],
      ['A'],
      [/^siteAwareUpdatingOrder: N2, N3 have no site \(no Site fault domain above them\); place every node in a site/],
    ],
    [
      'a cluster with no sites at all: every problem at once',
      ['N1', 'N2'],
      [{ name: 'N1' }, { name: 'N2', site: '' }],
      ['A'],
      [/^siteAwareUpdatingOrder: A is not a site of this cluster \(sites: none defined\)$/, /^siteAwareUpdatingOrder: N1, N2 have no site/],
    ],
  ])('refuses %s, naming it', (_name, base, nodes, siteOrder, expected) => {
    const result = orderBySite(base, nodes, siteOrder);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(problems[i]).toMatch(pattern));
  });

  it('matches node names case-insensitively against the cluster list', () => {
    expect(orderBySite(['n2', 'n1'], [{ name: 'N1', site: 'A' }, { name: 'N2', site: 'B' }], ['A', 'B'])).toEqual({
      ok: true,
      order: ['n1', 'n2'],
      groups: [{ site: 'A', nodes: ['n1'] }, { site: 'B', nodes: ['n2'] }],
    });
  });
});
