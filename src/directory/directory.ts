import {
  emergencyNumbers,
  labourLines,
  originLines,
  type ContactLine,
  type EmergencyNumbers,
} from './contacts';
import type { Country, NationalSociety, PassportLaw } from './schema';

/** The validated countries, in code order, with the look-ups the flows need. */
export class Directory {
  private readonly byCode = new Map<string, Country>();

  constructor(countries: readonly Country[]) {
    for (const c of [...countries].sort((a, b) => a.code.localeCompare(b.code))) {
      if (this.byCode.has(c.code)) throw new Error(`country ${c.code} is listed twice`);
      this.byCode.set(c.code, c);
    }
  }

  /** Case-insensitive, since codes also arrive from payloads and typed text. */
  get(code: string): Country | undefined {
    return this.byCode.get(code.trim().toUpperCase());
  }

  all(): Country[] {
    return [...this.byCode.values()];
  }

  destinations(): Country[] {
    return this.all().filter((c) => c.destination !== undefined);
  }

  origins(): Country[] {
    return this.all().filter((c) => c.origin !== undefined);
  }

  emergencyNumbersFor(code: string): EmergencyNumbers | undefined {
    const c = this.get(code);
    return c ? emergencyNumbers(c) : undefined;
  }

  nationalSocietyFor(code: string): NationalSociety | undefined {
    return this.get(code)?.nationalSociety;
  }

  labourLinesFor(code: string): ContactLine[] {
    const c = this.get(code);
    return c ? labourLines(c) : [];
  }

  originLinesFor(code: string): ContactLine[] {
    const c = this.get(code);
    return c ? originLines(c) : [];
  }

  passportLawFor(code: string): PassportLaw | undefined {
    return this.get(code)?.destination?.passportLaw;
  }
}
