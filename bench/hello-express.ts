/** The baseline of the catalogue benchmark: Express 5 answering a small JSON body, nothing else. */
import express from 'express';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
const port = Number(process.env.PORT ?? 18090);
app.listen(port, '127.0.0.1', () => process.send?.('ready'));
