// The recorded cases: the command that made each recording (on the simulator) and the command that replays it.
export const CASES = [
  {
    name: 'scan-hci01',
    record: ['scan', '--simulate', '--json'],
    replay: ['scan', '--json'],
  },
  {
    name: 'snapshot-two-site',
    record: ['snapshot', '--simulate', 'fixtures/clusters/two-site-8node.json'],
    replay: ['snapshot'],
  },
  {
    name: 'get-role-none',
    record: ['get-role', '--simulate', '--json'],
    replay: ['get-role', '--json'],
  },
];
