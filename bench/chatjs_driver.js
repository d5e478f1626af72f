// Feeds recorded aws/chat frames to amazon-connect-chatjs under Node, without a browser, and reports the CPU
// time it spends per frame.
//
//   node bench/chatjs_driver.js <frames.jsonl> <count> <plain|live> <repeats>
//   node bench/chatjs_driver.js <frames.jsonl> serve      (requests "<count> <plain|live>" on stdin, one a line)
//
// ChatJS runs unmodified: a customer session connects through its own bundled websocket manager to a fake
// global WebSocket (this file), so every frame goes through ChatJS's envelope parse, topic routing, the
// content parse, the chat controller and its event bus (handlers run from setTimeout, as in a browser).
// Only CreateParticipantConnection is answered locally. "live" subscribes onTranscriptUpdated, which turns
// on ChatJS 5's internal transcript (transcriptUpdateEnabled); "plain" does not. Either way onMessage,
// onTyping and both receipt events have a handler.
//
// Prints one JSON line on stdout: {"count", "mode", "us_per_frame": [one per repeat], "handled", "transcript"};
// in serve mode, one line per request: {"count", "mode", "us_per_frame"}.
"use strict";

const fs = require("fs");
const path = require("path");

globalThis.window = globalThis;
globalThis.self = globalThis;
globalThis.navigator = { userAgent: "node", onLine: true };

class RecordedWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url) {
    this.url = url;
    this.readyState = RecordedWebSocket.CONNECTING;
    this.listeners = new Map();
    this.subscribed = new Promise((resolve) => (this.onSubscribed = resolve));
    RecordedWebSocket.latest = this;
    setTimeout(() => {
      this.readyState = RecordedWebSocket.OPEN;
      this.dispatch("open", {});
    }, 0);
  }

  addEventListener(name, listener) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(listener);
  }

  removeEventListener(name, listener) {
    const list = this.listeners.get(name) || [];
    this.listeners.set(name, list.filter((l) => l !== listener));
  }

  dispatch(name, event) {
    for (const listener of this.listeners.get(name) || []) listener.call(this, event);
  }

  receive(text) {
    this.dispatch("message", { data: text });
  }

  send(text) {
    const topic = JSON.parse(text).topic;
    const answer = (frame) => setTimeout(() => this.receive(JSON.stringify(frame)), 0);
    if (topic === "aws/subscribe") {
      answer({ topic: "aws/subscribe", content: { status: "success", topics: ["aws/chat"] } });
      setTimeout(this.onSubscribed, 5);
    } else if (topic === "aws/heartbeat") {
      answer({ topic: "aws/heartbeat" });
    } else if (topic === "aws/ping") {
      answer({ topic: "aws/ping", statusCode: 200 });
    }
  }

  close() {
    this.readyState = RecordedWebSocket.CLOSED;
  }
}
globalThis.WebSocket = RecordedWebSocket;

const chatjsPath = path.join(__dirname, "..", "node_modules", "amazon-connect-chatjs");
require(chatjsPath);
const connect = globalThis.connect;
connect.ChatSession.setGlobalConfig({ region: "us-west-2" });

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

let sessions = 0;

async function connectedSession(live, counter) {
  sessions += 1;
  const contactId = `2f1e7c7a-3b0e-4c7e-9a53-6a4c1f0d9b1${sessions}`;
  const session = connect.ChatSession.create({
    chatDetails: { ContactId: contactId, ParticipantId: "a7c7d2f4-8f4e-4f5b-9f7e-0c2d3b4a5e61", ParticipantToken: "pt" },
    type: "CUSTOMER",
  });
  const expiry = new Date(Date.now() + 3600e3).toISOString();
  session.controller.chatClient.createParticipantConnection = async () => ({
    data: {
      Websocket: { Url: "wss://recorded.invalid/", ConnectionExpiry: expiry },
      ConnectionCredentials: { ConnectionToken: "ct", Expiry: expiry },
    },
  });
  const handle = () => (counter.handled += 1);
  session.onMessage(handle);
  session.onTyping(handle);
  session.onReadReceipt(handle);
  session.onDeliveredReceipt(handle);
  if (live) session.onTranscriptUpdated((event) => (counter.transcript = event.data.transcript.length));
  await session.connect();
  const ws = RecordedWebSocket.latest;
  await ws.subscribed;
  await tick();
  return { session, ws, contactId };
}

async function play(frames, live, batch) {
  const counter = { handled: 0, transcript: 0 };
  const { session, ws, contactId } = await connectedSession(live, counter);
  const mine = frames.map((text) => text.split("2f1e7c7a-3b0e-4c7e-9a53-6a4c1f0d9b11").join(contactId));
  const before = process.cpuUsage();
  for (let i = 0; i < mine.length; i += batch) {
    const end = Math.min(i + batch, mine.length);
    for (let j = i; j < end; j += 1) ws.receive(mine[j]);
    await tick(); // ChatJS dispatches with setTimeout(0): let those run before the next batch arrives
  }
  await tick();
  const used = process.cpuUsage(before);
  session.controller.breakConnection();
  return { usPerFrame: (used.user + used.system) / mine.length, ...counter };
}

async function serve(allFrames) {
  // One request per line on stdin, "<count> <plain|live>"; one JSON answer per line on stdout.
  const warmed = new Set();
  const lines = require("readline").createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [countText, mode] = line.trim().split(/\s+/);
    if (!countText) continue;
    const live = mode === "live";
    if (!warmed.has(mode)) {
      await play(allFrames.slice(0, 10000), live, 100); // warm-up: let V8 compile and optimise the hot paths
      warmed.add(mode);
    }
    const result = await play(allFrames.slice(0, Number(countText)), live, 100);
    process.stdout.write(JSON.stringify({ count: Number(countText), mode, us_per_frame: result.usPerFrame }) + "\n");
  }
}

async function main() {
  const [file, countText, mode, repeatsText] = process.argv.slice(2);
  const usage = "usage: node bench/chatjs_driver.js <frames.jsonl> (<count> <plain|live> <repeats> | serve)\n";
  if (!file || !(countText === "serve" || ["plain", "live"].includes(mode))) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const allFrames = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  if (countText === "serve") {
    await serve(allFrames);
    process.exit(0);
  }
  const frames = allFrames.slice(0, Number(countText));
  const live = mode === "live";
  await play(allFrames.slice(0, 10000), live, 100); // warm-up: let V8 compile and optimise the hot paths
  const results = [];
  for (let r = 0; r < Number(repeatsText || 3); r += 1) results.push(await play(frames, live, 100));
  const last = results[results.length - 1];
  process.stdout.write(
    JSON.stringify({
      count: frames.length,
      mode,
      us_per_frame: results.map((r) => r.usPerFrame),
      handled: last.handled,
      transcript: last.transcript,
    }) + "\n",
  );
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`chatjs driver failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
