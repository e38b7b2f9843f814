/**
 * A server that does nothing but answer: the load generator's ceiling is
 * measured against it, to show that the generator is not what limits the
 * other figures. Usage: node bench/targets/trivial.ts <port>
 */
import { createServer } from 'node:http';

const ANSWER = JSON.stringify({ predictions: [1, 1] });

const server = createServer((req, res) => {
  // The body is read (and dropped) as a real server would.
  req.resume();
  req.once('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
});
server.listen(Number(process.argv[2]), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
