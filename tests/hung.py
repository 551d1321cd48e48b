"""A directory server that hangs: shared by the resting tests in-process and through gunicorn."""

import socket


class HungServer:
    """Accepts TCP connections (the kernel completes them) and never answers; counts the connections made to it."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.url = f"ldap://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held: list[socket.socket] = []

    def new_connections(self) -> int:
        """How many connections were made since the last call."""
        count = 0
        while True:
            try:
                conn, _address = self.listener.accept()
            except BlockingIOError:
                return count
            self.held.append(conn)
            count += 1

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.listener.close()
