#!/usr/bin/python3
"""A small HTTP server for the labs: serves DIRECTORY on ADDRESS:PORT.

Usage: web_server.py ADDRESS PORT DIRECTORY
Unlike `python3 -m http.server` it never looks its own name up in DNS (getfqdn), which
inside a lab namespace would wait for an unreachable resolver before listening.
"""
import functools
import http.server
import socket
import socketserver
import sys


class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "lab", self.server_address[1]


def main():
    address, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    Server.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    with Server((address, port), handler) as httpd:
        print(f"serving {directory} on {address} port {port}", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
