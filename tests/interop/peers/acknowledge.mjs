// The tutorial's acknowledging server: "Acknowledged: " + message.
import { startServer } from './listen.mjs';

const wss = startServer();
wss.on('connection', (ws) => {
  ws.on('message', (message) => {
    ws.send('Acknowledged: ' + message);
  });
});
