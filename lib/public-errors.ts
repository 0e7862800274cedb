/** wiremq/errors: the class of every error the library throws, each with a stable `code`. */
export { ZmqError } from "./errors.js";
export type { ZmqErrorExtra } from "./errors.js";
