/** What every part of one target compiles against: its object model, names, errors. */
import type { ObjectModel } from '../lwm2m/model/types.js';
import type { ErrorSink, FieldPath } from './errors.js';
import { slugify, type ModelIndex } from './models.js';
import { compileTemplate, type CompiledTemplate, type ResourceInfo, type TemplateEnv } from './template.js';
import { compileTransform, transformProblem, type Transform } from './transform.js';
import type { Ref, TransformSpec } from './types.js';

export class TargetEnv {
  readonly resources: Map<number, ResourceInfo>;
  readonly objectSlug: string;

  constructor(
    readonly mapping: string,
    readonly object: ObjectModel,
    readonly index: ModelIndex,
    readonly sink: ErrorSink,
  ) {
    this.objectSlug = slugify(object.name);
    this.resources = new Map(
      [...object.resources.values()].map((r) => [r.id, { name: r.name, slug: slugify(r.name), unit: r.units, type: r.type }]),
    );
  }

  /** A resource id from a ref, or undefined after reporting the error at `path`. */
  resource(ref: Ref, path: FieldPath, atKey = false): number | undefined {
    const r = this.index.resource(this.object, ref);
    if (!r.ok) {
      this.sink.add(path, r.message, { atKey });
      return undefined;
    }
    return r.value.id;
  }

  resourceList(refs: Ref[] | undefined, path: FieldPath): number[] | undefined {
    if (!refs) return undefined;
    const out: number[] = [];
    refs.forEach((ref, i) => {
      const id = this.resource(ref, [...path, i]);
      if (id !== undefined && !out.includes(id)) out.push(id);
    });
    return out;
  }

  /** Compiles a transform after checking it fits the resources it will see. */
  transform(spec: TransformSpec | undefined, path: FieldPath, resourceIds: number[] | undefined): Transform | undefined {
    if (!spec) return undefined;
    for (const id of resourceIds ?? []) {
      const info = this.resources.get(id);
      const why = info ? transformProblem(spec, info.type) : undefined;
      if (why) {
        this.sink.add(path, `bad transform for resource ${id} (${info!.name}): ${why}`);
        return undefined;
      }
    }
    return compileTransform(spec);
  }

  template(
    text: string,
    path: FieldPath,
    options: { forbidden?: ReadonlyMap<string, string>; transformFor?: (id: number) => Transform | undefined; topic?: boolean },
  ): CompiledTemplate | undefined {
    const env: TemplateEnv = {
      objectId: this.object.id,
      objectName: this.object.name,
      objectSlug: this.objectSlug,
      objectVersion: this.object.version,
      mapping: this.mapping,
      resources: this.resources,
      resolveResource: (ref) => {
        const r = this.index.resource(this.object, ref);
        return r.ok ? r.value.id : r.message;
      },
      forbidden: options.forbidden,
      transformFor: options.transformFor ?? (() => undefined),
      topic: options.topic,
    };
    const out = compileTemplate(text, env);
    if (!out.ok) {
      for (const e of out.errors) this.sink.add(path, `bad template: ${e.message}`, { offsetInString: e.offset });
      return undefined;
    }
    return out.template;
  }
}
