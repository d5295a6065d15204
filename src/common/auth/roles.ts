/** Who a caller is to the API; shared by the guards, the decorators and the users module. */
export const USER_ROLES = ['customer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
