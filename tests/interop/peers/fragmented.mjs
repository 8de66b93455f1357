// A server that sends one text message in three frames (ws: send with fin false).
import { startServer } from './listen.mjs';

const wss = startServer();
wss.on('connection', (ws) => {
  ws.send('Hello, ', { fin: false });
  ws.send('fragmented ', { fin: false });
  ws.send('world', { fin: true });
});
