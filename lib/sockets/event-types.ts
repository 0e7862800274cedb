/**
 * The monitor events a socket's `events` observer gives, as zeromq types them: a union keyed
 * by `type`, so `events.on("connect:retry", (e) => e.interval)` type-checks and a misspelt
 * event name does not.
 */

/** The error of an event, with libzmq's code name (EPIPE, ECONNREFUSED...) and number. */
export interface ErrnoError extends Error {
  code: string;
  errno: number;
}

/** A ZAP refusal: the handler's status code. */
export interface AuthError extends Error {
  status: 300 | 400 | 500;
}

/** A ZMTP or ZAP protocol violation, by libzmq's ZMQ_PROTOCOL_ERROR_* names. */
export interface ProtoError extends Error {
  code:
    | "ERR_ZMTP_UNSPECIFIED"
    | "ERR_ZMTP_UNEXPECTED_COMMAND"
    | "ERR_ZMTP_INVALID_SEQUENCE"
    | "ERR_ZMTP_KEY_EXCHANGE"
    | "ERR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED"
    | "ERR_ZMTP_MALFORMED_COMMAND_MESSAGE"
    | "ERR_ZMTP_MALFORMED_COMMAND_HELLO"
    | "ERR_ZMTP_MALFORMED_COMMAND_INITIATE"
    | "ERR_ZMTP_MALFORMED_COMMAND_ERROR"
    | "ERR_ZMTP_MALFORMED_COMMAND_READY"
    | "ERR_ZMTP_MALFORMED_COMMAND_WELCOME"
    | "ERR_ZMTP_INVALID_METADATA"
    | "ERR_ZMTP_CRYPTOGRAPHIC"
    | "ERR_ZMTP_MECHANISM_MISMATCH"
    | "ERR_ZAP_UNSPECIFIED"
    | "ERR_ZAP_MALFORMED_REPLY"
    | "ERR_ZAP_BAD_REQUEST_ID"
    | "ERR_ZAP_BAD_VERSION"
    | "ERR_ZAP_INVALID_STATUS_CODE"
    | "ERR_ZAP_INVALID_METADATA"
    | "ERR_WS_UNSPECIFIED";
}

/** The endpoint an event is about (`tcp://127.0.0.1:5555`, ...). */
export interface EventAddress {
  address: string;
}

/** The wait in ms an event announces (`connect:retry`). */
export interface EventInterval {
  interval: number;
}

/** The error an event carries (`bind:error`, `handshake:error:*`, ...), shaped as zeromq's. */
export interface EventError<E = ErrnoError> {
  error: E;
}

/** Flattens an intersection so editors show one object type. */
type Expand<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/** An event of type T with the details D. */
export type EventFor<T extends string, D = object> = Expand<{ type: T } & D>;

/** Every event an observer gives. */
export type Event =
  | EventFor<"accept", EventAddress>
  | EventFor<"accept:error", EventAddress & EventError>
  | EventFor<"bind", EventAddress>
  | EventFor<"bind:error", EventAddress & EventError>
  | EventFor<"connect", EventAddress>
  | EventFor<"connect:delay", EventAddress>
  | EventFor<"connect:retry", EventAddress & EventInterval>
  | EventFor<"close", EventAddress>
  | EventFor<"close:error", EventAddress & EventError>
  | EventFor<"disconnect", EventAddress>
  | EventFor<"end">
  | EventFor<"handshake", EventAddress>
  | EventFor<"handshake:error:protocol", EventAddress & EventError<ProtoError>>
  | EventFor<"handshake:error:auth", EventAddress & EventError<AuthError>>
  | EventFor<"handshake:error:other", EventAddress & EventError>
  | EventFor<"unknown">;

/** The name of every event. */
export type EventType = Event["type"];

/** The event of one type: `EventOfType<"connect:retry">` has `address` and `interval`. */
export type EventOfType<E extends EventType = EventType> = Expand<Extract<Event, Event & EventFor<E>>>;

/** What can be listened to by event name. */
export interface EventSubscriber {
  on<E extends EventType>(type: E, listener: (data: EventOfType<E>) => void): EventSubscriber;
  off<E extends EventType>(type: E, listener: (data: EventOfType<E>) => void): EventSubscriber;
}
