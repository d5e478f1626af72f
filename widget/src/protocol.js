/**
 * The relay client protocol as the widget speaks it: content types, the limits Connect applies to what a
 * customer sends, WebSocket close codes, the transcript request, and the frames' secrets (what the debug log must
 * never show).
 */

const EVENT = "application/vnd.amazonaws.connect.event.";

export const CONTENT_TYPES = Object.freeze({
  TEXT: "text/plain",
  MARKDOWN: "text/markdown",
  INTERACTIVE: "application/vnd.amazonaws.connect.message.interactive",
  INTERACTIVE_RESPONSE: "application/vnd.amazonaws.connect.message.interactive.response",
  TYPING: EVENT + "typing",
  READ: EVENT + "message.read",
  DELIVERED: EVENT + "message.delivered",
  JOINED: EVENT + "participant.joined",
  LEFT: EVENT + "participant.left",
  INVITED: EVENT + "participant.invited",
  ENDED: EVENT + "chat.ended",
  REHYDRATED: EVENT + "chat.rehydrated",
  TRANSFER_OK: EVENT + "transfer.succeeded",
  TRANSFER_FAILED: EVENT + "transfer.failed",
});

/** File types Connect accepts as chat attachments, by extension. */
export const ATTACHMENT_TYPES = Object.freeze({
  ".csv": "text/csv",
  ".doc": "application/msword",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".heic": "image/heic",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".json": "application/json",
  ".mov": "video/quicktime",
  ".mp4": "video/mp4",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".ppt": "application/vnd.ms-powerpoint",
  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  ".rtf": "application/rtf",
  ".txt": "text/plain",
  ".wav": "audio/wav",
  ".xls": "application/vnd.ms-excel",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
});

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** 16 KB of UTF-8 at worst; Connect's SendMessage limit is 16,384 bytes. */
export const MAX_MESSAGE_CHARS = 4096;
export const MAX_DISPLAY_NAME_CHARS = 256;

/** API Gateway closes with 1001 (going away) after 10 idle minutes and after 2 hours: a planned close. */
export const CLOSE_GOING_AWAY = 1001;

/** Items in a page of the transcript (the most ``getTranscript`` returns). */
const TRANSCRIPT_PAGE_ITEMS = 100;

/**
 * A ``getTranscript`` frame for a page of the latest items, oldest first; ``nextToken`` (from the previous page's
 * answer) asks for the page before it.
 */
export function transcriptRequest(nextToken = null) {
  const frame = {
    action: "getTranscript",
    maxResults: TRANSCRIPT_PAGE_ITEMS,
    scanDirection: "BACKWARD",
    sortOrder: "ASCENDING",
  };
  if (nextToken) frame.nextToken = nextToken;
  return frame;
}

/** Error codes after which a message is final (resending it would fail the same way). */
export const FINAL_SEND_ERRORS = Object.freeze(["VALIDATION_ERROR", "BLOCKED", "PAYLOAD_TOO_LARGE"]);

const SECRET_FIELDS = [
  "resumeToken",
  "token",
  "participantToken",
  "connectionToken",
  "challengeToken",
  "customerToken",
  "continuationToken",
];

/**
 * A copy of ``frame`` fit for a log: secrets replaced, presigned URLs cut before their signature, upload
 * headers reduced to their names.
 */
export function redactFrame(frame) {
  if (!frame || typeof frame !== "object") return frame;
  const copy = Array.isArray(frame) ? [] : {};
  for (const key of Object.keys(frame)) {
    const value = frame[key];
    if (SECRET_FIELDS.includes(key) && value) copy[key] = "[redacted]";
    else if (key === "url" && typeof value === "string") copy[key] = value.split("?")[0] + (value.includes("?") ? "?[redacted]" : "");
    else if (key === "headers" && value && typeof value === "object") copy[key] = Object.keys(value);
    else if (value && typeof value === "object") copy[key] = redactFrame(value);
    else copy[key] = value;
  }
  return copy;
}
