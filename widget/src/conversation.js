/**
 * The conversation model: the items of one chat in order, each once, with the customer's own pending sends
 * merged into the items they become, and receipts applied to the messages they are about.
 *
 * Ordering is by ``AbsoluteTime`` then ``Id``; entries without a server time yet (the customer's own, not
 * acknowledged) come last in the order they were made. Delivery is at least once: items are deduplicated on
 * ``Id``. Nothing here touches the DOM or the network.
 */
import { CONTENT_TYPES as CT } from "./protocol.js";

/** Notices (participant events) the conversation shows. */
const NOTICE_TYPES = [CT.JOINED, CT.LEFT, CT.ENDED, CT.TRANSFER_OK, CT.TRANSFER_FAILED];
/** An attachment's scan status only moves forward. */
const ATTACHMENT_STATUS_RANK = { UPLOADING: -1, IN_PROGRESS: 0, APPROVED: 1, REJECTED: 1 };
/** Fields of an entry that are not kept across a reload. */
const TRANSIENT_FIELDS = ["inFlight", "file", "downloadUrl"];

function compareEntries(a, b) {
  if (a.time && b.time) {
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.id && b.id && a.id !== b.id) return a.id < b.id ? -1 : 1;
    return a.seq - b.seq;
  }
  if (a.time) return -1;
  if (b.time) return 1;
  return a.seq - b.seq;
}

export function attachmentOf(item) {
  const a = (item.Attachments && item.Attachments[0]) || {};
  return {
    id: a.AttachmentId || null,
    name: a.AttachmentName || "attachment",
    contentType: a.ContentType || item.ContentType || "",
    status: a.Status || "IN_PROGRESS",
  };
}

function rank(status) {
  return ATTACHMENT_STATUS_RANK[status] ?? 0;
}

/** The Id of the last of ``sorted`` entries that Connect can resume after, or ``null``. */
function lastResumableId(sorted) {
  for (let i = sorted.length - 1; i >= 0; i--) {
    if (sorted[i].id && sorted[i].time && sorted[i].resumable) return sorted[i].id;
  }
  return null;
}

export class Conversation {
  constructor() {
    // The chat's ids, kept here only (the chat controller reads them from here).
    this.participantId = null; // the customer's: their items are their own
    this.contactId = null; // the chat's contact: items of another one are from a conversation it continues
    this.clear();
  }

  /** Forget every entry (a new chat). */
  clear() {
    this.entries = [];
    this.byId = new Map();
    this.earlyReceipts = new Map(); // message Id -> {read, delivered} that arrived before the message
    this.readSent = new Set(); // Ids of messages this customer reported read (here or in another tab)
    this.seq = 0;
  }

  sorted() {
    return this.entries.slice().sort(compareEntries);
  }

  /** The Id of the last item shown that Connect can resume after (``afterId`` of ``resumeChat``). */
  lastSeenId() {
    return lastResumableId(this.sorted());
  }

  add(fields) {
    this.seq += 1;
    const entry = { key: `e${this.seq}`, seq: this.seq, id: null, time: null, ...fields };
    this.entries.push(entry);
    return entry;
  }

  isOwn(item) {
    if (this.participantId && item.ParticipantId) return item.ParticipantId === this.participantId;
    return item.ParticipantRole === "CUSTOMER";
  }

  hasNotice(contentType) {
    return this.entries.some((e) => e.type === "notice" && e.contentType === contentType && !e.past);
  }

  /** Whether ``item`` belongs to an earlier contact this chat continues (persistent chat), not to this one. */
  isPast(item) {
    if (!this.contactId || (!item.ContactId && !item.InitialContactId)) return false;
    return item.ContactId !== this.contactId && item.InitialContactId !== this.contactId;
  }

  /** ``entry`` is history: shown apart, never resumed after, never reported read or counted unread. */
  markPast(entry) {
    entry.past = true;
    entry.resumable = false;
    if (entry.id) this.readSent.add(entry.id);
  }

  /** Keep what the server confirmed (ids and times) as the previous conversation, which a new chat continues. */
  keepAsPast() {
    this.entries = this.entries.filter((e) => e.id && e.time);
    this.byId = new Map(this.entries.map((e) => [e.id, e]));
    this.earlyReceipts.clear();
    for (const entry of this.entries) this.markPast(entry);
  }

  /** Give ``entry`` the server's ``id`` (and time), keeping ``byId`` one-to-one. */
  assignId(entry, id, time) {
    const other = this.byId.get(id);
    if (other && other !== entry) {
      // Another local copy with the same content was matched to this item first: hand it our id instead.
      const previous = entry.id;
      other.id = previous;
      other.time = previous ? entry.time : null;
      if (previous) this.byId.set(previous, other);
      else if (other.own && other.type === "message") other.status = "sending";
    } else if (entry.id && entry.id !== id) {
      this.byId.delete(entry.id);
    }
    entry.id = id;
    if (time) entry.time = time;
    this.byId.set(id, entry);
    const early = this.earlyReceipts.get(id);
    if (early) {
      if (early.read) entry.read = true;
      if (early.delivered) entry.delivered = true;
      this.earlyReceipts.delete(id);
    }
  }

  applyReceipts(metadata) {
    if (!metadata || !metadata.MessageId || !Array.isArray(metadata.Receipts)) return;
    const id = metadata.MessageId;
    for (const receipt of metadata.Receipts) {
      if (!receipt) continue;
      if (receipt.RecipientParticipantId && receipt.RecipientParticipantId === this.participantId) {
        if (receipt.ReadTimestamp) this.readSent.add(id); // this customer read it, maybe in another tab
        continue;
      }
      let target = this.byId.get(id);
      if (!target) {
        target = this.earlyReceipts.get(id) || {};
        this.earlyReceipts.set(id, target);
      }
      if (receipt.ReadTimestamp) target.read = true;
      if (receipt.DeliveredTimestamp) target.delivered = true;
    }
  }

  /**
   * Take one item from the relay (live, replayed on resume, or from a transcript page).
   *
   * @returns {{change: "typing" | "ended" | "added" | "updated" | null, entry?: object}} what it changed
   */
  ingest(item) {
    if (!item || typeof item !== "object" || !item.Id) return { change: null };
    const type = item.Type;
    const contentType = item.ContentType || "";

    if (type === "MESSAGEMETADATA" || contentType === CT.READ || contentType === CT.DELIVERED) {
      this.applyReceipts(item.MessageMetadata);
      return { change: "updated" };
    }
    if (type === "EVENT") return this.ingestEvent(item, contentType);
    if (type !== "MESSAGE" && type !== "ATTACHMENT") return { change: null };

    const known = this.byId.get(item.Id);
    if (known) {
      if (type === "ATTACHMENT" && known.attachment) {
        const next = attachmentOf(item);
        if (rank(next.status) >= rank(known.attachment.status)) {
          known.attachment.status = next.status;
          if (!known.attachment.id) known.attachment.id = next.id;
        }
        if (known.own && known.status !== "failed") known.status = "sent";
      }
      if (!known.time && item.AbsoluteTime) known.time = item.AbsoluteTime;
      this.applyReceipts(item.MessageMetadata);
      return { change: "updated", entry: known };
    }

    const own = this.isOwn(item);
    let entry = own ? this.matchLocal(item) : null;
    const added = !entry;
    if (!entry) {
      entry = this.add({
        type: type === "ATTACHMENT" ? "attachment" : "message",
        own: item.ParticipantRole === "CUSTOMER",
        role: item.ParticipantRole || "",
        participantId: item.ParticipantId || "",
        name: item.DisplayName || "",
        text: item.Content == null ? "" : String(item.Content),
        contentType: contentType || CT.TEXT,
        status: "sent",
        resumable: true,
      });
    }
    entry.status = "sent"; // Connect has it
    entry.error = "";
    entry.name = item.DisplayName || entry.name;
    entry.resumable = true;
    if (type === "ATTACHMENT") {
      const attachment = attachmentOf(item);
      if (entry.attachment && rank(entry.attachment.status) > rank(attachment.status)) {
        attachment.status = entry.attachment.status;
      }
      entry.attachment = attachment;
    }
    this.assignId(entry, item.Id, item.AbsoluteTime);
    this.applyReceipts(item.MessageMetadata);
    if (added && this.isPast(item)) this.markPast(entry);
    return { change: added ? "added" : "updated", entry };
  }

  ingestEvent(item, contentType) {
    if (contentType === CT.TYPING) return { change: "typing" };
    if (this.byId.has(item.Id) || !NOTICE_TYPES.includes(contentType)) return { change: null };
    if (item.ParticipantRole === "CUSTOMER" && (contentType === CT.JOINED || contentType === CT.LEFT)) {
      return { change: null };
    }
    const past = this.isPast(item);
    if (contentType === CT.ENDED && !past && this.hasNotice(CT.ENDED)) {
      // The local "ended" notice made when the relay said so first: this is the same event.
      const local = this.entries.find((e) => e.type === "notice" && e.contentType === CT.ENDED && !e.id && !e.past);
      if (local) this.assignId(local, item.Id, item.AbsoluteTime);
      return { change: "ended" };
    }
    const notice = this.add({
      type: "notice",
      contentType,
      role: item.ParticipantRole || "",
      participantId: item.ParticipantId || "",
      name: item.DisplayName || "",
      resumable: true,
    });
    this.assignId(notice, item.Id, item.AbsoluteTime);
    if (past) this.markPast(notice);
    return { change: contentType === CT.ENDED && !past ? "ended" : "added", entry: notice };
  }

  /** The optimistic local copy of one of this customer's own items, when it has not been matched yet. */
  matchLocal(item) {
    for (const entry of this.entries) {
      if (!entry.own || entry.id || !entry.attempted || entry.status === "failed") continue;
      if (item.Type === "MESSAGE" && entry.type === "message" && entry.text === item.Content) return entry;
      if (item.Type === "ATTACHMENT" && entry.type === "attachment" && entry.attachment) {
        const a = attachmentOf(item);
        if (entry.attachment.id ? entry.attachment.id === a.id : entry.attachment.name === a.name) return entry;
      }
    }
    return null;
  }

  /** The "chat ended" notice, once, when the relay says so before (or without) Connect's event. */
  addEndedNotice() {
    if (!this.hasNotice(CT.ENDED)) this.add({ type: "notice", contentType: CT.ENDED });
  }

  /** Other participants' messages not yet reported read. */
  unreadByCustomer() {
    return this.entries.filter((e) => !e.own && e.type === "message" && e.id && !this.readSent.has(e.id));
  }

  /**
   * The chat's ids, its last ``max`` entries, the read set and the Id to resume after (``lastId``), as plain data
   * for ``sessionStorage``.
   */
  toJSON(max) {
    const sorted = this.sorted();
    const entries = sorted
      .slice(-max)
      .map((entry) => {
        const copy = { ...entry };
        for (const field of TRANSIENT_FIELDS) delete copy[field];
        return copy;
      });
    return {
      contactId: this.contactId,
      participantId: this.participantId,
      entries,
      readSent: [...this.readSent].slice(-max),
      seq: this.seq,
      lastId: lastResumableId(sorted),
    };
  }

  /** Back from :meth:`toJSON`. */
  load({ contactId = null, participantId = null, entries = [], readSent = [], seq = 0 }) {
    this.clear();
    this.contactId = contactId;
    this.participantId = participantId;
    this.seq = seq;
    for (const id of readSent) this.readSent.add(id);
    for (const entry of entries) {
      if (entry.status === "uploading") entry.status = "failed"; // the file did not survive the reload
      this.entries.push(entry);
      if (entry.id) this.byId.set(entry.id, entry);
    }
  }
}
