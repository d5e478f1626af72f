/** The ``debug`` option: every protocol frame to the console, secrets and presigned URL signatures removed. */
import { redactFrame } from "./protocol.js";

/** A ``log(direction, frame)`` function: a no-op unless ``enabled``. */
export function frameLogger(enabled) {
  if (!enabled) return () => {};
  return (direction, frame) => {
    const shown = redactFrame(frame);
    const label = (shown && (shown.action || shown.type)) || "frame";
    console.log(`[connect-chat] ${direction} ${label}`, JSON.stringify(shown));
  };
}
