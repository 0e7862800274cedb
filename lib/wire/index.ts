export * from "./greeting.js";
export * from "./frame.js";
export * from "./command.js";
