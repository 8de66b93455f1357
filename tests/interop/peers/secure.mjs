// The tutorial's secure server: an https server carrying a ws server, with the certificate
// and key files given as argv[2] and argv[3]; it echoes with "Server says: ".
import fs from 'node:fs';
import https from 'node:https';
import { WebSocketServer } from 'ws';

const server = https.createServer({
  cert: fs.readFileSync(process.argv[2]),
  key: fs.readFileSync(process.argv[3]),
});
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => {
  ws.on('message', (message) => {
    ws.send('Server says: ' + message);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
