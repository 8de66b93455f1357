// The tutorial's broadcast server: every message goes to every open client.
import WebSocket from 'ws';
import { startServer } from './listen.mjs';

const wss = startServer();
wss.on('connection', (ws) => {
  ws.on('message', (message) => {
    wss.clients.forEach((client) => {
      if (client.readyState === WebSocket.OPEN) {
        client.send('Broadcast: ' + message);
      }
    });
  });
});
