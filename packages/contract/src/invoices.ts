import { DEFAULT_PIPELINE, pipelineResources } from './names.js';

/**
 * The invoices pipeline predates the naming rule: its topics and collections keep the names that
 * its stored data and its clients already use.
 */
export const INVOICES = pipelineResources(DEFAULT_PIPELINE, { topic: 'documents', collection: 'documents', rejectedCollection: 'rejected' });
