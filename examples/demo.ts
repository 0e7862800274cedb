/** The main demo (`npm run demo`): each pattern end to end, printing what happens. */
import { pushPull } from "./push-pull.js";
import { pair } from "./pair.js";

const sections: Array<[string, (log: (line: string) => void) => Promise<unknown>]> = [
  ["PUSH/PULL work queue over tcp", pushPull],
  ["PAIR over inproc", pair],
];

for (const [title, run] of sections) {
  console.log(`\n== ${title}`);
  await run((line) => console.log(`  ${line}`));
}
console.log("\ndemo finished");
