import 'reflect-metadata';
import { createWorkerApp } from './bootstrap/create-app.js';
import { runProcess } from './bootstrap/run.js';

await runProcess(async (config) => {
  const app = await createWorkerApp(config);
  await app.listen(config.workerPort);
  return app;
});
