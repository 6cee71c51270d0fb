import fc from 'fast-check';

/**
 * Generators of hostile input, shared by every entry point's fuzz test.
 *
 * JSON is built as text from a tree of our own, not with JSON.stringify of
 * objects: a JavaScript object cannot hold an own `__proto__` key (setting
 * one changes its prototype), and an attacker's JSON can, twice over.
 */
export type Json = null | boolean | number | string | Json[] | { entries: [string, Json][] };

export function jsonText(value: Json): string {
  if (value === null || typeof value !== 'object') {
    // JSON has no NaN or Infinity: a number that cannot be written is written as null, as JSON.stringify does.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
}

export const obj = (entries: Record<string, Json>): { entries: [string, Json][] } => ({ entries: Object.entries(entries) });

/** Keys that poison prototypes when code copies objects carelessly. */
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf'];

const CONTROL = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const INVISIBLE = fc.constantFrom('\u200b', '\u200d', '\u202e', '\u2066', '\u2069', '\ufeff', '\u00ad', '\u061c');

/** Strings people and attackers send: any code units (lone surrogates too), control and invisible characters, injections, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: CONTROL, minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: INVISIBLE, minLength: 1, maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(...POISON_KEYS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "'; DROP TABLE conversations; --",
      '<script>alert(1)</script>',
      '../../../../etc/passwd',
      '${process.exit(1)}',
      '{{constructor.constructor("return process")()}}',
      '%00%ff%c0%80',
      '\u0000',
      '',
      ' ',
      '-1',
      '1e309',
      'NaN',
      'null',
      'undefined',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 80_000 }).map((n) => 'ஃ'.repeat(n)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, -1, 0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, 5e-324),
);

/** Any JSON value, with hostile leaves and poisoned keys, a few levels deep. */
export const hostileJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...POISON_KEYS), hostileString), tie('value')), { maxLength: 4 })
      .map((entries) => ({ entries })),
  ),
})).value;

/** Hostile JSON that fastify's parser takes: no `__proto__` or `constructor` keys, which it refuses outright (400). */
export const parsableJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(hostileString.filter((k) => k !== '__proto__' && k !== 'constructor'), tie('value')), { maxLength: 4 })
      .map((entries) => ({ entries })),
  ),
})).value;

/** A value of another type than the one wanted (any but a string, for a string field). */
export const notAString: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  hostileNumber,
  fc.array(hostileJson, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), hostileJson, { maxKeys: 3 }).map((d) => obj(d as Record<string, Json>)),
);

/** JSON nested thousands of levels deep, sometimes with a poisoned key at the bottom. */
export const deepJson: fc.Arbitrary<string> = fc
  .record({ depth: fc.integer({ min: 500, max: 20_000 }), objects: fc.boolean(), poison: fc.boolean() })
  .map(({ depth, objects, poison }) => {
    const bottom = poison ? '{"__proto__":{"polluted":1}}' : '1';
    return objects ? '{"a":'.repeat(depth) + bottom + '}'.repeat(depth) : '['.repeat(depth) + bottom + ']'.repeat(depth);
  });

/** Byte sequences that are not UTF-8: stray continuation bytes, overlong forms, surrogates, cut sequences. */
const BAD_UTF8 = [[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];

/** A JSON text with invalid UTF-8 bytes put inside one of its strings. */
export function withBadBytes(text: string): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  return fc.record({ bad: fc.constantFrom(...BAD_UTF8), at: fc.nat() }).map(({ bad, at }) => {
    const quote = text.indexOf('"', at % Math.max(1, text.length));
    const cut = quote < 0 ? text.length : quote + 1;
    const bytes = Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from(bad), Buffer.from(text.slice(cut))]);
    return new Uint8Array(bytes);
  });
}

/** Content types that are not JSON (or are JSON in name only), as clients send them. */
export const notJsonContentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----x',
    'application/xml',
    'text/html',
    'application/octet-stream',
    'application/jsonp',
    'application/json-patch+json',
    'image/png',
    '*/*',
  ),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/+-.;= '.split('')), minLength: 1, maxLength: 30 })
    .filter((t) => !/^\s*application\/json\s*(;|$)/i.test(t) && t.trim() !== ''),
);

/** JSON that is not JSON: cut short, trailing garbage, single quotes, comments. */
export const brokenJson: fc.Arbitrary<string> = fc
  .oneof(
    hostileJson.map(jsonText).map((t) => t.slice(0, Math.max(0, t.length - 1)) || '{'),
    fc.constantFrom("{'a': 1}", '{"a": 1,}', '{"a": 1} trailing', '/* c */ {}', '{"a": undefined}', '[1, 2', '{"a"}', 'nul', '\u0000'),
  )
  .filter((text) => {
    // Cutting a number short ("12" → "1") can leave valid JSON: that is not broken.
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });
