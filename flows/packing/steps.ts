/**
 * The pre-departure checklist, in the order it is told. Drawn from the Sri
 * Lanka Red Cross pre-departure training, Cambodian and Myanmar Red Cross
 * outreach and the Philippine Red Cross Virtual Volunteer (facts.md §4, §7).
 * Each id is also the step's locale key in `packing.json`.
 */
export const PACKING_STEPS = [
  'documents',
  'copies',
  'memorise',
  'tellFamily',
  'ageId',
  'contract',
  'recruiter',
  'numbers',
] as const;

export type PackingStep = (typeof PACKING_STEPS)[number];
