/** The users module's public surface: what other modules and the composition roots may use. */
export { ACCOUNT_CREDENTIALS } from './account-credentials.port.js';
export type { AccountCredentials, CredentialChange } from './account-credentials.port.js';
export { EmailField, PasswordField, UsernameField } from './dto/user-fields.js';
export { UserResponseDto } from './dto/user-response.dto.js';
export { UsersHttpModule } from './users-http.module.js';
export { UsersModule } from './users.module.js';
export type { UserRow } from './users.repository.js';
export { UsersService } from './users.service.js';
