// Shared start-up of the peers: a ws server on 127.0.0.1 and a free port, announced on
// stdout as "listening PORT" once it accepts connections.
import { WebSocketServer } from 'ws';

export function startServer(options = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  wss.on('listening', () => {
    console.log(`listening ${wss.address().port}`);
  });
  return wss;
}
