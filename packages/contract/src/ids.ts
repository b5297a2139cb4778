/**
 * Namespace of every derived document id (idempotent, replayed, inbox): v5('https://docpipe/documents',
 * URL namespace). It must never change, or a retry or a replay after a deploy would get a new id
 * and be stored twice.
 */
export const DOCUMENT_ID_NAMESPACE = '43b7645d-eb9c-51b2-ba73-8bf85d4ca532';
