import { gradeCOnlyFacts, leftOut, missingFields, unverifiedFacts, type FactRow, type MissingRow } from './audit';
import { DEFAULT_DATA_DIR, loadDirectory } from './load';

/**
 * Checks the country directory: `tsx src/directory/check.ts [folder]`.
 * Prints what a reviewer must re-check before release; exits 1 when a file is invalid.
 */
export function runCheck(dir: string, print: (line: string) => void): number {
  let directory;
  try {
    directory = loadDirectory(dir);
  } catch (err) {
    print(`INVALID ${(err as Error).message}`);
    return 1;
  }
  const all = directory.all();
  print(`Directory: ${dir}`);
  print(
    `${all.length} countries: ${directory.destinations().length} destinations, ${directory.origins().length} origins`,
  );
  print(`  destinations: ${directory.destinations().map((c) => c.code).join(' ')}`);
  print(`  origins: ${directory.origins().map((c) => c.code).join(' ')}`);

  const facts = (rows: FactRow[]): void => rows.forEach((r) => print(`  ${r.code}  ${r.field} = ${r.value}  -- ${r.reason}`));
  const gaps = (rows: MissingRow[]): void =>
    rows.forEach((r) => print(`  ${r.code}  ${r.field}${r.reason ? `  -- ${r.reason}` : ''}`));

  const unverified = all.flatMap(unverifiedFacts);
  print('');
  print(`Unverified values (${unverified.length}):`);
  facts(unverified);

  const gradeC = all.flatMap(gradeCOnlyFacts);
  print('');
  print(`Counted as verified but resting on one grade C source (${gradeC.length}):`);
  facts(gradeC);

  const missing = all.flatMap(missingFields);
  print('');
  print(`Missing optional fields (${missing.length}):`);
  gaps(missing);

  const shown = new Set(missing.map((m) => `${m.code} ${m.field}`));
  const other = all.flatMap(leftOut).filter((g) => !shown.has(`${g.code} ${g.field}`));
  print('');
  print(`Other facts left out (${other.length}):`);
  gaps(other);
  return 0;
}

if (require.main === module) {
  process.exitCode = runCheck(process.argv[2] ?? DEFAULT_DATA_DIR, (line) => console.log(line));
}
