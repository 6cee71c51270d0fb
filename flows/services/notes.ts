/**
 * Countries with something particular to say about their National Society,
 * each a `services:notes.<code>` text drawn from facts.md (§1b, §2a): Qatar's
 * health centres for labour migrants, Singapore's help to go home, and so on.
 * Oman and Taiwan are here so that the person learns, in the topic about the
 * Red Cross and Red Crescent, that the body listed is not a recognised member.
 */
export const SOCIETY_NOTES: ReadonlySet<string> = new Set([
  'AU',
  'HK',
  'ID',
  'KR',
  'MV',
  'NP',
  'NZ',
  'OM',
  'PH',
  'PK',
  'QA',
  'SA',
  'SG',
  'TW',
]);
