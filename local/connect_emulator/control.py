"""The control API under ``/_emulator/``: inspect chats, act as the agent, inject faults."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import content_types as ct
from .agent import SimulatedAgent
from .chat import ChatService, Contact, Participant
from .errors import ServiceError
from .faults import Fault, FaultInjector
from .streaming import StreamingPublisher
from .websocket import SocketHub

PREFIX = "/_emulator"
_STATE_EVENTS = {
    "idle": ct.PARTICIPANT_IDLE,
    "returned": ct.PARTICIPANT_RETURNED,
    "autodisconnection": ct.PARTICIPANT_AUTODISCONNECTION,
}
_AGENT_ROLES = ("AGENT", "CUSTOM_BOT", "SUPERVISOR")


class ControlError(Exception):
    """A control request that cannot be carried out (answered 400/404 with ``{"error": ...}``)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ControlApi:
    """Routes for tests and demos; never part of the emulated AWS APIs."""

    def __init__(
        self,
        chats: ChatService,
        hub: SocketHub,
        faults: FaultInjector,
        agent: SimulatedAgent,
        streaming: StreamingPublisher,
    ) -> None:
        self.chats = chats
        self.hub = hub
        self.faults = faults
        self.agent = agent
        self.streaming = streaming

    def add_routes(self, app: web.Application) -> None:
        routes = [
            ("GET", "/health", self.health),
            ("GET", "/contacts", self.list_contacts),
            ("GET", "/contacts/{contact_id}", self.get_contact),
            ("POST", "/contacts/{contact_id}/participants", self.add_participant),
            ("POST", "/contacts/{contact_id}/agent/message", self.agent_message),
            ("POST", "/contacts/{contact_id}/agent/event", self.agent_event),
            ("POST", "/contacts/{contact_id}/participant-state", self.participant_state),
            ("POST", "/contacts/{contact_id}/end", self.end_contact),
            ("POST", "/faults", self.add_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("POST", "/sockets/drop", self.drop_sockets),
            ("POST", "/tokens/expire", self.expire_tokens),
            ("GET", "/config", self.get_config),
            ("POST", "/config", self.set_config),
            ("POST", "/views", self.add_view),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, PREFIX + path, self._wrap(handler))

    @staticmethod
    def _wrap(handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                body: dict[str, Any] = {}
                if request.can_read_body:
                    raw = await request.read()
                    if raw.strip():
                        body = json.loads(raw)
                        if not isinstance(body, dict):
                            raise ControlError("the body must be a JSON object")
                result = handler(request, body)
                return web.json_response(result)
            except (json.JSONDecodeError, RecursionError) as exc:
                return web.json_response({"error": f"the body is not JSON: {exc}"}, status=400)
            except ControlError as exc:
                return web.json_response({"error": str(exc)}, status=exc.status)
            except ServiceError as exc:
                return web.json_response({"error": exc.message, "code": exc.code}, status=exc.status)
            except (KeyError, TypeError, ValueError) as exc:
                return web.json_response({"error": f"bad request: {exc}"}, status=400)

        return wrapped

    # ------------------------------------------------------------------------------------- helpers

    def _contact(self, request: web.Request) -> Contact:
        contact = self.chats.contacts.get(request.match_info["contact_id"])
        if contact is None:
            raise ControlError(f"no contact {request.match_info['contact_id']}", 404)
        return contact

    def _agent_of(self, contact: Contact) -> Participant:
        simulated = self.agent.agents.get(contact.contact_id)
        if simulated is not None and simulated.state == "ACTIVE":
            return simulated
        agent = next((p for p in contact.participants.values() if p.role == "AGENT" and p.state == "ACTIVE"), None)
        if agent is None:
            agent = self.chats.add_participant(contact, "AGENT", self.chats.config.agent_name)
            self.agent.agents[contact.contact_id] = agent
        return agent

    @staticmethod
    def _describe(contact: Contact) -> dict[str, Any]:
        return {
            "ContactId": contact.contact_id,
            "InitialContactId": contact.initial_contact_id,
            "InstanceId": contact.instance_id,
            "State": contact.state,
            "PreviousContactId": contact.previous.contact_id if contact.previous else None,
            "Attributes": contact.attributes,
            "Streaming": [{"StreamingId": k, "StreamingEndpointArn": v} for k, v in contact.streaming.items()],
            "Participants": [
                {
                    "ParticipantId": p.participant_id,
                    "ParticipantRole": p.role,
                    "DisplayName": p.display_name,
                    "State": p.state,
                }
                for p in contact.participants.values()
            ],
        }

    # ------------------------------------------------------------------------------------- handlers

    def health(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "contacts": len(self.chats.contacts), "sockets": len(self.hub.sockets)}

    def list_contacts(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        return {"Contacts": [self._describe(c) for c in self.chats.contacts.values()]}

    def get_contact(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        contact = self._contact(request)
        described = self._describe(contact)
        described["Transcript"] = [{**item.public(), "MessageVisibility": item.visibility} for item in contact.items]
        return described

    def add_participant(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        contact = self._contact(request)
        role = body.get("role", "AGENT")
        if role not in _AGENT_ROLES:
            raise ControlError(f"role must be one of {list(_AGENT_ROLES)}")
        participant = self.chats.add_participant(contact, role, body.get("displayName", role.title()))
        return {
            "ParticipantId": participant.participant_id,
            "ParticipantToken": participant.participant_token,
        }

    def agent_message(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        contact = self._contact(request)
        visibility = body.get("visibility", "ALL")
        if visibility not in ("ALL", "AGENT", "CUSTOMER"):
            raise ControlError("visibility must be ALL, AGENT or CUSTOMER")
        item = self.chats.send_message(
            self._agent_of(contact),
            body.get("contentType", ct.TEXT_PLAIN),
            body["content"],
            visibility=visibility,
        )
        return {"Id": item.id, "AbsoluteTime": item.data["AbsoluteTime"]}

    def agent_event(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        contact = self._contact(request)
        item = self.chats.send_event(self._agent_of(contact), body.get("contentType", ct.TYPING), body.get("content"))
        return {"Id": item.id, "AbsoluteTime": item.data["AbsoluteTime"]}

    def participant_state(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        contact = self._contact(request)
        state = body.get("state")
        if state not in _STATE_EVENTS:
            raise ControlError(f"state must be one of {sorted(_STATE_EVENTS)}")
        participant_id = body.get("participantId")
        participant = contact.participants.get(participant_id) if participant_id else contact.customer()
        if participant is None:
            raise ControlError("no such participant", 404)
        item = self.chats.event(contact, participant, _STATE_EVENTS[state])
        if state == "autodisconnection":
            self.chats.disconnect(participant)
        return {"Id": item.id}

    def end_contact(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        contact = self._contact(request)
        self.chats.end_chat(contact, body.get("reason", "AGENT_DISCONNECT"))
        return {"State": contact.state}

    def add_fault(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        fault = Fault(
            operation=body["operation"],
            count=int(body.get("count", 1)),
            error=body.get("error"),
            delay=float(body.get("delayMs", 0)) / 1000,
            message=body.get("message", "Injected fault"),
        )
        if fault.error is None and fault.delay <= 0:
            raise ControlError("a fault needs an error, a delayMs, or both")
        self.faults.add(fault)
        return {"pending": len(self.faults.faults)}

    def clear_faults(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        self.faults.clear()
        return {"pending": 0}

    def drop_sockets(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        return {"dropped": self.hub.drop(body.get("contactId"), body.get("participantId"))}

    def expire_tokens(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        kinds = set(body.get("kinds", ["connection", "websocket"]))
        if not kinds <= {"connection", "websocket"}:
            raise ControlError("kinds may hold 'connection' and 'websocket'")
        expired = self.chats.expire_tokens(body.get("participantId"), kinds)
        closed = self.hub.close_expired() if "websocket" in kinds else 0
        return {"expired": expired, "closedSockets": closed}

    def get_config(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        config = self.chats.config
        return {
            "agentEnabled": config.agent_enabled,
            "agentDelay": config.agent_delay,
            "agentReplyDelay": config.agent_reply_delay,
            "connectionTokenTtl": config.connection_token_ttl,
            "websocketTtl": config.websocket_ttl,
            "websocketConnectTimeout": config.websocket_connect_timeout,
            "attachmentQuota": config.attachment_quota,
            "streamingPublished": self.streaming.published,
            "streamingFailures": self.streaming.failures,
        }

    def set_config(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        config = self.chats.config
        fields = {
            "agentEnabled": ("agent_enabled", bool),
            "agentDelay": ("agent_delay", float),
            "agentReplyDelay": ("agent_reply_delay", float),
            "connectionTokenTtl": ("connection_token_ttl", float),
            "websocketTtl": ("websocket_ttl", float),
            "websocketConnectTimeout": ("websocket_connect_timeout", float),
            "attachmentQuota": ("attachment_quota", int),
        }
        unknown = set(body) - set(fields)
        if unknown:
            raise ControlError(f"unknown settings {sorted(unknown)}; known: {sorted(fields)}")
        for key, value in body.items():
            attribute, kind = fields[key]
            setattr(config, attribute, kind(value))
        return self.get_config(request, {})

    def add_view(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("ViewToken") or f"view-{len(self.chats.views) + 1}"
        name = body.get("Name", token)
        self.chats.views[token] = {
            "Id": body.get("Id", token),
            "Arn": f"arn:aws:connect:{self.chats.config.region}:{self.chats.config.account_id}:view/{token}",
            "Name": name,
            "Version": int(body.get("Version", 1)),
            "Content": body.get("Content", {"InputSchema": "{}", "Template": "{}", "Actions": []}),
        }
        return {"ViewToken": token}
