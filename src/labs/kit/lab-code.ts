/**
 * The code a lab shows its readers lives in a linted file under
 * `src/cells/<chapter>/*.lab.js`, imported with `?raw`. A value the lab's
 * props decide (an endpoint, a rate) is written there as `__NAME__`, a valid
 * identifier wherever it stands, and filled in here at build time.
 */

const PLACEHOLDER = /__([A-Z][A-Z0-9_]*)__/g;

/**
 * `source` without its final newline and with every `__NAME__` replaced by
 * `values.NAME`. Throws when a placeholder has no value or a value no
 * placeholder, so the shown code and the lab's props cannot drift apart.
 */
export function labCode(source: string, values: Readonly<Record<string, string>> = {}): string {
  const used = new Set<string>();
  const filled = source.replace(/\n$/, '').replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`The lab code has ${placeholder} but no value was given for ${name}`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`The lab code has no placeholder for ${unused.map((name) => `__${name}__`).join(', ')}`);
  return filled;
}
