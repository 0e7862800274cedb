/**
 * Exit codes scripts can test. Anything not listed is a bug.
 *   0  done as asked
 *   1  failed at run time (address in use, I/O error, a device or peer failure)
 *   2  bad command line or input: unknown command or option, bad value, bad endpoint, bad line
 *   3  timed out: nothing happened within --timeout
 *   4  a handshake with a peer failed: credentials refused, wrong CURVE server key, the two
 *      sides set up different security mechanisms
 */
export const EXIT = Object.freeze({ OK: 0, FAILURE: 1, USAGE: 2, TIMEOUT: 3, HANDSHAKE: 4 });
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
