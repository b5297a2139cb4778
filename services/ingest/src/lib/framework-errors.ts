// Answers fastify writes before any route or error handler runs, in the API's one error shape
// (errors.ts), without echoing the request's path or headers back.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

/** A request the HTTP parser refused (headers too large, a timeout, bytes that are not HTTP). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request headers are larger than the server takes']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify(errorBody(status, message));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${errorBody(status).error}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Routing errors: a path fastify cannot decode, or a path parameter longer than any id. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, message, details] =
    error.code === 'FST_ERR_BAD_URL'
      ? [400, 'the URL path is not valid percent-encoding', [{ field: '(path)', reason: 'is not valid percent-encoding' }]]
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [400, 'a path parameter is longer than any the API takes', [{ field: '(path)', reason: 'has a parameter that is too long' }]]
        : [500, 'the request could not be routed', undefined];
  void reply.code(status).send(errorBody(status, message, details));
}
