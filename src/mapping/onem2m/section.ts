/**
 * The `onem2m` sections of a mapping file (per target, and for the whole file): accepted
 * and kept as written for a oneM2M face, which is not built yet. The schema checks them
 * loosely (any object); this is what a oneM2M face's compiler will start from.
 */

/** A `onem2m` section as written: an object of fields, each any YAML value. */
export interface OneM2mSectionSpec {
  readonly [field: string]: unknown;
}

/** A compiled `onem2m` section: the fields as written (nothing is resolved yet). */
export interface CompiledOneM2mSection {
  readonly fields: OneM2mSectionSpec;
}

/** Compiles a `onem2m` section (today: keeps it as written; never an error). */
export function compileOneM2mSection(spec: OneM2mSectionSpec | undefined): CompiledOneM2mSection | undefined {
  return spec === undefined ? undefined : { fields: spec };
}
