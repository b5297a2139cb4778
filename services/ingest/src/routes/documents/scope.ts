import { DEFAULT_PIPELINE } from '@docpipe/contract';
import type { FastifyRequest } from 'fastify';
import type { TProperties } from 'typebox';
import { serviceUnavailable, unknownPipeline, type HttpError } from '../../lib/errors.js';
import { PipelineParamSchema } from '../../schemas/pipelines.js';

/** Where a set of document routes lives and how a request there finds its pipeline. */
export interface PipelineScope {
  readonly prefix: string;
  /** The path params the prefix adds. */
  readonly params: TProperties;
  pipelineName(request: FastifyRequest): string;
  /** The answer when that pipeline is not served. */
  missing(name: string, served: readonly string[]): HttpError;
  /** Error answers (status → OpenAPI text) that only this scope gives. */
  readonly errors: Readonly<Record<number, string>>;
  /** How the OpenAPI texts name the pipeline. */
  readonly which: string;
}

/** /v1/documents: the routes clients used before pipelines were data, kept for the default pipeline. */
export const DEFAULT_SCOPE: PipelineScope = {
  prefix: '/v1',
  params: {},
  pipelineName: () => DEFAULT_PIPELINE,
  // These routes exist whatever is loaded: their pipeline missing is an outage, not a wrong URL.
  missing: (name) => serviceUnavailable(`the ${name} pipeline is not loaded, retry later`),
  errors: {},
  which: `the ${DEFAULT_PIPELINE} pipeline`,
};

export const NAMED_SCOPE: PipelineScope = {
  prefix: '/v1/pipelines/:pipeline',
  params: { pipeline: PipelineParamSchema },
  pipelineName: (request) => (request.params as { pipeline: string }).pipeline,
  missing: unknownPipeline,
  errors: { 404: 'No pipeline of this name is served; the body names it and lists the served ones.' },
  which: 'the pipeline named in the path',
};
