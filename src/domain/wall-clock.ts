/**
 * Wall-clock time in a named zone, from the tz database through Intl: ShipStation's Pacific
 * dates and the seller's ship dates both need it, with the same care for DST nights.
 */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The cached formatter for a zone; throws RangeError for a zone Intl does not know. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** true when Intl knows the zone (`America/Los_Angeles`, `UTC`); false for typos. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at an instant. Throws RangeError for an unknown zone. */
export function wallAt(epochMs: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    // Some ICU builds print midnight as 24 even with h23.
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    ms: ((epochMs % 1000) + 1000) % 1000,
  };
}

/** The wall clock read as if it were UTC: differences against the real instant give the offset. */
export const wallAsUtc = (w: Wall): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.ms);

/** Offset of the zone from UTC at an instant, in milliseconds (positive east of Greenwich). */
function offsetAt(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallAsUtc(wallAt(whole, timeZone)) - whole;
}

/**
 * The instant a wall-clock time names in a zone. In the repeated fall-back hour, the first pass;
 * in the skipped spring-forward hour, the instant as many minutes after the gap began.
 */
export function wallToEpoch(w: Wall, timeZone: string): number {
  const asUtc = wallAsUtc(w);
  // No zone changes its offset twice within a day, so the offsets half a day either side
  // are the only two that can apply.
  const before = offsetAt(asUtc - 14 * 3600_000, timeZone);
  const after = offsetAt(asUtc + 14 * 3600_000, timeZone);
  const fits = [asUtc - before, asUtc - after].filter((t) => wallAsUtc(wallAt(t, timeZone)) === asUtc);
  return fits.length > 0 ? Math.min(...fits) : asUtc - before;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDay(epochMs: number, timeZone: string): string {
  const w = wallAt(epochMs, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Formats an instant as `YYYY-MM-DDTHH:mm:ss±HH:MM` in a zone (whole seconds). */
export function isoInZone(epochMs: number, timeZone: string): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const w = wallAt(whole, timeZone);
  const offsetMin = Math.round((wallAsUtc(w) - whole) / 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
