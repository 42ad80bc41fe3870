// The receiver of the IpLeaveMulticastGroup help page, as a caplnet node program:
//
//   variables { UdpSocket gSocket; }
//   on start  { gSocket = UdpSocket::Open( IP_Endpoint(0.0.0.0:40001) );
//               gSocket.JoinMulticastGroup( 1, IP_Address(239.0.0.123) ); }
//   on key '2' { gSocket.LeaveMulticastGroup( 1, IP_Address(239.0.0.123) ); }
//
// plus the receive loop the help leaves implicit (UdpReceiveFrom, re-armed in the callback).
#include <caplnet/capl.hpp>

using namespace caplnet::capl;

namespace {

UdpSocket gSocket;
char gBuffer[1500];
dword gReceived = 0;

void OnUdpReceiveFrom(dword socket, capl_long result, IP_Endpoint remote, char buffer[], dword size) {
    if (!(gSocket == socket)) return;
    ++gReceived;
    write("received %u: %.*s from %s (result %d)", gReceived, static_cast<int>(size), buffer,
          remote.to_string().c_str(), result);
    gSocket.ReceiveFrom(gBuffer, sizeof gBuffer);
}

}  // namespace

CAPLNET_PROGRAM(program) {
    program.on_start([] {
        gSocket = UdpSocket::Open(IP_Endpoint("0.0.0.0:40001"));
        const capl_long joined = gSocket.JoinMulticastGroup(1, IP_Address("239.0.0.123"));
        write("joined 239.0.0.123 on ifIndex 1: %d", joined);
        gSocket.ReceiveFrom(gBuffer, sizeof gBuffer);
    });
    program.on_key('2', [] {
        const capl_long left = gSocket.LeaveMulticastGroup(1, IP_Address("239.0.0.123"));
        write("left 239.0.0.123 on ifIndex 1: %d after %u datagrams", left, gReceived);
    });
    program.OnUdpReceiveFrom(OnUdpReceiveFrom);
}
