// The tutorial's server that closes each connection after a delay, with 1000 and a reason
// (the tutorial waits 10 s; the delay is argv[2] milliseconds, 1000 by default).
import { startServer } from './listen.mjs';

const delay = Number(process.argv[2] ?? 1000);
const wss = startServer();
wss.on('connection', (ws) => {
  setTimeout(() => {
    ws.close(1000, `Closing connection after ${delay / 1000} seconds`);
  }, delay);
});
