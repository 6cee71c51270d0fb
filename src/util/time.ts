/** Milliseconds in a day. JavaScript time has no leap seconds, so a UTC day is exactly this long. */
export const DAY_MS = 86_400_000;
