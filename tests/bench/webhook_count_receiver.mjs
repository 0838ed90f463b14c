// The notifications bench's webhook receiver, in a process of its own: in the bench's, its requests
// waited in the event loop of the clients whose acknowledgements the bench times. Answers each POST
// 204 and counts it; GET /count says how many came. Prints "listening <port>".
import { createServer } from 'node:http';

let count = 0;
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/count') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(String(count));
    return;
  }
  request.resume();
  request.on('end', () => {
    count += 1;
    response.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
