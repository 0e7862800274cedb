/**
 * zeromq blocks a socket while a bind or unbind is in progress: any other endpoint call, send
 * or receive meanwhile throws EBUSY, and a close() waits for the operation to finish.
 */
export class EndpointBlock {
  /** A bind or unbind is in progress. */
  blocked = false;
  /** close() was called while blocked: it happens once the bind or unbind is done. */
  private closeRequest: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(private readonly closeNow: () => void) {}

  /**
   * Blocks until `operation` settles. The unblocking runs before the caller's continuation, so
   * code after `await bind()` finds the socket open; code right after a bind() not awaited
   * finds it blocked, even for inproc, whose bind completes at once.
   */
  during(operation: Promise<void>): Promise<void> {
    this.blocked = true;
    return operation.finally(() => {
      this.blocked = false;
      const request = this.closeRequest;
      if (request !== null) {
        this.closeRequest = null;
        this.closeNow();
        request.resolve();
      }
    });
  }

  /** close() while blocked: the close is done when the operation is; this resolves then. */
  closeAfter(): Promise<void> {
    if (this.closeRequest === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.closeRequest = { promise, resolve };
    }
    return this.closeRequest.promise;
  }
}
