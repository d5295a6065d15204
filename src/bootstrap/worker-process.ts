import 'reflect-metadata';
import { createWorkerApp } from './create-app.js';
import { runProcess } from './run.js';

await runProcess(
  async (config) => {
    const app = await createWorkerApp(config);
    await app.listen(config.workerPort);
    return app;
  },
  { portVariable: 'WORKER_PORT' },
);
