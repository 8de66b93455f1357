// A server that refuses the handshake with 401 and a body unless the request carries
// "Authorization: Bearer good", answering from the http server's 'upgrade' event.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const server = http.createServer();
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (request, socket, head) => {
  if (request.headers.authorization !== 'Bearer good') {
    const body = 'missing or wrong token';
    socket.end(
      'HTTP/1.1 401 Unauthorized\r\n' +
        'Content-Type: text/plain\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    ws.send('welcome');
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
