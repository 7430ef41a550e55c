"""The transport kernel: signing, REST and WebSocket sessions."""
