/**
 * A stand-in for a workspace component's own servers (the images are not run
 * here): an HTTP server that names its workspace, and a WebSocket server on
 * the terminal path that echoes with that name. Run as a script inside the
 * auth test's network namespace:
 *   node stand-in-workspace.js NAME HTTP_PORT WS_PORT WS_PATH
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const [name, httpPort, wsPort, wsPath] = process.argv.slice(2);

createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`workspace ${name}: ${req.method} ${req.url}\n`);
}).listen(Number(httpPort), '127.0.0.1');

const terminal = createServer((_req, res) => {
  res.writeHead(426);
  res.end();
});
const wss = new WebSocketServer({ server: terminal, path: wsPath });
wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name} echoes ${String(data)}`)));
terminal.listen(Number(wsPort), '127.0.0.1', () => process.stdout.write('ready\n'));
