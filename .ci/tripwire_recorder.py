"""Records every frame that arrives on an interface, one line each: protocol, destination, and for DNS the
name asked for. Run by .ci/tripwire in the namespace at the far end of the tripwire.

    python3 tripwire_recorder.py INTERFACE OUTPUT
"""
import socket
import struct
import sys

ETH_P_ALL = 0x0003


def dns_name(payload):
    """The first question's name of a DNS query, or '?'."""
    labels, offset = [], 12
    try:
        while payload[offset]:
            length = payload[offset]
            labels.append(payload[offset + 1:offset + 1 + length].decode("ascii", "replace"))
            offset += 1 + length
        return ".".join(labels)
    except IndexError:
        return "?"


def describe(frame):
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0806:
        return "ARP who-has %s" % socket.inet_ntoa(frame[38:42])
    if ethertype != 0x0800:
        return "ethertype 0x%04x" % ethertype
    header = frame[14:]
    length = (header[0] & 0x0F) * 4
    protocol = header[9]
    destination = socket.inet_ntoa(header[16:20])
    transport = header[length:]
    if protocol in (6, 17) and len(transport) >= 4:
        port = struct.unpack("!H", transport[2:4])[0]
        name = "TCP" if protocol == 6 else "UDP"
        if protocol == 17 and port == 53:
            return "DNS query for %s (to %s)" % (dns_name(transport[8:]), destination)
        if protocol == 6 and len(transport) >= 14 and transport[13] & 0x02:
            return "TCP connection attempt to %s:%d" % (destination, port)
        return "%s to %s:%d" % (name, destination, port)
    return "IP protocol %d to %s" % (protocol, destination)


def main():
    interface, output = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((interface, 0))
    with open(output, "a", buffering=1) as out:
        while True:
            frame, address = sock.recvfrom(65535)
            # Incoming frames only: those the namespace under test sent.
            if address[2] == socket.PACKET_OUTGOING:
                continue
            out.write(describe(frame) + "\n")


if __name__ == "__main__":
    main()
