import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { civilFromDays, daysFromCivil, fixedZone, goDate, LOCAL, loadLocation, UTC } from '../../src/expr/go-calendar.js';
import { formatGoTime } from '../../src/expr/go-time-format.js';
import { parseGoTime } from '../../src/expr/go-time-parse.js';

// Expected values are what Go 1.26's time package prints for the same inputs (Time.Format,
// time.Parse, time.ParseInLocation), checked when these tables were written.

interface FormatGroup {
  seconds: number;
  nanos: number;
  /** 'UTC', or a fixed zone's name ('' for a bare offset, as time.Parse makes). */
  zone: string;
  offset: number;
  cases: Array<[layout: string, expected: string]>;
}

const FORMATS: FormatGroup[] = [
  {
    seconds: 0,
    nanos: 0,
    zone: 'UTC',
    offset: 0,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Thu Jan  1 00:00:00 UTC 1970'],
      ['2006-01-02T15:04:05.999999999Z07:00', '1970-01-01T00:00:00Z'],
      ['3:04PM', '12:00AM'],
      ['2006', '1970'],
      ['06', '70'],
      ['Jan January 1 01', 'Jan January 1 01'],
      ['Mon Monday', 'Thu Thursday'],
      ['2 _2 02', '1  1 01'],
      ['__2 002', '  1 001'],
      ['15 3 03 4 04 5 05', '00 12 12 0 00 0 00'],
      ['PM pm', 'AM am'],
      ['MST', 'UTC'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', 'Z Z Z Z Z'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+00:00 +0000 +00 +000000 +00:00:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000000 .000000000     '],
    ],
  },
  {
    seconds: 1709647629,
    nanos: 123456789,
    zone: 'UTC',
    offset: 0,
    cases: [
      ["01/02 03:04:05PM '06 -0700", "03/05 02:07:09PM '24 +0000"],
      ['Mon Jan _2 15:04:05 2006', 'Tue Mar  5 14:07:09 2024'],
      ['Mon Jan _2 15:04:05 MST 2006', 'Tue Mar  5 14:07:09 UTC 2024'],
      ['Mon Jan 02 15:04:05 -0700 2006', 'Tue Mar 05 14:07:09 +0000 2024'],
      ['02 Jan 06 15:04 MST', '05 Mar 24 14:07 UTC'],
      ['02 Jan 06 15:04 -0700', '05 Mar 24 14:07 +0000'],
      ['Monday, 02-Jan-06 15:04:05 MST', 'Tuesday, 05-Mar-24 14:07:09 UTC'],
      ['Mon, 02 Jan 2006 15:04:05 MST', 'Tue, 05 Mar 2024 14:07:09 UTC'],
      ['Mon, 02 Jan 2006 15:04:05 -0700', 'Tue, 05 Mar 2024 14:07:09 +0000'],
      ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09Z'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2024-03-05T14:07:09.123456789Z'],
      ['3:04PM', '2:07PM'],
      ['Jan _2 15:04:05', 'Mar  5 14:07:09'],
      ['Jan _2 15:04:05.000', 'Mar  5 14:07:09.123'],
      ['Jan _2 15:04:05.000000', 'Mar  5 14:07:09.123456'],
      ['Jan _2 15:04:05.000000000', 'Mar  5 14:07:09.123456789'],
      ['2006-01-02 15:04:05', '2024-03-05 14:07:09'],
      ['2006-01-02', '2024-03-05'],
      ['15:04:05', '14:07:09'],
      ['2006', '2024'],
      ['06', '24'],
      ['Jan January 1 01', 'Mar March 3 03'],
      ['Mon Monday', 'Tue Tuesday'],
      ['2 _2 02', '5  5 05'],
      ['__2 002', ' 65 065'],
      ['15 3 03 4 04 5 05', '14 2 02 7 07 9 09'],
      ['PM pm', 'PM pm'],
      ['MST', 'UTC'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', 'Z Z Z Z Z'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+00:00 +0000 +00 +000000 +00:00:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.1 .12 .123 .123456 .123456789 .1 .12 .123 .123456 .123456789'],
      [',000 ,999', ',123 ,123'],
      ['05.000 05,999999', '09.123 09,123456'],
      ['Janet Monk Mondays', 'Janet Monk Tuesdays'],
      ['_2006 __2006 2006_2', '_2024  65024 2024 5'],
      ['1.0.2', '3.1.5'],
      ['x.000y', 'x.123y'],
      ['010203', '030502'],
      ['Jan2006-01-02T15:04:05.999999999Z07:00', 'Mar2024-03-05T14:07:09.123456789Z'],
      ['hello', 'hello'],
      ['', ''],
      ['3:04PM on Monday, January 2', '2:07PM on Tuesday, March 5'],
      ['2006-002', '2024-065'],
      ['.0000000000', '.123456789'],
      ['Z07', 'Z'],
      ['MSTMST', 'UTCUTC'],
    ],
  },
  {
    seconds: 1709647629,
    nanos: 120000000,
    zone: '',
    offset: 19800,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Tue Mar  5 19:37:09 +0530 2024'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2024-03-05T19:37:09.12+05:30'],
      ['3:04PM', '7:37PM'],
      ['2006', '2024'],
      ['06', '24'],
      ['Jan January 1 01', 'Mar March 3 03'],
      ['Mon Monday', 'Tue Tuesday'],
      ['2 _2 02', '5  5 05'],
      ['__2 002', ' 65 065'],
      ['15 3 03 4 04 5 05', '19 7 07 37 37 9 09'],
      ['PM pm', 'PM pm'],
      ['MST', '+0530'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', '+05:30 +0530 +05 +053000 +05:30:00'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+05:30 +0530 +05 +053000 +05:30:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.1 .12 .120 .120000 .120000000 .1 .12 .12 .12 .12'],
    ],
  },
  {
    seconds: 1704067199,
    nanos: 999999999,
    zone: 'EST',
    offset: -18000,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Sun Dec 31 18:59:59 EST 2023'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2023-12-31T18:59:59.999999999-05:00'],
      ['3:04PM', '6:59PM'],
      ['2006', '2023'],
      ['06', '23'],
      ['Jan January 1 01', 'Dec December 12 12'],
      ['Mon Monday', 'Sun Sunday'],
      ['2 _2 02', '31 31 31'],
      ['__2 002', '365 365'],
      ['15 3 03 4 04 5 05', '18 6 06 59 59 59 59'],
      ['PM pm', 'PM pm'],
      ['MST', 'EST'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', '-05:00 -0500 -05 -050000 -05:00:00'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '-05:00 -0500 -05 -050000 -05:00:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.9 .99 .999 .999999 .999999999 .9 .99 .999 .999999 .999999999'],
    ],
  },
  {
    seconds: 951782400,
    nanos: 1000,
    zone: '',
    offset: -12600,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Mon Feb 28 20:30:00 -0330 2000'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2000-02-28T20:30:00.000001-03:30'],
      ['3:04PM', '8:30PM'],
      ['2006', '2000'],
      ['06', '00'],
      ['Jan January 1 01', 'Feb February 2 02'],
      ['Mon Monday', 'Mon Monday'],
      ['2 _2 02', '28 28 28'],
      ['__2 002', ' 59 059'],
      ['15 3 03 4 04 5 05', '20 8 08 30 30 0 00'],
      ['PM pm', 'PM pm'],
      ['MST', '-0330'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', '-03:30 -0330 -03 -033000 -03:30:00'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '-03:30 -0330 -03 -033000 -03:30:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000001 .000001000    .000001 .000001'],
    ],
  },
  {
    seconds: -62135596800,
    nanos: 0,
    zone: 'UTC',
    offset: 0,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Mon Jan  1 00:00:00 UTC 0001'],
      ['2006-01-02T15:04:05.999999999Z07:00', '0001-01-01T00:00:00Z'],
      ['3:04PM', '12:00AM'],
      ['2006', '0001'],
      ['06', '01'],
      ['Jan January 1 01', 'Jan January 1 01'],
      ['Mon Monday', 'Mon Monday'],
      ['2 _2 02', '1  1 01'],
      ['__2 002', '  1 001'],
      ['15 3 03 4 04 5 05', '00 12 12 0 00 0 00'],
      ['PM pm', 'AM am'],
      ['MST', 'UTC'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', 'Z Z Z Z Z'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+00:00 +0000 +00 +000000 +00:00:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000000 .000000000     '],
    ],
  },
  {
    seconds: 1735689599,
    nanos: 5,
    zone: '',
    offset: 3661,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Wed Jan  1 01:01:00 +0101 2025'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2025-01-01T01:01:00.000000005+01:01'],
      ['3:04PM', '1:01AM'],
      ['2006', '2025'],
      ['06', '25'],
      ['Jan January 1 01', 'Jan January 1 01'],
      ['Mon Monday', 'Wed Wednesday'],
      ['2 _2 02', '1  1 01'],
      ['__2 002', '  1 001'],
      ['15 3 03 4 04 5 05', '01 1 01 1 01 0 00'],
      ['PM pm', 'AM am'],
      ['MST', '+0101'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', '+01:01 +0101 +01 +010101 +01:01:01'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+01:01 +0101 +01 +010101 +01:01:01'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000000 .000000005     .000000005'],
    ],
  },
  {
    seconds: 1700000000,
    nanos: 0,
    zone: 'PM',
    offset: 45900,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Wed Nov 15 10:58:20 PM 2023'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2023-11-15T10:58:20+12:45'],
      ['3:04PM', '10:58AM'],
      ['2006', '2023'],
      ['06', '23'],
      ['Jan January 1 01', 'Nov November 11 11'],
      ['Mon Monday', 'Wed Wednesday'],
      ['2 _2 02', '15 15 15'],
      ['__2 002', '319 319'],
      ['15 3 03 4 04 5 05', '10 10 10 58 58 20 20'],
      ['PM pm', 'AM am'],
      ['MST', 'PM'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', '+12:45 +1245 +12 +124500 +12:45:00'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+12:45 +1245 +12 +124500 +12:45:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000000 .000000000     '],
    ],
  },
  {
    seconds: -1,
    nanos: 0,
    zone: 'UTC',
    offset: 0,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Wed Dec 31 23:59:59 UTC 1969'],
      ['2006-01-02T15:04:05.999999999Z07:00', '1969-12-31T23:59:59Z'],
      ['3:04PM', '11:59PM'],
      ['2006', '1969'],
      ['06', '69'],
      ['Jan January 1 01', 'Dec December 12 12'],
      ['Mon Monday', 'Wed Wednesday'],
      ['2 _2 02', '31 31 31'],
      ['__2 002', '365 365'],
      ['15 3 03 4 04 5 05', '23 11 11 59 59 59 59'],
      ['PM pm', 'PM pm'],
      ['MST', 'UTC'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', 'Z Z Z Z Z'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+00:00 +0000 +00 +000000 +00:00:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000000 .000000000     '],
    ],
  },
  {
    seconds: 4107542400,
    nanos: 0,
    zone: 'UTC',
    offset: 0,
    cases: [
      ['Mon Jan _2 15:04:05 MST 2006', 'Mon Mar  1 00:00:00 UTC 2100'],
      ['2006-01-02T15:04:05.999999999Z07:00', '2100-03-01T00:00:00Z'],
      ['3:04PM', '12:00AM'],
      ['2006', '2100'],
      ['06', '00'],
      ['Jan January 1 01', 'Mar March 3 03'],
      ['Mon Monday', 'Mon Monday'],
      ['2 _2 02', '1  1 01'],
      ['__2 002', ' 60 060'],
      ['15 3 03 4 04 5 05', '00 12 12 0 00 0 00'],
      ['PM pm', 'AM am'],
      ['MST', 'UTC'],
      ['Z07:00 Z0700 Z07 Z070000 Z07:00:00', 'Z Z Z Z Z'],
      ['-07:00 -0700 -07 -070000 -07:00:00', '+00:00 +0000 +00 +000000 +00:00:00'],
      ['.0 .00 .000 .000000 .000000000 .9 .99 .999 .999999 .999999999', '.0 .00 .000 .000000 .000000000     '],
    ],
  },
];

describe('formatGoTime (Go Time.Format)', () => {
  for (const group of FORMATS) {
    const location = group.zone === 'UTC' ? UTC : fixedZone(group.zone, group.offset);
    for (const [layout, expected] of group.cases) {
      test(`${group.seconds}.${group.nanos} ${group.zone || 'offset'}${group.offset} ${JSON.stringify(layout)}`, () => {
        assert.equal(formatGoTime(layout, { seconds: group.seconds, nanos: group.nanos, location }), expected);
      });
    }
  }

  test('IANA zones through Intl: abbreviation and offset follow daylight saving', () => {
    const layout = '2006-01-02 15:04 MST -07:00';
    const winter = { seconds: 1704067200, nanos: 0 }; // 2024-01-01T00:00:00Z
    const summer = { seconds: 1719792000, nanos: 0 }; // 2024-07-01T00:00:00Z
    const newYork = loadLocation('America/New_York');
    assert.equal(formatGoTime(layout, { ...winter, location: newYork }), '2023-12-31 19:00 EST -05:00');
    assert.equal(formatGoTime(layout, { ...summer, location: newYork }), '2024-06-30 20:00 EDT -04:00');
    const paris = loadLocation('Europe/Paris');
    assert.equal(formatGoTime('15:04 -07:00', { ...winter, location: paris }), '01:00 +01:00');
    assert.equal(formatGoTime('15:04 -07:00', { ...summer, location: paris }), '02:00 +02:00');
    assert.equal(formatGoTime('15:04 Z07:00', { ...summer, location: loadLocation('Asia/Kolkata') }), '05:30 +05:30');
  });
});

// [layout, value, ParseInLocation zone ('' = time.Parse), 'unix nanos formatted' or undefined, Go's error or undefined]
const PARSES: Array<[string, string, string, string | undefined, string | undefined]> = [
  ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09Z', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 UTC', undefined],
  ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09.123456789Z', '', '1709647629 123456789 2024-03-05T14:07:09.123456789 +00:00:00 UTC', undefined],
  ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09.1234567891234Z', '', '1709647629 123456789 2024-03-05T14:07:09.123456789 +00:00:00 UTC', undefined],
  ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09,5+05:30', '', '1709627829 500000000 2024-03-05T14:07:09.5 +05:30:00 +0530', undefined],
  ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09-00:00', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 UTC', undefined],
  ['2006-01-02T15:04:05Z07:00', '2024-03-05T14:07:09+00:00', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 UTC', undefined],
  [
    '2006-01-02T15:04:05Z07:00',
    '2024-03-05 14:07:09Z',
    '',
    undefined,
    'parsing time "2024-03-05 14:07:09Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 14:07:09Z" as "T"',
  ],
  ['2006-01-02T15:04:05Z07:00', '2024-13-05T14:07:09Z', '', undefined, 'parsing time "2024-13-05T14:07:09Z": month out of range'],
  ['2006-01-02T15:04:05Z07:00', '2024-02-30T14:07:09Z', '', undefined, 'parsing time "2024-02-30T14:07:09Z": day out of range'],
  ['2006-01-02T15:04:05Z07:00', '2024-02-29T24:07:09Z', '', undefined, 'parsing time "2024-02-29T24:07:09Z": hour out of range'],
  ['2006-01-02T15:04:05Z07:00', '2024-02-29T23:60:09Z', '', undefined, 'parsing time "2024-02-29T23:60:09Z": minute out of range'],
  ['2006-01-02T15:04:05Z07:00', '2024-02-29T23:07:60Z', '', undefined, 'parsing time "2024-02-29T23:07:60Z": second out of range'],
  ['2006-01-02T15:04:05Z07:00', '2024-02-29T23:07:09+25:00', '', undefined, 'parsing time "2024-02-29T23:07:09+25:00": time zone offset hour out of range'],
  ['2006-01-02T15:04:05Z07:00', '2024-02-29T23:07:09Zextra', '', undefined, 'parsing time "2024-02-29T23:07:09Zextra": extra text: "extra"'],
  [
    '2006-01-02T15:04:05Z07:00',
    '24-02-29T23:07:09Z',
    '',
    undefined,
    'parsing time "24-02-29T23:07:09Z" as "2006-01-02T15:04:05Z07:00": cannot parse "24-02-29T23:07:09Z" as "2006"',
  ],
  ['2006-01-02T15:04:05.999999999Z07:00', '2024-02-29T23:07:09.5Z', '', '1709248029 500000000 2024-02-29T23:07:09.5 +00:00:00 UTC', undefined],
  ['2006-01-02T15:04:05.999999999Z07:00', '2024-02-29T23:07:09Z', '', '1709248029 0 2024-02-29T23:07:09 +00:00:00 UTC', undefined],
  [
    '2006-01-02T15:04:05.000Z',
    '2024-02-29T23:07:09.12Z',
    '',
    undefined,
    'parsing time "2024-02-29T23:07:09.12Z" as "2006-01-02T15:04:05.000Z": cannot parse ".12Z" as ".000"',
  ],
  ['2006-01-02T15:04:05.000Z', '2024-02-29T23:07:09.123Z', '', '1709248029 123000000 2024-02-29T23:07:09.123 +00:00:00 UTC', undefined],
  ['2006-01-02', '2024-03-01', '', '1709251200 0 2024-03-01T00:00:00 +00:00:00 UTC', undefined],
  ['2006-01-02', '2024-3-01', '', undefined, 'parsing time "2024-3-01" as "2006-01-02": cannot parse "3-01" as "01"'],
  ['2006-1-2', '2024-3-1', '', '1709251200 0 2024-03-01T00:00:00 +00:00:00 UTC', undefined],
  ['2006', '0999', '', '-30641760000 0 0999-01-01T00:00:00 +00:00:00 UTC', undefined],
  ['06', '68', '', '3092601600 0 2068-01-01T00:00:00 +00:00:00 UTC', undefined],
  ['06', '69', '', '-31536000 0 1969-01-01T00:00:00 +00:00:00 UTC', undefined],
  ['Jan 2, 2006', 'mar 5, 2024', '', '1709596800 0 2024-03-05T00:00:00 +00:00:00 UTC', undefined],
  ['January _2 2006', 'March  5 2024', '', '1709596800 0 2024-03-05T00:00:00 +00:00:00 UTC', undefined],
  ['Monday, 02-Jan-06 15:04:05 MST', 'Tuesday, 05-Mar-24 14:07:09 PST', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 PST', undefined],
  ['Monday, 02-Jan-06 15:04:05 MST', 'Tuesday, 05-Mar-24 14:07:09 UTC', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 UTC', undefined],
  ['Mon, 02 Jan 2006 15:04:05 MST', 'Tue, 05 Mar 2024 14:07:09 GMT+3', '', '1709647629 0 2024-03-05T17:07:09 +03:00:00 GMT+3', undefined],
  ['Mon Jan 2 15:04:05 MST 2006', 'Tue Mar 5 14:07:09 CEST 2024', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 CEST', undefined],
  ['Mon Jan 2 15:04:05 MST 2006', 'Tue Mar 5 14:07:09 +03 2024', '', '1709647629 0 2024-03-05T14:07:09 +00:00:00 +03', undefined],
  [
    'Mon Jan 2 15:04:05 MST 2006',
    'Tue Mar 5 14:07:09 xy 2024',
    '',
    undefined,
    'parsing time "Tue Mar 5 14:07:09 xy 2024" as "Mon Jan 2 15:04:05 MST 2006": cannot parse "xy 2024" as "MST"',
  ],
  ['3:04PM', '12:30AM', '', '-62167217400 0 0000-01-01T00:30:00 +00:00:00 UTC', undefined],
  ['3:04PM', '12:30PM', '', '-62167174200 0 0000-01-01T12:30:00 +00:00:00 UTC', undefined],
  ['3:04PM', '1:30PM', '', '-62167170600 0 0000-01-01T13:30:00 +00:00:00 UTC', undefined],
  ['3:04pm', '1:30PM', '', undefined, 'parsing time "1:30PM" as "3:04pm": cannot parse "PM" as "pm"'],
  ['03:04 PM', '13:30 PM', '', undefined, 'parsing time "13:30 PM": hour out of range'],
  ['2006-002', '2024-060', '', '1709164800 0 2024-02-29T00:00:00 +00:00:00 UTC', undefined],
  ['2006-002', '2023-060', '', '1677628800 0 2023-03-01T00:00:00 +00:00:00 UTC', undefined],
  ['2006-002', '2024-366', '', '1735603200 0 2024-12-31T00:00:00 +00:00:00 UTC', undefined],
  ['2006-002', '2023-366', '', undefined, 'parsing time "2023-366": day-of-year out of range'],
  ['2006 __2', '2024  61', '', '1709251200 0 2024-03-01T00:00:00 +00:00:00 UTC', undefined],
  ['2006-01-02 002', '2024-03-01 061', '', '1709251200 0 2024-03-01T00:00:00 +00:00:00 UTC', undefined],
  ['2006-01-02 002', '2024-03-02 061', '', undefined, 'parsing time "2024-03-02 061": day-of-year does not match day'],
  ['15:04:05', '14:07:09', '', '-62167168371 0 0000-01-01T14:07:09 +00:00:00 UTC', undefined],
  ['15:04:05', '14:07:09.25', '', '-62167168371 250000000 0000-01-01T14:07:09.25 +00:00:00 UTC', undefined],
  ['15:04:05.999', '14:07:09', '', '-62167168371 0 0000-01-01T14:07:09 +00:00:00 UTC', undefined],
  ['2006-01-02 15:04 -0700', '2024-03-05 14:07 -0830', '', '1709678220 0 2024-03-05T14:07:00 -08:30:00 -0830', undefined],
  ['2006-01-02 15:04 -07', '2024-03-05 14:07 +01', '', '1709644020 0 2024-03-05T14:07:00 +01:00:00 +0100', undefined],
  ['2006-01-02 15:04 Z07:00:00', '2024-03-05 14:07 +01:02:03', '', '1709643897 0 2024-03-05T14:07:00 +01:02:03 +0102', undefined],
  ['2006-01-02 15:04 -070000', '2024-03-05 14:07 -010203', '', '1709651343 0 2024-03-05T14:07:00 -01:02:03 -0102', undefined],
  [
    '2006-01-02 15:04 -07:00',
    '2024-03-05 14:07 Z',
    '',
    undefined,
    'parsing time "2024-03-05 14:07 Z" as "2006-01-02 15:04 -07:00": cannot parse "Z" as "-07:00"',
  ],
  ['2006-01-02  15:04', '2024-03-05 14:07', '', '1709647620 0 2024-03-05T14:07:00 +00:00:00 UTC', undefined],
  ['2006-01-02 15:04', '2024-03-05    14:07', '', '1709647620 0 2024-03-05T14:07:00 +00:00:00 UTC', undefined],
  ['2006-01-02', '', '', undefined, 'parsing time "" as "2006-01-02": cannot parse "" as "2006"'],
  ['2006-01-02', '2024-03-05 "é"', '', undefined, 'parsing time "2024-03-05 \\"\\xc3\\xa9\\"": extra text: " \\"\\xc3\\xa9\\""'],
  ['2006-01-02', '2024-03-05', 'Europe/Paris', '1709593200 0 2024-03-05T00:00:00 +01:00:00 CET', undefined],
  ['2006-01-02 15:04', '2024-07-05 14:07', 'Europe/Paris', '1720181220 0 2024-07-05T14:07:00 +02:00:00 CEST', undefined],
  ['2006-01-02 15:04 MST', '2024-07-05 14:07 CEST', 'Europe/Paris', '1720181220 0 2024-07-05T14:07:00 +02:00:00 CEST', undefined],
  ['2006-01-02 15:04 MST', '2024-01-05 14:07 EDT', 'America/New_York', '1704478020 0 2024-01-05T13:07:00 -05:00:00 EST', undefined],
  ['2006-01-02 15:04 -07:00', '2024-07-05 14:07 +02:00', 'Europe/Paris', '1720181220 0 2024-07-05T14:07:00 +02:00:00 CEST', undefined],
  ['2006-01-02 15:04', '2024-03-31 02:30', 'Europe/Paris', '1711848600 0 2024-03-31T03:30:00 +02:00:00 CEST', undefined],
  ['2006-01-02 15:04', '2024-10-27 02:30', 'Europe/Paris', '1729992600 0 2024-10-27T02:30:00 +01:00:00 CET', undefined],
  ['2006-01-02 15:04', '2024-03-10 02:30', 'America/New_York', '1710052200 0 2024-03-10T01:30:00 -05:00:00 EST', undefined],
  ['2006-01-02 15:04', '2024-11-03 01:30', 'America/New_York', '1730611800 0 2024-11-03T01:30:00 -04:00:00 EDT', undefined],
];

describe('parseGoTime (Go time.Parse / ParseInLocation)', () => {
  for (const [layout, value, zone, expected, error] of PARSES) {
    test(`${JSON.stringify(layout)} ← ${JSON.stringify(value)}${zone ? ` in ${zone}` : ''}`, () => {
      const parse = (): string => {
        const location = zone ? loadLocation(zone) : undefined;
        const t = location ? parseGoTime(layout, value, location, location) : parseGoTime(layout, value, UTC, LOCAL);
        return `${t.seconds} ${t.nanos} ${formatGoTime('2006-01-02T15:04:05.999999999 -07:00:00 MST', t)}`;
      };
      if (error !== undefined) assert.throws(parse, (e: unknown) => e instanceof Error && e.message === error);
      else assert.equal(parse(), expected);
    });
  }
});

describe('calendar', () => {
  test('daysFromCivil and civilFromDays are inverse across eras and leap years', () => {
    for (const days of [-719_468, -719_162, -1, 0, 59, 60, 11_016, 19_782, 2_932_896, 1e7]) {
      const { year, month, day } = civilFromDays(days);
      assert.equal(daysFromCivil(year, month, day), days);
    }
    assert.deepEqual(civilFromDays(19_782), { year: 2024, month: 2, day: 29 });
    assert.deepEqual(civilFromDays(-719_162), { year: 1, month: 1, day: 1 });
  });

  test("goDate carries out-of-range fields as Go's time.Date", () => {
    const layout = '2006-01-02T15:04:05.999999999Z07:00';
    assert.equal(formatGoTime(layout, goDate(2024, 13, 1, 0, 0, 0, 0, UTC)), '2025-01-01T00:00:00Z');
    assert.equal(formatGoTime(layout, goDate(2024, 3, 0, 0, 0, 0, 0, UTC)), '2024-02-29T00:00:00Z');
    assert.equal(formatGoTime(layout, goDate(2024, 1, 1, 25, 61, 61, 1_500_000_000, UTC)), '2024-01-02T02:02:02.5Z');
    assert.equal(formatGoTime(layout, goDate(2024, 1, 1, 0, 0, -1, 0, UTC)), '2023-12-31T23:59:59Z');
  });
});

describe('loadLocation (Go time.LoadLocation)', () => {
  test('UTC, Local and the empty name need no tz database', () => {
    assert.equal(loadLocation('').name, 'UTC');
    assert.equal(loadLocation('UTC').name, 'UTC');
    assert.equal(loadLocation('Local').name, 'Local');
  });

  test("unknown names fail with Go's message; case matters as in zone file names", () => {
    for (const name of ['Mars/Olympus', 'europe/paris', '+01:00', '../etc/passwd', '/etc/localtime']) {
      assert.throws(() => loadLocation(name), new RegExp(`^Error: unknown time zone ${name.replace(/[.+/]/g, '\\$&')}$`));
    }
  });
});
