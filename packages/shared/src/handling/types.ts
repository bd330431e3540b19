import type { NotifyTarget, RobotConfig, RouteConfig, ScheduleConfig, UserConfig } from '../config/types';

/** One ack of one alert, valid for the firing it was made on (startsAt). */
export interface AckRecord {
  /** JWT subject of who acked. */
  by: string;
  /** ISO time of the ack. */
  at: string;
  /** startsAt of the firing acked; a later firing (new startsAt) is not acked. */
  startsAt: string;
  comment?: string;
  /** Through what the ack came when not the API: `link` (an ack link in a notification). */
  via?: string;
  /** The Alertmanager silence created with the ack. */
  silence?: { id: string; endsAt: string };
}

/** The notification directory kept in Redis: who exists and which routes pick whom. */
export interface DirectoryDoc {
  users: UserConfig[];
  routes: RouteConfig[];
  mandatory: NotifyTarget[];
  /** Chat group robots (`robot:<name>` targets); absent in directories written before chat existed. */
  robots?: RobotConfig[];
  /** On-call schedules, each with its time zone filled in; absent in directories written before schedules existed. */
  schedules?: ScheduleConfig[];
  /** ISO time and author of the last change. */
  updatedAt?: string;
  updatedBy?: string;
}

/** The directory as stored, with its version (1 = the seed). */
export interface StoredDirectory {
  version: number;
  doc: DirectoryDoc;
}
