/** Friendly routes from the `rest` sections of mapping files (see docs/rest.md). */
import type { IRouter } from 'express';
import type { CompiledMappings } from '../../mapping/compiled.js';
import type { RestContext } from './context.js';

export function mappedRoutes(router: IRouter, rc: RestContext, mappings: () => CompiledMappings): void {
  void router;
  void rc;
  void mappings;
}
