// The messages-sent use cases, one per kind of caller: HTTP clients, which must
// authenticate; other Lambdas and schedules, which IAM already authorised.
import { decideAccess, UnreadableAuthData } from '../auth/access.js';
import { accessRecordsOf, type StoredAuthItems } from '../auth/access-records.js';
import { type AccessLookup, accessLookupOf, type Credentials } from '../auth/credentials.js';
import { completeDaysBefore, type DayWindow, dayWindow } from './day-window.js';
import { invalidParams, notAuthenticated, notPermitted, serviceUnavailable } from './errors.js';
import {
  type DayCounts,
  type MessagesSentReport,
  messagesSentReport,
} from './messages-sent-report.js';
import {
  type MessagesSentParameters,
  parseMessagesSentParameters,
  type RawParameters,
} from './query-parameters.js';
import { countersToRead, localDayCounts, utcDayCounts } from './window-counts.js';

/** The Auth table's items an access decision needs (lib/store/auth-directory.ts). */
export interface AuthItemsSource {
  /** The stored auth items of the lookup (read as lib/auth/access-records.ts says). */
  authItems(lookup: AccessLookup): Promise<StoredAuthItems>;
}

/** The counters (lib/store/period-counters.ts). */
export interface CounterReads {
  /** Messages per UTC day (`YYYY-MM-DD`) from `firstDay` to `lastDay`; absent days are 0. */
  dayCounts(firstDay: string, lastDay: string): Promise<Map<string, number>>;
  /**
   * Messages sent between consecutive instants of `starts` (each on a UTC quarter-hour): element
   * i counts [starts[i], starts[i + 1]).
   */
  countsBetween(starts: readonly number[]): Promise<number[]>;
}

/** Where scheduled reports are kept (lib/store/report-archive.ts). */
export interface ReportStore {
  saveReport(window: DayWindow, report: MessagesSentReport, createdAt: string): Promise<void>;
}

export interface MessagesSentPorts {
  auth: AuthItemsSource;
  counters: CounterReads;
  reports: ReportStore;
  now(): number;
}

/**
 * The longest UTC window whose counters are read before access is decided: a month and the month
 * before it, at most 62 day counters, one Query page.
 */
const maxDaysReadBeforeAccess = 31;

const windowOf = ({ start, end, timezone }: MessagesSentParameters) =>
  dayWindow(Date.parse(start), Date.parse(end), timezone);

export class MessagesSentService {
  constructor(
    private readonly ports: MessagesSentPorts,
    private readonly report: { days: number; timeZone?: string | undefined },
  ) {}

  /**
   * For HTTP callers. Checks in Rocket.Chat's order — authentication, permission, parameters.
   * The usual dashboard request (a UTC window of at most a month) reads its counters alongside the
   * auth items, so it is answered in one DynamoDB round trip; the counters are only returned once
   * access is granted. Anything that grows with the request — a longer window, the days of a time
   * zone — waits until then, so a refused request costs a bounded lookup.
   */
  async answerAuthenticated(
    credentials: Credentials,
    parameters: RawParameters,
  ): Promise<MessagesSentReport> {
    const lookup = accessLookupOf(credentials);
    if (!lookup) throw notAuthenticated();
    const parsed = parseMessagesSentParameters(parameters);
    // Before access is decided, only a UTC window is worked out (plain arithmetic), and its
    // counters read alongside the auth items when it is short.
    const utcWindow =
      parsed.ok && parsed.value.timezone === undefined ? windowOf(parsed.value) : undefined;
    const access = this.ports.auth.authItems(lookup);
    const early =
      utcWindow?.ok && utcWindow.value.days <= maxDaysReadBeforeAccess
        ? this.countsFor(utcWindow.value)
        : undefined;
    // Settle the counters too, so that an early rejection is never left unhandled.
    const [accessResult] = await Promise.allSettled([access, early]);

    if (accessResult.status === 'rejected') throw serviceUnavailable(accessResult.reason);
    const decision = decideAccess(
      lookup.userId,
      accessRecordsOf(accessResult.value),
      this.ports.now(),
    );
    if (!decision.granted) {
      const cause = decision.unreadable && new UnreadableAuthData(decision.unreadable);
      throw decision.refusal === 'not-authenticated'
        ? notAuthenticated(cause)
        : notPermitted(cause);
    }
    if (!parsed.ok) throw parsed.error;
    const window = utcWindow ?? windowOf(parsed.value);
    if (!window.ok) throw window.error;
    let counts: DayCounts;
    try {
      counts = await (early ?? this.countsFor(window.value));
    } catch (error) {
      throw serviceUnavailable(error);
    }
    return messagesSentReport(window.value, counts);
  }

  /** For callers IAM authorised (direct invocations): parameters only. */
  async answerTrusted(parameters: RawParameters): Promise<MessagesSentReport> {
    const parsed = parseMessagesSentParameters(parameters);
    if (!parsed.ok) throw parsed.error;
    const window = windowOf(parsed.value);
    if (!window.ok) throw window.error;
    return messagesSentReport(window.value, await this.countsFor(window.value));
  }

  /**
   * The report of the configured number of complete days (UTC, or of the configured time zone)
   * before the day of `eventTime`, stored so that a repeated event leaves one item.
   */
  async scheduledReport(
    eventTime: string,
  ): Promise<{ window: DayWindow; report: MessagesSentReport }> {
    const eventMs = Date.parse(eventTime);
    if (Number.isNaN(eventMs)) throw invalidParams('The scheduled event has no valid time');
    const window = completeDaysBefore(eventMs, this.report.days, this.report.timeZone);
    if (!window.ok) throw window.error;
    const report = messagesSentReport(window.value, await this.countsFor(window.value));
    await this.ports.reports.saveReport(
      window.value,
      report,
      new Date(this.ports.now()).toISOString(),
    );
    return { window: window.value, report };
  }

  /** Day counts of the window and the window before it, in one round trip of reads. */
  private async countsFor(window: DayWindow): Promise<DayCounts> {
    const toRead = countersToRead(window);
    if (toRead.read === 'nothing') return new Map();
    if (toRead.read === 'days') {
      return utcDayCounts(await this.ports.counters.dayCounts(toRead.first, toRead.last));
    }
    return localDayCounts(window, await this.ports.counters.countsBetween(toRead.starts));
  }
}
