/**
 * zeromq 5's callback API, as the `zeromq` package v6 offers it in `zeromq/v5-compat`: a
 * program written for that module runs unchanged when it imports `wiremq/v5-compat`.
 */
import * as api from "./compat/api.js";

export * from "./compat/api.js";
/** `import zmq from "wiremq/v5-compat"` gives the module, as importing zeromq's CommonJS module does. */
export default api;
