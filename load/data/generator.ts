import { Random } from './random.ts';

/** The one problem a defect causes, as the pipeline's validator reports it. */
export interface ExpectedRejection {
  /** The field ingest names, nested ones by path (`lines[0].quantity`). */
  readonly field: string;
  /** The kind of reason (a rejection kind of @docpipe/pipeline); ingest's metrics count by it. */
  readonly kind: string;
}

/** Share of documents with each defect; the rest are valid. */
export type DefectShares<D extends string = string> = Readonly<Record<D, number>>;

export interface GeneratedDocument<D extends string = string> {
  readonly doc: Record<string, unknown>;
  /** null for a valid document. */
  readonly defect: D | null;
}

export interface GeneratorOptions<D extends string = string> {
  /** Same seed, same documents, in Node and in k6. @default 1 */
  readonly seed?: number;
  /** @default the generator's defaultDefects */
  readonly defects?: DefectShares<D>;
}

/**
 * What each pipeline's generator implements: valid documents of its shape, and the defects that
 * make one of them fail on exactly one field.
 */
export interface DocumentShape<D extends string, T extends Record<string, unknown>> {
  /** The pipeline the documents are for (pipelines/<name>.yaml). */
  readonly pipeline: string;
  /** Every defect and what it makes the validator say; the defects are drawn in this order. */
  readonly rejections: Readonly<Record<D, ExpectedRejection>>;
  readonly defaultDefects: DefectShares<D>;
  /** A source of valid documents drawing on `random`; it may keep state between documents. */
  valid(random: Random): () => T;
  /** Puts the defect into a valid document, so that it fails on rejections[defect] alone. */
  spoil(doc: T, defect: D, random: Random): void;
}

/** Seeded documents of one pipeline, with a controlled share of invalid ones. */
export interface DocumentGenerator<D extends string = string> {
  readonly pipeline: string;
  readonly defects: readonly D[];
  readonly rejections: Readonly<Record<D, ExpectedRejection>>;
  /** The mix a run gets unless told otherwise. */
  readonly defaultDefects: DefectShares<D>;
  readonly noDefects: DefectShares<D>;
  /** A function that yields the next document at each call. */
  create(options?: GeneratorOptions<D>): () => GeneratedDocument<D>;
  /** The first `count` documents, for scenarios that need them all up front. */
  generate(count: number, options?: GeneratorOptions<D>): GeneratedDocument<D>[];
  /** defaultDefects scaled to a total invalid share, keeping their proportions. */
  forInvalidShare(share: number): DefectShares<D>;
}

const sharesOf = <D extends string>(defects: readonly D[], share: (defect: D) => number) =>
  Object.fromEntries(defects.map((defect) => [defect, share(defect)])) as Record<D, number>;

export function documentGenerator<D extends string, T extends Record<string, unknown>>(shape: DocumentShape<D, T>): DocumentGenerator<D> {
  const defects = Object.keys(shape.rejections) as D[];

  const create = (options: GeneratorOptions<D> = {}) => {
    const random = new Random(options.seed ?? 1);
    const shares = options.defects ?? shape.defaultDefects;
    const validShare = defects.reduce((rest, defect) => rest - shares[defect], 1);
    if (validShare < 0) throw new Error('defect shares add up to more than 1');
    const outcomes: ReadonlyArray<readonly [D | null, number]> = [[null, validShare], ...defects.map((defect) => [defect, shares[defect]] as const)];
    const valid = shape.valid(random);
    return (): GeneratedDocument<D> => {
      const doc = valid();
      const defect = random.weighted(outcomes);
      if (defect !== null) shape.spoil(doc, defect, random);
      return { doc, defect };
    };
  };

  const total = defects.reduce((sum, defect) => sum + shape.defaultDefects[defect], 0);
  return {
    pipeline: shape.pipeline,
    defects,
    rejections: shape.rejections,
    defaultDefects: shape.defaultDefects,
    noDefects: sharesOf(defects, () => 0),
    create,
    generate: (count, options) => Array.from({ length: count }, create(options)),
    forInvalidShare: (share) => sharesOf(defects, (defect) => shape.defaultDefects[defect] * (share / total)),
  };
}
