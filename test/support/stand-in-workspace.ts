/**
 * A stand-in for a workspace component's own servers (the images are not run
 * here): an HTTP server that names its workspace, and a WebSocket server on
 * the terminal path that echoes with that name (on its own port, or on the
 * HTTP one). Run as a script inside a test's network namespace:
 *   node stand-in-workspace.js NAME HTTP_PORT WS_PORT WS_PATH
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const [name, httpPort, wsPort, wsPath] = process.argv.slice(2);

const web = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`workspace ${name}: ${req.method} ${req.url}\n`);
}).listen(Number(httpPort), '127.0.0.1');

// The WebSocket server on its own port, or beside the HTTP one when both ports are the same.
const terminal =
  wsPort === httpPort
    ? web
    : createServer((_req, res) => {
        res.writeHead(426);
        res.end();
      }).listen(Number(wsPort), '127.0.0.1');
const wss = new WebSocketServer({ server: terminal, path: wsPath });
wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name} echoes ${String(data)}`)));
terminal.on('listening', () => process.stdout.write('ready\n'));
if (terminal.listening) process.stdout.write('ready\n');
