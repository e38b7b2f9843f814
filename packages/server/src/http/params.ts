import type { Request } from 'express';

/** A named route parameter (Express 5 types wildcard parameters as arrays, these never are). */
export function routeParam(req: Request, name: string): string | undefined {
  const value = req.params[name];
  return typeof value === 'string' ? value : undefined;
}
