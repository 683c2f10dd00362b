import { describe, expect, it } from "vitest";
import { debuggerUrl, heapUsage } from "../../bench/inspector";

// As workerd 1.2026 answers GET /json: one target per Worker service, its id the service's name.
const WORKERD_TARGETS = [
  {
    id: "worker",
    title: "workerd: worker worker",
    type: "node",
    webSocketDebuggerUrl: "ws://127.0.0.1:42333/worker",
    url: "https://workers.dev",
  },
  { id: "other", title: "workerd: worker other", type: "node", webSocketDebuggerUrl: "ws://127.0.0.1:42333/other" },
];

describe("debuggerUrl", () => {
  it("picks the WebSocket of the named service's isolate", () => {
    expect(debuggerUrl(WORKERD_TARGETS, "worker")).toBe("ws://127.0.0.1:42333/worker");
    expect(debuggerUrl(WORKERD_TARGETS, "other")).toBe("ws://127.0.0.1:42333/other");
  });

  it("names the targets it found when the service is not among them", () => {
    expect(() => debuggerUrl(WORKERD_TARGETS, "bot")).toThrow(/no target "bot".*worker, other/);
    expect(() => debuggerUrl([], "bot")).toThrow(/lists: none/);
  });

  it("says so when the answer is not a target list", () => {
    expect(() => debuggerUrl({ Browser: "workerd" }, "worker")).toThrow(/not a list of targets/);
  });
});

describe("heapUsage", () => {
  it("reads V8's heap and workerd's traced C++ heap from Runtime.getHeapUsage", () => {
    expect(
      heapUsage({ usedSize: 796536, totalSize: 1572864, embedderHeapUsedSize: 515872, backingStorageSize: 263110 }),
    ).toEqual({ used: 796536, embedder: 515872 });
  });

  it("counts no C++ heap from a V8 that does not report one", () => {
    expect(heapUsage({ usedSize: 1000, totalSize: 2000 })).toEqual({ used: 1000, embedder: 0 });
  });

  it("refuses an answer without the heap's size", () => {
    expect(() => heapUsage({ totalSize: 2000 })).toThrow(/Runtime.getHeapUsage answered something else/);
  });
});
