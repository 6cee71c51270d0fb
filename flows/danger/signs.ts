/**
 * The 11 ILO indicators of forced labour (ILO, 2012; facts.md §5), in three
 * groups a person can read one at a time: job and pay, freedom, harm. Each
 * id is also the message's locale key under `danger:signs`.
 *
 * job: deception, withholding of wages, debt bondage, excessive overtime,
 *      abusive working and living conditions
 * freedom: retention of identity documents, restriction of movement,
 *      isolation, abuse of vulnerability
 * harm: physical and sexual violence, intimidation and threats
 */
export const SIGN_GROUPS = ['job', 'freedom', 'harm'] as const;

export type SignGroup = (typeof SIGN_GROUPS)[number];
