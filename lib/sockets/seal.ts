/**
 * zeromq's sockets are sealed: assigning a property a socket does not have (a misspelt option)
 * throws a TypeError instead of passing silently. Fields of a subclass are set up after its
 * base constructor returns, so each socket class seals in its own constructor, and only when
 * it is the class being constructed; a user's subclass stays open for its own fields.
 */
export function sealAs(socket: object, newTarget: unknown, cls: unknown): void {
  if (newTarget === cls) Object.preventExtensions(socket);
}
