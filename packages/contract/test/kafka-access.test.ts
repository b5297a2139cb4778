import { describe, expect, it } from 'vitest';
import { aclBindings, externalAccess, pipelineResources, type PipelineTopics } from '../src/index.js';

const pipeline = (name: string, inbox: boolean): PipelineTopics => ({ resources: pipelineResources(name), inbox });

describe('externalAccess', () => {
  it('writes the inbox of each pipeline that has one, and nothing else: no other topic, no read, no group', () => {
    const access = externalAccess([pipeline('orders', true), pipeline('invoices', false), pipeline('returns', true)]);
    expect(access).toEqual({
      topics: [
        { topic: 'orders.inbox', operations: ['Write'] },
        { topic: 'returns.inbox', operations: ['Write'] },
      ],
      groups: [],
    });
    // Describe only lets the producer look up the partitions it writes to.
    expect(aclBindings(access)).toEqual([
      { resource: 'topic', name: 'orders.inbox', operations: ['Write', 'Describe'] },
      { resource: 'topic', name: 'returns.inbox', operations: ['Write', 'Describe'] },
    ]);
  });

  it('grants nothing while no pipeline has an inbox', () => {
    expect(aclBindings(externalAccess([pipeline('invoices', false)]))).toEqual([]);
    expect(aclBindings(externalAccess([]))).toEqual([]);
  });
});
