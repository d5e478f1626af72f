/**
 * Attachments: what Connect accepts (checked before anything leaves the browser) and the upload, straight from
 * the browser to the presigned URL the relay hands out.
 */
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from "./protocol.js";
import { RelayError } from "./relay-client.js";

/** The extensions Connect accepts, for the file picker and for the message that lists them. */
export const ALLOWED_EXTENSIONS = Object.freeze(Object.keys(ATTACHMENT_TYPES));

function contentTypeOf(file) {
  const dot = file.name.lastIndexOf(".");
  const byExtension = ATTACHMENT_TYPES[dot >= 0 ? file.name.slice(dot).toLowerCase() : ""];
  if (!byExtension) return null;
  const known = Object.values(ATTACHMENT_TYPES).includes(file.type);
  return known && file.type ? file.type : byExtension;
}

/**
 * ``{contentType}`` when ``file`` can be sent, else ``{problem: {key, params}}`` (a strings key).
 */
export function checkAttachment(file) {
  const contentType = contentTypeOf(file);
  if (!contentType) return { problem: { key: "fileTypeRefused", params: { name: file.name, types: ALLOWED_EXTENSIONS.join(", ") } } };
  if (file.size < 1) return { problem: { key: "fileEmpty" } };
  if (file.size > MAX_ATTACHMENT_BYTES) return { problem: { key: "fileTooLarge", params: { size: MAX_ATTACHMENT_BYTES / 1048576 } } };
  return { contentType };
}

/**
 * Upload ``file``: ask the relay for a presigned URL, PUT the bytes there, confirm. ``onStarted`` gets the
 * attachment id as soon as the relay assigns it; resolves with the id once the upload is confirmed.
 */
export async function uploadAttachment(request, file, contentType, onStarted) {
  const upload = await request({ action: "sendAttachment", fileName: file.name, contentType, size: file.size });
  onStarted(upload.attachmentId);
  const response = await fetch(upload.url, { method: "PUT", headers: upload.headers || {}, body: file });
  if (!response.ok) throw new RelayError("UPLOAD_FAILED", `The upload was refused (${response.status})`);
  await request({ action: "sendAttachment", attachmentId: upload.attachmentId });
  return upload.attachmentId;
}
