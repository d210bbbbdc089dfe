import { describe, expect, it } from "vitest";
import { Answer } from "./answer.svelte";
import { BackendError } from "./backend";

/** A promise and the hands that settle it. */
function pending<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settled = () => new Promise((r) => setTimeout(r, 0));

describe("Answer", () => {
  it("says nothing until its first answer, then keeps the last while a new one comes", async () => {
    const a = new Answer<string[]>();
    const first = pending<string[]>();
    a.ask(first.promise);
    expect(a.value).toBeUndefined();
    expect(a.error).toBeNull();
    first.resolve([]);
    await settled();
    expect(a.value).toEqual([]);
    const second = pending<string[]>();
    a.ask(second.promise);
    await settled();
    expect(a.value).toEqual([]);
    second.resolve(["web 1.2"]);
    await settled();
    expect(a.value).toEqual(["web 1.2"]);
  });

  it("never lets an earlier ask's answer replace a later one's", async () => {
    const a = new Answer<string>();
    const early = pending<string>();
    const later = pending<string>();
    a.ask(early.promise);
    a.ask(later.promise);
    later.resolve("later");
    await settled();
    early.resolve("early");
    await settled();
    expect(a.value).toBe("later");
    // Nor an earlier ask's failure.
    const failing = pending<string>();
    const last = pending<string>();
    a.ask(failing.promise);
    a.ask(last.promise);
    last.resolve("last");
    failing.reject(new Error("gone"));
    await settled();
    expect(a.value).toBe("last");
    expect(a.error).toBeNull();
  });

  it("drops its answer and says why when the latest ask fails, until one succeeds", async () => {
    const a = new Answer<number>();
    a.ask(Promise.resolve(3));
    await settled();
    a.ask(
      Promise.reject(
        new BackendError({
          code: "keyring",
          message: "the OS keyring is locked: unlock it, then open the page again",
          problems: [],
        }),
      ),
    );
    await settled();
    expect(a.value).toBeUndefined();
    expect(a.error).toBe("the OS keyring is locked: unlock it, then open the page again");
    a.ask(Promise.resolve(4));
    await settled();
    expect(a.value).toBe(4);
    expect(a.error).toBeNull();
  });
});
