export * from './names.js';
export * from './invoices.js';
export * from './service.js';
export * from './env.js';
export * from './ids.js';
export * from './kafka-access.js';
