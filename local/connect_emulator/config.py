"""The emulator's settings, with defaults taken from the real services' documentation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EmulatorConfig:
    """Settings of one emulator instance.

    Attributes
    ----------
    public_host
        ``host:port`` written into URLs the emulator hands out (websocket, uploads, downloads).
    region, account_id
        Used in ARNs and in the streaming message attributes.
    connection_token_ttl
        Seconds a connection token from CreateParticipantConnection lives.
    websocket_connect_timeout
        Seconds within which a websocket URL must be opened (the service documents 100 s).
    websocket_ttl
        Seconds after issue at which a websocket URL expires and its socket is closed (``ConnectionExpiry``).
    upload_url_ttl
        Seconds an attachment upload URL stays valid.
    attachment_quota
        Attachments a contact may hold before StartAttachmentUpload answers ServiceQuotaExceededException.
    attachment_scan_delay
        Seconds before an uploaded attachment's status moves from IN_PROGRESS to APPROVED or REJECTED.
    agent_enabled, agent_delay, agent_reply_delay, agent_name
        The simulated agent: whether it joins new chats, after how long, how long it "types" before answering.
    """

    public_host: str = "127.0.0.1:3002"
    region: str = "us-west-2"
    account_id: str = "123456789012"
    connection_token_ttl: float = 24 * 3600
    websocket_connect_timeout: float = 100
    websocket_ttl: float = 3600
    upload_url_ttl: float = 300
    attachment_quota: int = 100
    attachment_scan_delay: float = 0.2
    agent_enabled: bool = True
    agent_delay: float = 1.0
    agent_reply_delay: float = 0.5
    agent_name: str = "Agent"

    @property
    def http_base(self) -> str:
        """Base URL for HTTP links handed out by the emulator."""
        return f"http://{self.public_host}"

    @property
    def ws_base(self) -> str:
        """Base URL for websocket links handed out by the emulator."""
        return f"ws://{self.public_host}"
