"""The start-chat endpoint (direct flow): StartChatContact for a browser widget."""
