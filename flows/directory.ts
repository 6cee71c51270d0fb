/**
 * What flows may know of a country: display-ready facts with their
 * verification flag, so a machine can pick "please check this number"
 * wording. The composition root adapts src/directory to this shape; flows
 * never read data files themselves.
 */

export interface NumberView {
  number: string;
  verified: boolean;
}

export interface LineView extends NumberView {
  /** What the line is for, as the source names it (English; names stay untranslated). */
  label: string;
  /** The body that runs it, a proper name. */
  body?: string;
}

export interface CountryView {
  code: string;
  /** The English name; flows show `countries:<code>` so it can be translated. */
  name: string;
  emergency?: {
    police: NumberView;
    ambulance: NumberView;
    fire: NumberView;
    /** Set when one number serves police, ambulance and fire. */
    single?: string;
    others: LineView[];
  };
  /** `movementMember: false` where the body is not a recognised Red Cross / Red Crescent society. */
  nationalSociety?: { name: string; website?: string; phone?: NumberView; movementMember?: boolean };
  passportLaw?: { forbidden: boolean; verified: boolean; laws: string[] };
  /** Where a worker in this country can complain about work. */
  labourLines: LineView[];
  /**
   * For a country of origin: its agency for overseas workers and its help
   * lines. Websites appear only where a source confirmed them.
   */
  origin?: { agency: string; website?: string; lines: LineView[] };
}

export interface CountryLookup {
  get(code: string | undefined): CountryView | undefined;
  /** Countries people go to work in, in menu order. */
  destinations(): readonly CountryView[];
  /** Countries people leave from, in menu order. */
  origins(): readonly CountryView[];
  /** A country code for typed text ("dubai", "Pinas"), or undefined. */
  match(text: string): string | undefined;
}

/** The dependencies every flow factory receives. */
export interface FlowDeps {
  countries: CountryLookup;
  /** Links that a National Society configures (first aid app, RFL site). */
  links: { firstAidApp: string; familyLinks: string };
}
