// The tutorial's echo server: "Server says: " + message.
import { startServer } from './listen.mjs';

const wss = startServer();
wss.on('connection', (ws, request) => {
  console.error(`connected ${request.headers['x-token'] ?? ''}`);
  ws.on('message', (message) => {
    ws.send('Server says: ' + message);
  });
});
