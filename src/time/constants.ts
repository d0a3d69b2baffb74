/** Fixed lengths of time in milliseconds. Calendar units (months, quarters) are not fixed: see quarters.ts. */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** 365 days: the `y` of Prometheus durations, not a calendar year. */
export const YEAR = 365 * DAY;
