/**
 * One HTTP request or WebSocket upgrade from inside the auth test's network
 * namespace, printed as JSON (the test process itself stays outside it):
 *   node http-probe.js http URL [HEADERS_JSON]  -> {status, location, body}
 *   node http-probe.js ws URL [HEADERS_JSON]    -> {status} of the upgrade, or {opened, echo}
 */
import { request } from 'node:http';
import WebSocket from 'ws';

const [mode, url, headersJson] = process.argv.slice(2);
const headers = headersJson ? (JSON.parse(headersJson) as Record<string, string>) : {};
const print = (result: object) => process.stdout.write(`${JSON.stringify(result)}\n`);

if (mode === 'ws') {
  const socket = new WebSocket(url, { headers });
  const timer = setTimeout(() => {
    print({ error: 'timeout' });
    process.exit(1);
  }, 10_000);
  socket.on('unexpected-response', (_req, res) => {
    clearTimeout(timer);
    print({ status: res.statusCode, location: res.headers.location });
    process.exit(0);
  });
  socket.on('open', () => socket.send('ping'));
  socket.on('message', (data) => {
    clearTimeout(timer);
    print({ opened: true, echo: String(data) });
    socket.close();
    process.exit(0);
  });
  socket.on('error', (err) => {
    clearTimeout(timer);
    print({ error: err.message });
    process.exit(0);
  });
} else {
  const req = request(url, { headers }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => print({ status: res.statusCode, location: res.headers.location, body: body.slice(0, 262_144) }));
  });
  req.on('error', (err) => print({ error: err.message }));
  req.end();
}
