import { describe, expect, it } from 'vitest';
import { fromShipStationDate, fromShipStationDay, toShipStationDate } from '../../src/shipstation/dates';

// US Pacific DST in 2024: clocks jump 02:00 PST → 03:00 PDT on 10 March (10:00 UTC) and fall
// back 02:00 PDT → 01:00 PST on 3 November (09:00 UTC).
describe('toShipStationDate', () => {
  it.each([
    ['winter, PST is UTC-8', '2024-01-15T20:00:00Z', '2024-01-15T12:00:00.0000000'],
    ['summer, PDT is UTC-7', '2024-07-04T19:30:15Z', '2024-07-04T12:30:15.0000000'],
    ['last second before spring forward', '2024-03-10T09:59:59Z', '2024-03-10T01:59:59.0000000'],
    ['first second after spring forward', '2024-03-10T10:00:00Z', '2024-03-10T03:00:00.0000000'],
    ['first pass through the repeated hour (PDT)', '2024-11-03T08:30:00Z', '2024-11-03T01:30:00.0000000'],
    ['second pass through the repeated hour (PST)', '2024-11-03T09:30:00Z', '2024-11-03T01:30:00.0000000'],
    ['after fall back', '2024-11-03T10:00:00Z', '2024-11-03T02:00:00.0000000'],
    ['another offset in the input', '2024-12-31T23:30:00-05:00', '2024-12-31T20:30:00.0000000'],
    ['UTC new year is still the old year in Pacific', '2024-01-01T07:59:59Z', '2023-12-31T23:59:59.0000000'],
    ['milliseconds are kept', '2024-06-01T00:00:00.123Z', '2024-05-31T17:00:00.1230000'],
    ['midnight prints as 00, not 24', '2024-02-01T08:00:00Z', '2024-02-01T00:00:00.0000000'],
  ])('%s', (_name, iso, expected) => {
    expect(toShipStationDate(iso)).toBe(expected);
  });

  it('rejects a string that is not a date', () => {
    expect(() => toShipStationDate('tomorrow')).toThrow(expect.objectContaining({ code: 'order.malformed' }));
  });
});

describe('fromShipStationDate', () => {
  it.each([
    ['ShipStation ISO form in winter', '2024-01-15T12:00:00.0000000', '2024-01-15T20:00:00.000Z'],
    ['ShipStation ISO form in summer', '2024-07-04T12:30:15.0000000', '2024-07-04T19:30:15.000Z'],
    ['fraction digits beyond ms are dropped', '2024-07-04T12:30:15.1234567', '2024-07-04T19:30:15.123Z'],
    ['the repeated fall-back hour resolves to its first (PDT) pass', '2024-11-03T01:30:00.0000000', '2024-11-03T08:30:00.000Z'],
    ['a time inside the skipped spring hour is read as PST', '2024-03-10T02:30:00', '2024-03-10T10:30:00.000Z'],
    ['just after spring forward', '2024-03-10T03:00:00', '2024-03-10T10:00:00.000Z'],
    ['.NET US form, PM, summer', '6/28/2015 5:46:27 PM', '2015-06-29T00:46:27.000Z'],
    ['.NET US form, 12 AM is midnight', '12/1/2014 12:05:00 AM', '2014-12-01T08:05:00.000Z'],
    ['space-separated query form', '2015-01-01 00:00:00', '2015-01-01T08:00:00.000Z'],
    ['date only means Pacific midnight', '2014-12-01', '2014-12-01T08:00:00.000Z'],
    ['a string with an offset is taken as is', '2024-01-15T20:00:00Z', '2024-01-15T20:00:00.000Z'],
  ])('%s', (_name, input, expected) => {
    expect(fromShipStationDate(input)).toBe(expected);
  });

  it('rejects a string that is not a date', () => {
    expect(() => fromShipStationDate('n/a')).toThrow(expect.objectContaining({ code: 'shipstation.unparseable' }));
  });

  it('round-trips every 7 minutes across both 2024 DST days, outside the repeated hour', () => {
    const repeatedPst = [Date.parse('2024-11-03T09:00:00Z'), Date.parse('2024-11-03T10:00:00Z')] as const;
    for (const day of ['2024-03-09T12:00:00Z', '2024-11-02T12:00:00Z']) {
      const start = Date.parse(day);
      for (let t = start; t < start + 36 * 3_600_000; t += 7 * 60_000) {
        if (t >= repeatedPst[0] && t < repeatedPst[1]) continue;
        const iso = new Date(t).toISOString();
        expect(fromShipStationDate(toShipStationDate(iso))).toBe(iso);
      }
    }
  });
});

describe('fromShipStationDay', () => {
  it.each([
    ['shipment form', '2014-10-03', '2014-10-03'],
    ['fulfillment form, Pacific midnight', '2016-06-07T00:00:00', '2016-06-07'],
    ['seven fraction digits', '2016-06-07T00:00:00.0000000', '2016-06-07'],
    ['.NET US form', '6/7/2016 12:00:00 AM', '2016-06-07'],
    ['a late Pacific hour is not moved to the next UTC day', '2024-11-03T23:30:00', '2024-11-03'],
    ['the spring-forward day', '2024-03-10', '2024-03-10'],
    ['the fall-back day', '2024-11-03T01:30:00', '2024-11-03'],
    ['leap day', '2024-02-29', '2024-02-29'],
  ])('%s', (_name, input, expected) => {
    expect(fromShipStationDay(input)).toBe(expected);
  });

  it.each([['not a date', 'soon'], ['31 April', '2024-04-31'], ['29 February of a common year', '2023-02-29'], ['month 13', '2024-13-01']])(
    'rejects %s',
    (_name, input) => {
      expect(() => fromShipStationDay(input)).toThrow(expect.objectContaining({ code: 'shipstation.unparseable' }));
    },
  );
});
