// Minimal Node http target for load-generator baselines.
// Usage: node target-node.mjs PORT [DELAY_MS]
//   DELAY_MS = 0  -> answer "ok" immediately (target b)
//   DELAY_MS = 50 -> answer "ok" after setTimeout(50) (target c)
// Binds 127.0.0.1 only.
import http from 'node:http';

const port = Number(process.argv[2] ?? 8082);
const delay = Number(process.argv[3] ?? 0);
const headers = { 'content-type': 'text/plain', 'content-length': '2' };

const server = http.createServer(
  delay > 0
    ? (req, res) => {
        setTimeout(() => {
          res.writeHead(200, headers);
          res.end('ok');
        }, delay);
      }
    : (req, res) => {
        res.writeHead(200, headers);
        res.end('ok');
      },
);
server.keepAliveTimeout = 65_000; // don't drop idle keep-alive sockets between runs
server.headersTimeout = 66_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`target-node listening on http://127.0.0.1:${port}/ delay=${delay}ms pid=${process.pid}`);
});
for (const sig of ['SIGTERM', 'SIGINT'])
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
