// The messages-sent use cases, one per kind of caller (design §2): HTTP clients, which must
// authenticate; other Lambdas and schedules, which IAM already authorised.
import { type AccessRecords, decideAccess, UnreadableAuthData } from '../auth/access.js';
import { hashLoginToken } from '../auth/login-token.js';
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

export interface MessagesSentPorts {
  accessRecords(lookup: { userId: string; hashedToken: string }): Promise<AccessRecords>;
  dayCounts(firstDay: string, lastDay: string): Promise<Map<string, number>>;
  /**
   * Messages sent between consecutive instants of `starts` (each on a UTC quarter-hour): element
   * i counts [starts[i], starts[i + 1]).
   */
  countsBetween(starts: readonly number[]): Promise<number[]>;
  saveReport(window: DayWindow, report: MessagesSentReport, createdAt: string): Promise<void>;
  now(): number;
}

export interface Credentials {
  userId?: string | undefined;
  token?: string | undefined;
}

// Longer values cannot be a Rocket.Chat user id or login token; refusing them early also keeps
// them out of DynamoDB keys, which have length limits of their own.
const maxUserIdLength = 255;
const maxTokenLength = 512;
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
   * zone — waits until then, so a refused request costs a bounded lookup (design §4).
   */
  async answerAuthenticated(
    credentials: Credentials,
    parameters: RawParameters,
  ): Promise<MessagesSentReport> {
    const { userId, token } = credentials;
    if (!userId || !token || userId.length > maxUserIdLength || token.length > maxTokenLength) {
      throw notAuthenticated();
    }
    // A lone UTF-16 surrogate cannot be stored in a DynamoDB key; no real user id contains one.
    if (/\p{Surrogate}/u.test(userId)) throw notAuthenticated();
    const parsed = parseMessagesSentParameters(parameters);
    // Before access is decided, only a UTC window is worked out (plain arithmetic), and its
    // counters read alongside the auth items when it is short.
    const utcWindow =
      parsed.ok && parsed.value.timezone === undefined ? windowOf(parsed.value) : undefined;
    const access = this.ports.accessRecords({ userId, hashedToken: hashLoginToken(token) });
    const early =
      utcWindow?.ok && utcWindow.value.days <= maxDaysReadBeforeAccess
        ? this.countsFor(utcWindow.value)
        : undefined;
    // Settle the counters too, so that an early rejection is never left unhandled.
    const [accessResult] = await Promise.allSettled([access, early]);

    if (accessResult.status === 'rejected') throw serviceUnavailable(accessResult.reason);
    const decision = decideAccess(userId, accessResult.value, this.ports.now());
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
    await this.ports.saveReport(window.value, report, new Date(this.ports.now()).toISOString());
    return { window: window.value, report };
  }

  /** Day counts of the window and the window before it, in one round trip of reads. */
  private async countsFor(window: DayWindow): Promise<DayCounts> {
    const toRead = countersToRead(window);
    if (toRead.read === 'nothing') return new Map();
    if (toRead.read === 'days') {
      return utcDayCounts(await this.ports.dayCounts(toRead.first, toRead.last));
    }
    return localDayCounts(window, await this.ports.countsBetween(toRead.starts));
  }
}
