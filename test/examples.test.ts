import { describe, expect, it } from "vitest";
import { pushPull } from "../examples/push-pull.js";
import { pair } from "../examples/pair.js";

const quiet = (): void => {};

describe("examples", () => {
  it("push-pull splits ten jobs five and five", async () => {
    const counts = await pushPull(quiet);
    expect([...counts.values()]).toEqual([5, 5]);
  });

  it("pair exchanges ping and pong", async () => {
    expect(await pair(quiet)).toEqual(["ping", "pong"]);
  });
});
