import 'reflect-metadata';
import { createApiApp } from './create-app.js';
import { runProcess } from './run.js';

await runProcess(
  async (config) => {
    const app = await createApiApp(config);
    await app.listen(config.port);
    return app;
  },
  { portVariable: 'PORT', drainsTraffic: true },
);
