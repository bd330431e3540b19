import { severityColumns } from '../src/queue-report';

describe('severityColumns', () => {
  it('groups severities by rank, most urgent first, with the unknown rank as "other"', () => {
    expect(severityColumns({ critical: 0, error: 1, major: 1, warning: 2, info: 3 }, 4)).toEqual([
      { rank: 0, label: 'critical' },
      { rank: 1, label: 'error/major' },
      { rank: 2, label: 'warning' },
      { rank: 3, label: 'info' },
      { rank: 4, label: 'other' },
    ]);
  });

  it('joins "other" to a named rank when unknown severities share it', () => {
    expect(severityColumns({ critical: 0, info: 1 }, 1)).toEqual([
      { rank: 0, label: 'critical' },
      { rank: 1, label: 'info/other' },
    ]);
  });
});
