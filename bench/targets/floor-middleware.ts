import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/**
 * The least any middleware that records predict calls does, and nothing
 * more: it echoes the request id (`x-request-id`, drawn when absent, as
 * the issue asks of inferlens), keeps a reference to each piece of the
 * answer, without copying it, and is told when the call closes. It records
 * nothing and exports nothing. Its throughput against the bare app is the
 * most a payload-logging middleware can keep on this app and machine.
 */
export function floorMiddleware(): RequestHandler {
  return (req, res, next) => {
    const sent = req.headers['x-request-id'];
    res.setHeader('x-request-id', typeof sent === 'string' && sent !== '' ? sent : randomUUID());
    const pieces: unknown[] = [];
    keepPieces(res, pieces);
    res.on('close', () => {
      pieces.length = 0;
    });
    next();
  };
}

/** Pushes every chunk `res` is given into `pieces` on its way to the socket. */
function keepPieces(res: Response, pieces: unknown[]): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    pieces.push(chunk);
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && typeof chunk !== 'function') pieces.push(chunk);
    return end(chunk, ...rest);
  }) as Response['end'];
}
