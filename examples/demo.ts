import { version } from "../lib/index.js";

console.log(`wiremq ${version}: demo`);
