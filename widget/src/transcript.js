/** The transcript download: the conversation as shown, as a plain-text file the customer keeps. */

function stamp(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}`;
}

/**
 * The transcript's text: a heading, then one line per entry (``[time] Who: text``; notices without a name). A
 * continued chat's earlier conversation is set apart as on screen: a line before it and one where this one begins.
 *
 * @param {{title: string, entries: object[], t: Function, locale: string,
 *          describe: (entry: object) => {who: string | null, text: string}}} options
 */
export function transcriptText({ title, entries, t, locale, describe, now = new Date() }) {
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const lines = [t("transcriptTitle", { title, date: dateTime.format(now) }), ""];
  let previous = null;
  for (const entry of entries) {
    if (entry.past && (!previous || !previous.past)) lines.push(`— ${t("previousConversation")} —`);
    else if (!entry.past && previous && previous.past) lines.push(`— ${t("continuedConversation")} —`);
    previous = entry;
    const when = entry.time ? `[${dateTime.format(new Date(entry.time))}] ` : "";
    const { who, text } = describe(entry);
    const body = String(text).replace(/\r\n?/g, "\n").split("\n").join("\n    ");
    lines.push(who ? `${when}${who}: ${body}` : `${when}— ${body}`);
  }
  return lines.join("\n") + "\n";
}

/** Offer ``text`` as a download named ``<base>-<date>.txt`` (``container`` holds the link for a moment). */
export function downloadText(base, text, container, now = new Date()) {
  const blob = new Blob([text], { type: "text/plain;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `${base}-${stamp(now)}.txt`;
  link.hidden = true;
  container.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return link.download;
}
