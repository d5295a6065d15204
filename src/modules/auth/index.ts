/** The auth module's public surface. */
export { AuthHttpModule } from './auth-http.module.js';
export { AuthModule } from './auth.module.js';
