import 'reflect-metadata';
import { createApiApp } from './bootstrap/create-app.js';
import { runProcess } from './bootstrap/run.js';

await runProcess(async (config) => {
  const app = await createApiApp(config);
  await app.listen(config.port);
  return app;
});
