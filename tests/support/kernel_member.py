#!/usr/bin/env python3
"""The Linux kernel as the reference host for the IGMP/MLD comparison tests.

Reads one command per line on stdin and answers "ok <command>" (or "error ...") on stdout:
  join4 GROUP IFADDR | leave4 GROUP IFADDR   IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP
  join6 GROUP IFNAME | leave6 GROUP IFNAME   IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP
  inject IFNAME HEX                          send one raw Ethernet frame out of IFNAME
"""
import socket
import struct
import sys

v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)

for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        cmd = words[0]
        if cmd in ("join4", "leave4"):
            mreq = socket.inet_aton(words[1]) + socket.inet_aton(words[2])
            opt = socket.IP_ADD_MEMBERSHIP if cmd == "join4" else socket.IP_DROP_MEMBERSHIP
            v4.setsockopt(socket.IPPROTO_IP, opt, mreq)
        elif cmd in ("join6", "leave6"):
            mreq = socket.inet_pton(socket.AF_INET6, words[1]) + struct.pack("@I", socket.if_nametoindex(words[2]))
            opt = socket.IPV6_JOIN_GROUP if cmd == "join6" else socket.IPV6_LEAVE_GROUP
            v6.setsockopt(socket.IPPROTO_IPV6, opt, mreq)
        elif cmd == "inject":
            raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            raw.bind((words[1], 0))
            raw.send(bytes.fromhex(words[2]))
            raw.close()
        else:
            raise ValueError("unknown command")
        print("ok " + line.strip(), flush=True)
    except Exception as e:  # the test reads the reason
        print("error %s: %s" % (line.strip(), e), flush=True)
