/** Who asks: every read and write is scoped to the owner unless the caller is an admin. */
export interface Scope {
  userId: string;
  admin: boolean;
}
