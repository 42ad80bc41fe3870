#pragma once
// The one door to lwIP. Debian's lwipopts.h declares sys_lock_tcpip_core() and friends without
// extern "C" (reference/lwip-notes.md, pitfall 1), so it is included first, inside extern "C".
// Everything else comes from the shipped headers as they are: no project lwipopts.h, no -DLWIP_*.
extern "C" {
#include <lwipopts.h>
}
#include <lwip/opt.h>
#include <lwip/etharp.h>
#include <lwip/icmp.h>
#include <lwip/inet_chksum.h>
#include <lwip/igmp.h>
#include <lwip/init.h>
#include <lwip/ip.h>
#include <lwip/ip_addr.h>
#include <lwip/mld6.h>
#include <lwip/nd6.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/raw.h>
#include <lwip/sys.h>
#include <lwip/tcpip.h>
#include <lwip/timeouts.h>
#include <lwip/udp.h>
#include <lwip/ethip6.h>
#include <lwip/prot/ethernet.h>
#include <netif/ethernet.h>
