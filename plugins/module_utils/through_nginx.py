# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""One GET of an app's path through nginx on the host's loopback, as a visitor reaches it: what the
health gate (roost.wsgi.health) waits on and roost.wsgi.app_status reports."""

from __future__ import annotations

import http.client
import socket
import ssl

# nginx's cache statuses that mean the app itself answered.
FROM_THE_APP = ("", "MISS", "BYPASS", "EXPIRED")


def ask(scheme, port, server_name, path, release_header, timeout=10):
    """{status, release, cache, error}: status 0 and the error when nothing answered."""
    try:
        if scheme == "https":
            # The name is checked by SNI; nginx holds the certificate, which may be self-signed.
            context = ssl._create_unverified_context()  # nosec B323
            connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)
            connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=timeout),
                                                  server_hostname=server_name)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": server_name})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        return {"status": 0, "release": "", "cache": "", "error": str(error) or error.__class__.__name__}
    return {"status": response.status, "release": response.getheader(release_header, "") if release_header else "",
            "cache": response.getheader("X-Cache-Status", ""), "error": ""}


def healthy(answer, release_header="", release=""):
    """A 200 from the app itself (never from nginx's cache), and from release when one is named."""
    return (answer["status"] == 200 and answer["cache"] in FROM_THE_APP
            and (not release_header or not release or answer["release"] == release))
