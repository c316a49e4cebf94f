// An in-memory stand-in for what the messages-sent service reads and writes: the Auth table's items
// and the counters, with every call recorded, so the core's rules can be checked without DynamoDB.
import type { StoredAuthItems } from '../../lib/auth/access-records.js';
import type { AccessLookup } from '../../lib/auth/credentials.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import type {
  AuthItemsSource,
  CounterReads,
  MessagesSentPorts,
  ReportStore,
} from '../../lib/report/messages-sent-service.js';

export interface FakeCounters {
  /** Messages per UTC day, `YYYY-MM-DD`. */
  days: Map<string, number>;
  /** Messages per UTC quarter-hour start, epoch milliseconds. */
  quarterHours: Map<number, number>;
}

/** One object playing the three stores; `ports` hands it to the service as they are handed. */
export class FakeMessagesSentPorts implements AuthItemsSource, CounterReads, ReportStore {
  readonly calls: string[] = [];
  readonly users = new Map<string, { roles: string[] }>();
  readonly tokens = new Map<string, Record<string, unknown>>();
  permission: unknown;
  readonly counters: FakeCounters = { days: new Map(), quarterHours: new Map() };

  get ports(): MessagesSentPorts {
    return { auth: this, counters: this, reports: this, now: () => this.clock };
  }
  readonly saved: unknown[] = [];
  failing: 'auth' | 'counters' | undefined;
  clock = Date.parse('2024-05-01T12:00:00.000Z');

  /** A user with a login token, for credentials `{ userId, token }`. */
  addUser(userId: string, token: string, roles: string[]): { userId: string; token: string } {
    this.users.set(userId, { roles });
    this.tokens.set(`${userId} ${hashLoginToken(token)}`, {
      userId,
      type: 'login',
      createdAt: '2024-01-01T00:00:00.000Z',
    });
    return { userId, token };
  }

  async authItems({ userId, hashedToken }: AccessLookup): Promise<StoredAuthItems> {
    this.calls.push('authItems');
    if (this.failing === 'auth') throw new Error('DynamoDB is unreachable');
    return {
      token: this.tokens.get(`${userId} ${hashedToken}`),
      user: this.users.get(userId),
      permission: this.permission,
    };
  }

  async dayCounts(firstDay: string, lastDay: string): Promise<Map<string, number>> {
    this.calls.push(`dayCounts ${firstDay} ${lastDay}`);
    if (this.failing === 'counters') throw new Error('DynamoDB is unreachable');
    return new Map([...this.counters.days].filter(([day]) => day >= firstDay && day <= lastDay));
  }

  async countsBetween(starts: readonly number[]): Promise<number[]> {
    this.calls.push(`countsBetween ${starts.length - 1} days`);
    if (this.failing === 'counters') throw new Error('DynamoDB is unreachable');
    return starts.slice(1).map((end, index) => {
      let sum = 0;
      for (const [at, messages] of this.counters.quarterHours) {
        if (at >= (starts[index] as number) && at < end) sum += messages;
      }
      return sum;
    });
  }

  async saveReport(...report: unknown[]): Promise<void> {
    this.calls.push('saveReport');
    this.saved.push(report);
  }
}
